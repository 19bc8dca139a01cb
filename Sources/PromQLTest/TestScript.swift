import PromQL
import Model

/// A parsed promqltest script: Prometheus's test language for PromQL engines
/// (`load`, `clear`, `eval`), as its `promql/promqltest/README.md` describes.
///
/// Every command keeps the 1-based line it starts on, so failures point at the file.
public struct PromQLTestScript: Sendable, Hashable {
    public var commands: [ScriptCommand]

    public init(commands: [ScriptCommand]) {
        self.commands = commands
    }

    /// The eval commands, in file order.
    public var evals: [EvalCommand] {
        commands.compactMap { if case .eval(let e) = $0 { e } else { nil } }
    }
}

/// One command of a script.
public enum ScriptCommand: Sendable, Hashable {
    /// `load <interval>` followed by series lines: samples added to the storage.
    case load(LoadCommand)
    /// `clear`: a fresh, empty storage.
    case clear(line: Int)
    /// `eval …`: a query and what it must return.
    case eval(EvalCommand)

    public var line: Int {
        switch self {
        case .load(let l): l.line
        case .clear(let line): line
        case .eval(let e): e.line
        }
    }
}

/// `load <interval>` (or `load_with_nhcb <interval>`) and its series.
public struct LoadCommand: Sendable, Hashable {
    public var line: Int
    /// The time between consecutive points of every series, ms. The first point is at 0.
    public var interval: Int64
    /// `load_with_nhcb`: classic histogram series are also converted to native histograms
    /// with custom buckets (loaded in addition to the float series).
    public var withNHCB: Bool
    public var series: [SeriesDefinition]

    public init(line: Int, interval: Int64, withNHCB: Bool = false, series: [SeriesDefinition]) {
        self.line = line
        self.interval = interval
        self.withNHCB = withNHCB
        self.series = series
    }
}

/// A series line: `metric{label="value"} 1 2+3x4 _ stale`.
public struct SeriesDefinition: Sendable, Hashable {
    public var line: Int
    public var labels: Labels
    /// One entry per step, already expanded.
    public var values: [SeriesValue]

    public init(line: Int, labels: Labels, values: [SeriesValue]) {
        self.line = line
        self.labels = labels
        self.values = values
    }

    /// Whether any point is a native histogram.
    public var hasHistograms: Bool { values.contains { $0.isHistogram } }
}


/// `eval instant at <t> <query>` or `eval range from <a> to <b> step <s> <query>`, with
/// its expectations and expected result.
public struct EvalCommand: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// At a time, ms.
        case instant(at: Int64)
        /// From `start` to `end` (inclusive) every `step`, ms.
        case range(start: Int64, end: Int64, step: Int64)
    }

    public var line: Int
    public var query: String
    public var kind: Kind
    public var expectations: Expectations
    public var expected: ExpectedResult

    public init(line: Int, query: String, kind: Kind, expectations: Expectations = Expectations(), expected: ExpectedResult = .series([])) {
        self.line = line
        self.query = query
        self.kind = kind
        self.expectations = expectations
        self.expected = expected
    }

    public var isInstant: Bool {
        if case .instant = kind { true } else { false }
    }

    /// The time an instant query runs at: `at`, or the end of an `expect range vector`.
    public var instantTime: Int64 {
        if let range = expectations.rangeVector { return range.end }
        if case .instant(let at) = kind { return at }
        return 0
    }
}

/// How an annotation or error message must look: any, exactly, or matching a regex
/// (searched for anywhere in the message, as Go's `regexp.MatchString` does).
public struct MessageMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case any
        case exact(String)
        case regex(String)
    }

    public var kind: Kind
    private let compiled: CompiledRegex?

    public init(_ kind: Kind) throws(RegexError) {
        self.kind = kind
        if case .regex(let pattern) = kind {
            compiled = try CompiledRegex(pattern)
        } else {
            compiled = nil
        }
    }

    public static let any = try! MessageMatcher(.any)

    public func matches(_ message: String) -> Bool {
        switch kind {
        case .any: true
        case .exact(let text): text == message
        case .regex: compiled?.search(message) ?? false
        }
    }

    public var description: String {
        switch kind {
        case .any: "any message"
        case .exact(let text): "message \(GoString.quote(text))"
        case .regex(let pattern): "pattern \(GoString.quote(pattern))"
        }
    }

    public static func == (a: MessageMatcher, b: MessageMatcher) -> Bool { a.kind == b.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}

/// A Go-syntax regular expression (RE2) that matches when found anywhere in a string.
struct CompiledRegex: Sendable {
    let regex: RE2Regex

    init(_ pattern: String) throws(RegexError) {
        // Compile as written first, so that an invalid pattern reports its own error.
        _ = try RE2Regex(pattern)
        regex = try RE2Regex(".*(?:" + pattern + ").*")
    }

    func search(_ s: String) -> Bool { regex.fullMatch(s) }
}

/// The `expect …` lines of an eval (and the deprecated `eval_fail`/`eval_warn`/`eval_info`/
/// `eval_ordered` forms with `expected_fail_message`/`expected_fail_regexp`).
public struct Expectations: Sendable, Hashable {
    /// `expect fail` or `eval_fail`: the query must fail.
    public var fail = false
    /// What the error message must look like: `expect fail msg:`/`regex:`, the deprecated
    /// `expected_fail_message`/`expected_fail_regexp`; every one must match.
    public var failMessages: [MessageMatcher] = []
    /// `expect warn …` lines: at least one warning, and every warning matches one of them.
    public var warn: [MessageMatcher] = []
    public var info: [MessageMatcher] = []
    public var noWarn = false
    public var noInfo = false
    /// `expect ordered` or `eval_ordered`: the vector's order must be the expected one.
    public var ordered = false
    /// `eval_warn`/`eval_info`: at least one warning/info, of any message.
    public var legacyWarn = false
    public var legacyInfo = false
    /// `expect range vector from <a> to <b> step <s>`: an instant query returns a matrix with these timestamps.
    public var rangeVector: RangeVectorExpectation?
    /// `expect string "…"`.
    public var string: String?

    public init() {}

    /// Runs that compare against a range query's middle step are skipped for these.
    public var excludesRangeCheck: Bool { rangeVector != nil || string != nil }
}

/// The timestamps an instant query's matrix result must have.
public struct RangeVectorExpectation: Sendable, Hashable {
    public var start: Int64
    public var end: Int64
    public var step: Int64

    public init(start: Int64, end: Int64, step: Int64) {
        self.start = start
        self.end = end
        self.step = step
    }
}
