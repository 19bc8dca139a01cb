import Foundation
import Model
import PromQL
import TSDB

/// What the runner needs from a query engine. ``Engine`` is the real one; tests of the
/// runner itself may plug in a small fake.
public protocol PromQLTestEngine: Sendable {
    func parseQuery(_ query: String) throws(QueryError) -> Expr
    func evaluateInstant(_ expr: Expr, query: String, at time: Int64, on queryable: any Queryable) throws(QueryError) -> QueryResult
    func evaluateRange(_ expr: Expr, query: String, start: Int64, end: Int64, step: Int64, on queryable: any Queryable) throws(QueryError) -> QueryResult
}

extension Engine: PromQLTestEngine {
    public func parseQuery(_ query: String) throws(QueryError) -> Expr {
        try parse(query)
    }

    public func evaluateInstant(_ expr: Expr, query: String, at time: Int64, on queryable: any Queryable) throws(QueryError) -> QueryResult {
        try instantQuery(expr, query: query, at: time, on: queryable)
    }

    public func evaluateRange(_ expr: Expr, query: String, start: Int64, end: Int64, step: Int64, on queryable: any Queryable) throws(QueryError) -> QueryResult {
        try rangeQuery(expr, query: query, start: start, end: end, step: step, on: queryable)
    }
}

/// The outcome of one eval (or of a load that could not be stored).
public struct CaseResult: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case passed
        case failed(String)
        case skipped(SkipReason)
    }

    public var line: Int
    public var outcome: Outcome

    public init(line: Int, outcome: Outcome) {
        self.line = line
        self.outcome = outcome
    }

    public var isFailure: Bool { if case .failed = outcome { true } else { false } }
}

/// Why an eval was not run.
public enum SkipReason: Sendable, Hashable, CustomStringConvertible {
    /// An entry of the ``SkipList``.
    case skipList(String)
    /// The eval involves native histograms, which the storage does not hold.
    case nativeHistograms(String)

    public var description: String {
        switch self {
        case .skipList(let reason): reason
        case .nativeHistograms(let reason): "native histograms: \(reason)"
        }
    }
}

/// The outcome of one script file.
public struct FileReport: Sendable, Hashable {
    public var path: String
    public var cases: [CaseResult]
    /// Set when the file could not be read or is malformed; it then counts as one failure.
    public var error: ScriptError?
    /// Set when the skip list skips the whole file.
    public var skippedFile: SkipList.Entry?

    public init(path: String, cases: [CaseResult] = [], error: ScriptError? = nil, skippedFile: SkipList.Entry? = nil) {
        self.path = path
        self.cases = cases
        self.error = error
        self.skippedFile = skippedFile
    }

    public var passed: Int { cases.count { $0.outcome == .passed } }
    public var failed: Int { cases.count(where: \.isFailure) + (error == nil ? 0 : 1) }
    public var skipped: Int { cases.count { if case .skipped = $0.outcome { true } else { false } } }

    /// Every failure: the file error first (as `error: …`, with its column when known).
    public var failures: [(line: Int, column: Int?, message: String)] {
        var out: [(Int, Int?, String)] = []
        if let error { out.append((error.line, error.column, "error: " + error.message)) }
        for c in cases { if case .failed(let message) = c.outcome { out.append((c.line, nil, message)) } }
        return out
    }
}

/// Runs promqltest scripts against an engine over a fresh in-memory head per `clear`, with
/// Prometheus's extra checks of instant evals (see ``AtPinning``) and its comparison rules
/// (see ``ResultComparison``).
///
/// Native histograms: the storage holds floats only, so a series with any histogram point
/// is not loaded, and neither are the native histograms `load_with_nhcb` derives from
/// classic ones (its float series are loaded). Those series are remembered until the next
/// `clear`; an eval is skipped when a selector of its query could select one of them, or
/// when its expected result contains a histogram. Every skip is counted and has a reason.
public struct PromQLTestRunner: Sendable {
    public var engine: any PromQLTestEngine
    public var skipList: SkipList

    /// The engine settings of Prometheus's promqltest: 5m lookback, 10,000 samples per
    /// query, 100 s timeout, 1m default subquery step, experimental functions on.
    public static var engineOptions: EngineOptions {
        var options = EngineOptions()
        options.lookbackDelta = 5 * 60_000
        options.maxSamples = 10_000
        options.timeout = .seconds(100)
        options.subqueryDefaultStep = 60_000
        options.enableExperimentalFunctions = true
        return options
    }

    public init(engine: any PromQLTestEngine = Engine(options: PromQLTestRunner.engineOptions), skipList: SkipList = .conformance) {
        self.engine = engine
        self.skipList = skipList
    }

    /// Reads and runs the script at `path`.
    public func run(path: String) -> FileReport {
        if let entry = skipList.fileEntry(for: path) {
            let lines = (try? String(contentsOfFile: path, encoding: .utf8)).map(Self.evalLines) ?? []
            return FileReport(path: path, cases: lines.map { CaseResult(line: $0, outcome: .skipped(.skipList(entry.reason))) }, skippedFile: entry)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return FileReport(path: path, error: ScriptError(line: 1, message: "cannot read the file: \(error.localizedDescription)"))
        }
        return run(source: text, path: path)
    }

    /// Runs script text; `path` names it in reports and the skip list.
    public func run(source: String, path: String) -> FileReport {
        do {
            let script = try ScriptParser.parse(source)
            return FileReport(path: path, cases: run(script: script, path: path))
        } catch {
            return FileReport(path: path, error: error)
        }
    }

    /// Runs parsed commands in order.
    public func run(script: PromQLTestScript, path: String) -> [CaseResult] {
        var state = State()
        var results: [CaseResult] = []
        for command in script.commands {
            switch command {
            case .clear:
                state = State()
            case .load(let load):
                if let problem = state.load(load) {
                    results.append(CaseResult(line: load.line, outcome: .failed("load failed: \(problem)")))
                }
            case .eval(let eval):
                if let entry = skipList.lineEntry(for: path, line: eval.line) {
                    results.append(CaseResult(line: eval.line, outcome: .skipped(.skipList(entry.reason))))
                } else {
                    results.append(CaseResult(line: eval.line, outcome: run(eval, in: state)))
                }
            }
        }
        return results
    }

    /// The 1-based lines that start an eval, by a light scan (for files that are skipped whole).
    static func evalLines(_ text: String) -> [Int] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            String(line).trimmingSpaces.lowercased().hasPrefix("eval") ? index + 1 : nil
        }
    }

    // MARK: Storage

    /// The storage of one script between `clear`s, and the series it could not hold.
    struct State {
        var head = Head()
        /// Series with native-histogram points, with the line that defined them.
        var histogramSeries: [(labels: Labels, line: Int)] = []

        /// Appends the floats of `load`; returns why it failed, if it did.
        mutating func load(_ load: LoadCommand) -> String? {
            var appender = head.appender()
            for series in load.series {
                if series.hasHistograms {
                    histogramSeries.append((series.labels, series.line))
                    continue
                }
                for (i, value) in series.values.enumerated() {
                    guard case .float(let v) = value else { continue }
                    do {
                        try appender.append(series.labels, Int64(i) * load.interval, v)
                    } catch {
                        appender.rollback()
                        return "line \(series.line): \(error)"
                    }
                }
            }
            if load.withNHCB {
                for series in load.series {
                    if let base = Self.nativeHistogramBase(of: series.labels) {
                        histogramSeries.append((base, series.line))
                    }
                }
            }
            do {
                try appender.commit()
            } catch {
                return "\(error)"
            }
            return nil
        }

        /// The series `load_with_nhcb` derives from a classic histogram series: the name without
        /// `_bucket`/`_count`/`_sum`, without `le`.
        static func nativeHistogramBase(of labels: Labels) -> Labels? {
            guard let name = labels.metricName else { return nil }
            for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) {
                if suffix == "_bucket" {
                    guard let le = labels[LabelName.bucket], let bound = GoFloat.parse(le), !bound.isNaN else { return nil }
                }
                var builder = Labels.Builder(labels)
                builder.set(LabelName.metricName, String(name.dropLast(suffix.count)))
                builder.remove(LabelName.bucket)
                return builder.build()
            }
            return nil
        }

        /// The first histogram series some selector of `expr` could select.
        func histogramSeries(selectedBy expr: Expr) -> (labels: Labels, line: Int)? {
            guard !histogramSeries.isEmpty else { return nil }
            for selector in expr.vectorSelectors {
                for series in histogramSeries where selector.matchers.allSatisfy({ $0.matches(series.labels.value(of: $0.name)) }) {
                    return series
                }
            }
            return nil
        }

        /// A histogram series whose metric name appears as a word in `query` (for queries that
        /// do not parse, where selectors are unknown).
        func histogramSeries(namedIn query: String) -> (labels: Labels, line: Int)? {
            let words = Set(query.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }.map(String.init))
            return histogramSeries.first { $0.labels.metricName.map(words.contains) ?? false }
        }
    }

    // MARK: Evals

    private func run(_ eval: EvalCommand, in state: State) -> CaseResult.Outcome {
        if eval.expected.hasHistograms {
            return .skipped(.nativeHistograms("the expected result contains native histograms"))
        }
        let expr: Expr
        do {
            expr = try engine.parseQuery(eval.query)
        } catch {
            if let series = state.histogramSeries(namedIn: eval.query) {
                return .skipped(.nativeHistograms(Self.selects(series)))
            }
            if eval.expectations.fail {
                return ResultComparison.checkFailure(error.description, eval.expectations).map(CaseResult.Outcome.failed) ?? .passed
            }
            return .failed("the query does not parse: \(error.description)")
        }
        if let series = state.histogramSeries(selectedBy: expr) {
            return .skipped(.nativeHistograms(Self.selects(series)))
        }
        let problem: String?
        switch eval.kind {
        case .range(let start, let end, let step):
            problem = runRange(eval, expr, start: start, end: end, step: step, on: state.head)
        case .instant:
            problem = runInstant(eval, expr, on: state.head)
        }
        return problem.map(CaseResult.Outcome.failed) ?? .passed
    }

    private static func selects(_ series: (labels: Labels, line: Int)) -> String {
        "the query selects \(ResultComparison.format(series.labels)) (line \(series.line)), which has native-histogram samples"
    }

    private func runRange(_ eval: EvalCommand, _ expr: Expr, start: Int64, end: Int64, step: Int64, on head: Head) -> String? {
        let result: QueryResult
        do {
            result = try engine.evaluateRange(expr, query: eval.query, start: start, end: end, step: step, on: head)
        } catch {
            if eval.expectations.fail { return ResultComparison.checkFailure(error.description, eval.expectations) }
            return "the query failed: \(error.description)"
        }
        if eval.expectations.fail { return "expected the query to fail, but it succeeded" }
        if let problem = ResultComparison.checkAnnotations(result.annotations, eval.expectations) { return problem }
        return ResultComparison.compare(result.value, with: eval)
    }

    /// The query as written at its time, then pinned with `@` at other times; each run is also
    /// checked as a range query around its time.
    private func runInstant(_ eval: EvalCommand, _ expr: Expr, on head: Head) -> String? {
        let t = eval.instantTime
        var runs: [(expr: Expr, time: Int64, context: String)] = [(expr, t, "")]
        if let pinned = AtPinning.pin(expr, at: t) {
            for time in AtPinning.evaluationTimes(for: t) {
                runs.append((pinned, time, " [step invariance: @ \(PromDuration.format(t)) added, evaluated at \(PromDuration.format(time))]"))
            }
        }
        for run in runs {
            if let problem = runInstant(eval, run.expr, at: run.time, on: head) { return problem + run.context }
        }
        return nil
    }

    private func runInstant(_ eval: EvalCommand, _ expr: Expr, at time: Int64, on head: Head) -> String? {
        let result: QueryResult
        do {
            result = try engine.evaluateInstant(expr, query: eval.query, at: time, on: head)
        } catch {
            if eval.expectations.fail { return ResultComparison.checkFailure(error.description, eval.expectations) }
            return "the query failed: \(error.description)"
        }
        if eval.expectations.fail { return "expected the query to fail, but it succeeded" }
        if let problem = ResultComparison.checkAnnotations(result.annotations, eval.expectations) { return problem }
        if let problem = ResultComparison.compare(result.value, with: eval) { return problem }

        // The same query as a range query around `time` must give the same value at `time`.
        if eval.expectations.excludesRangeCheck || AtPinning.usesQueryParameters(eval.query) { return nil }
        let range: QueryResult
        do {
            range = try engine.evaluateRange(expr, query: eval.query, start: time - 60_000, end: time + 60_000, step: 60_000, on: head)
        } catch {
            return "the query failed as a range query: \(error.description)"
        }
        if eval.expectations.ordered { return nil }
        guard case .matrix(let matrix) = range.value else { return "the range query did not return a matrix" }
        if let problem = ResultComparison.sortingProblem(matrix) { return problem + " [range mode]" }
        var vector: Vector = []
        for series in matrix {
            if let point = series.samples.first(where: { $0.timestamp == time }) {
                vector.append(VectorSample(labels: series.labels, timestamp: time, value: point.value))
            }
        }
        let value: QueryValue
        if case .scalar = result.value {
            guard let first = vector.first else { return "the range query has no point at \(PromDuration.format(time)) [range mode]" }
            value = .scalar(timestamp: time, value: first.value)
        } else {
            value = .vector(vector)
        }
        return ResultComparison.compare(value, with: eval).map { $0 + " [range mode]" }
    }
}
