import PromQL
import Model

/// Why a script is malformed: a 1-based line, an optional 1-based column, and a message.
public struct ScriptError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int?
    public var message: String

    public init(line: Int, column: Int? = nil, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `LINE[:COL]: message`.
    public var description: String {
        if let column { return "\(line):\(column): \(message)" }
        return "\(line): \(message)"
    }
}

/// Reads promqltest scripts into commands, with the rules of Prometheus's reader:
///
/// * lines are trimmed; a line starting with `#` is a comment and, like a blank line, ends
///   the block of the command above it;
/// * `load` and `eval` take the non-blank lines below them; a bare number line (a scalar
///   result) and the deprecated `expected_fail_message`/`expected_fail_regexp` lines end an
///   eval's block;
/// * an instant eval expects at most one value per series, unless an
///   `expect range vector` line says the result is a matrix.
///
/// Queries are not parsed here: the runner parses them, so a query the PromQL parser does
/// not accept yet fails its own case rather than the whole file.
public enum ScriptParser {
    public static func parse(_ text: String) throws(ScriptError) -> PromQLTestScript {
        var reader = Reader(text)
        var commands: [ScriptCommand] = []
        while let (index, line) = reader.nextNonBlank() {
            let word = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { $0.lowercased() } ?? ""
            if word == "clear" {
                commands.append(.clear(line: index + 1))
            } else if word.hasPrefix("load") {
                commands.append(.load(try parseLoad(&reader, at: index)))
            } else if word.hasPrefix("eval") {
                commands.append(.eval(try parseEval(&reader, at: index)))
            } else {
                throw ScriptError(line: index + 1, message: "invalid command \(GoString.quote(line))")
            }
        }
        return PromQLTestScript(commands: commands)
    }

    // MARK: load

    private static func parseLoad(_ reader: inout Reader, at index: Int) throws(ScriptError) -> LoadCommand {
        let line = reader.lines[index]
        let words = Words(line)
        let keyword = words.tokens.first ?? ""
        guard keyword == "load" || keyword == "load_with_nhcb", words.tokens.count == 2 else {
            throw ScriptError(line: index + 1, message: "invalid load command. (load[_with_nhcb] <step:duration>)")
        }
        let stepText = words.tokens[1]
        guard let interval = PromDuration.parse(stepText) else {
            throw ScriptError(line: index + 1, column: reader.column(of: words.offsets[1], onLine: index),
                              message: "invalid step definition \(GoString.quote(stepText)): not a valid duration")
        }
        var series: [SeriesDefinition] = []
        var byLabels: [Labels: Int] = [:]
        while let (i, text) = reader.nextInBlock() {
            let definition = try parseSeries(text, lineIndex: i, reader: reader)
            // A series given twice in one load: the last line wins, as in Prometheus.
            if let existing = byLabels[definition.labels] {
                series[existing] = definition
            } else {
                byLabels[definition.labels] = series.count
                series.append(definition)
            }
        }
        return LoadCommand(line: index + 1, interval: interval, withNHCB: keyword == "load_with_nhcb", series: series)
    }

    private static func parseSeries(_ text: String, lineIndex i: Int, reader: Reader) throws(ScriptError) -> SeriesDefinition {
        do {
            let (labels, values) = try SeriesNotation.parseLine(text)
            return SeriesDefinition(line: i + 1, labels: labels, values: values)
        } catch {
            throw ScriptError(line: i + 1, column: reader.column(of: error.column - 1, onLine: i), message: error.message)
        }
    }

    // MARK: eval

    private static func parseEval(_ reader: inout Reader, at index: Int) throws(ScriptError) -> EvalCommand {
        let line = reader.lines[index]
        let words = Words(line)
        let usage = "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered|_info] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn|_info] range from <from> to <to> step <step> <query>'"
        func fail(_ message: String, token: Int? = nil) -> ScriptError {
            ScriptError(line: index + 1, column: token.map { reader.column(of: words.offsets[$0], onLine: index) }, message: message)
        }
        let modifier: String
        switch words.tokens.first {
        case "eval": modifier = ""
        case "eval_fail": modifier = "fail"
        case "eval_warn": modifier = "warn"
        case "eval_info": modifier = "info"
        case "eval_ordered": modifier = "ordered"
        default: throw fail(usage)
        }
        var kind: EvalCommand.Kind
        let queryToken: Int
        switch words.tokens.count > 1 ? words.tokens[1] : "" {
        case "instant":
            guard words.tokens.count >= 5, words.tokens[2] == "at" else { throw fail(usage) }
            guard let at = PromDuration.parse(words.tokens[3]) else {
                throw fail("invalid timestamp definition \(GoString.quote(words.tokens[3])): not a valid duration", token: 3)
            }
            kind = .instant(at: at)
            queryToken = 4
        case "range":
            guard modifier != "ordered", words.tokens.count >= 9, words.tokens[2] == "from", words.tokens[4] == "to",
                  words.tokens[6] == "step" else { throw fail(usage) }
            guard let start = PromDuration.parse(words.tokens[3]) else {
                throw fail("invalid start timestamp definition \(GoString.quote(words.tokens[3])): not a valid duration", token: 3)
            }
            guard let end = PromDuration.parse(words.tokens[5]) else {
                throw fail("invalid end timestamp definition \(GoString.quote(words.tokens[5])): not a valid duration", token: 5)
            }
            guard end >= start else {
                throw fail("invalid test definition, end timestamp (\(words.tokens[5])) is before start timestamp (\(words.tokens[3]))", token: 5)
            }
            guard let step = PromDuration.parse(words.tokens[7]) else {
                throw fail("invalid step definition \(GoString.quote(words.tokens[7])): not a valid duration", token: 7)
            }
            kind = .range(start: start, end: end, step: step)
            queryToken = 8
        default:
            throw fail(usage)
        }
        let query = String(decoding: Array(line.utf8)[words.offsets[queryToken]...], as: UTF8.self)
        var expectations = Expectations()
        switch modifier {
        case "fail": expectations.fail = true
        case "warn": expectations.legacyWarn = true
        case "info": expectations.legacyInfo = true
        case "ordered": expectations.ordered = true
        default: break
        }
        let legacyFail = modifier == "fail"
        var series: [ExpectedSeries] = []
        var byLabels: [Labels: Int] = [:]
        var scalar: (Double, Int)?
        var failLines = 0

        while let (i, text) = reader.nextInBlock() {
            func error(_ message: String) -> ScriptError {
                ScriptError(line: i + 1, message: "error in eval \(query) (line \(index + 1)): \(message)")
            }
            if legacyFail, text.hasPrefix("expected_fail_message") {
                let message = String(text.dropFirst("expected_fail_message".count)).trimmingSpaces
                expectations.failMessages.append(try! MessageMatcher(.exact(message)))
                break
            }
            if legacyFail, text.hasPrefix("expected_fail_regexp") {
                let pattern = String(text.dropFirst("expected_fail_regexp".count)).trimmingSpaces
                do {
                    expectations.failMessages.append(try MessageMatcher(.regex(pattern)))
                } catch {
                    throw ScriptError(line: i + 1, message: "invalid regexp '\(pattern)' for expected_fail_regexp: \(error.message)")
                }
                break
            }
            if text.hasPrefix("expect range vector") {
                guard case .instant = kind else { throw error("'expect range vector' is only valid for instant queries") }
                expectations.rangeVector = try parseRangeVector(text, line: i + 1)
                continue
            }
            if text.hasPrefix("expect string") {
                expectations.string = try parseExpectedString(text, line: i + 1)
                continue
            }
            if Words(text).tokens.first == "expect" {
                try parseExpect(text, line: i + 1, into: &expectations, failLines: &failLines)
                continue
            }
            if let value = SeriesNotation.parseNumber(text) {
                scalar = (value, i + 1)
                break
            }
            let definition = try parseSeries(text, lineIndex: i, reader: reader)
            if definition.values.count > 1, case .instant = kind, expectations.rangeVector == nil {
                throw error("expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query")
            }
            let expected = ExpectedSeries(line: i + 1, position: series.count + 1, labels: definition.labels, values: definition.values)
            if let existing = byLabels[definition.labels] {
                series[existing] = expected
            } else {
                byLabels[definition.labels] = series.count
                series.append(expected)
            }
        }
        let expected: ExpectedResult = scalar.map { .scalar($0.0, line: $0.1) } ?? .series(series)
        return EvalCommand(line: index + 1, query: query, kind: kind, expectations: expectations, expected: expected)
    }

    /// `expect <fail|warn|info|no_warn|no_info|ordered> [msg|regex: <text>]`.
    private static func parseExpect(_ text: String, line: Int, into expectations: inout Expectations, failLines: inout Int) throws(ScriptError) {
        let words = Words(text)
        let format = "invalid expect statement, must match `expect <type> <match_type>: <string>` format"
        guard words.tokens.count >= 2 else { throw ScriptError(line: line, message: format) }
        let type = words.tokens[1]
        var matcher = MessageMatcher.any
        if words.tokens.count > 2 {
            let rest = String(decoding: Array(text.utf8)[words.offsets[2]...], as: UTF8.self)
            let matchType: MessageMatcher.Kind
            if rest.hasPrefix("msg:") {
                matchType = .exact(String(rest.dropFirst(4)).trimmingSpaces)
            } else if rest.hasPrefix("regex:") {
                matchType = .regex(String(rest.dropFirst(6)).trimmingSpaces)
            } else {
                throw ScriptError(line: line, message: format)
            }
            if case .exact(let m) = matchType, m.isEmpty { throw ScriptError(line: line, message: format) }
            if case .regex(let r) = matchType, r.isEmpty { throw ScriptError(line: line, message: format) }
            do {
                matcher = try MessageMatcher(matchType)
            } catch {
                throw ScriptError(line: line, message: "invalid regex \(error.pattern) for \(type): \(error.message)")
            }
        }
        switch type {
        case "fail":
            failLines += 1
            guard failLines == 1 else {
                throw ScriptError(line: line, message: "invalid expect lines, multiple expect fail lines are not allowed")
            }
            expectations.fail = true
            if matcher.kind != .any { expectations.failMessages.append(matcher) }
        case "warn":
            guard !expectations.noWarn else { throw ScriptError(line: line, message: "invalid expect lines, warn and no_warn cannot be used together") }
            expectations.warn.append(matcher)
        case "info":
            guard !expectations.noInfo else { throw ScriptError(line: line, message: "invalid expect lines, info and no_info cannot be used together") }
            expectations.info.append(matcher)
        case "no_warn":
            guard expectations.warn.isEmpty else { throw ScriptError(line: line, message: "invalid expect lines, warn and no_warn cannot be used together") }
            expectations.noWarn = true
        case "no_info":
            guard expectations.info.isEmpty else { throw ScriptError(line: line, message: "invalid expect lines, info and no_info cannot be used together") }
            expectations.noInfo = true
        case "ordered":
            expectations.ordered = true
        default:
            throw ScriptError(line: line, message: format)
        }
    }

    /// `expect range vector from <start> to <end> step <step>`.
    private static func parseRangeVector(_ text: String, line: Int) throws(ScriptError) -> RangeVectorExpectation {
        let t = Words(text).tokens
        guard t.count == 9, t[3] == "from", t[5] == "to", t[7] == "step" else {
            throw ScriptError(line: line, message: "invalid range vector definition \(GoString.quote(text)), must be 'expect range vector from <start> to <end> step <step>'")
        }
        guard let start = PromDuration.parse(t[4]) else { throw ScriptError(line: line, message: "invalid start timestamp definition \(GoString.quote(t[4]))") }
        guard let end = PromDuration.parse(t[6]) else { throw ScriptError(line: line, message: "invalid end timestamp definition \(GoString.quote(t[6]))") }
        guard end >= start else { throw ScriptError(line: line, message: "invalid test definition, end timestamp (\(t[6])) is before start timestamp (\(t[4]))") }
        guard let step = PromDuration.parse(t[8]) else { throw ScriptError(line: line, message: "invalid step definition \(GoString.quote(t[8]))") }
        return RangeVectorExpectation(start: start, end: end, step: step)
    }

    /// `expect string "…"` or `` expect string `…` ``.
    private static func parseExpectedString(_ text: String, line: Int) throws(ScriptError) -> String {
        let prefix = "expect string "
        guard text.hasPrefix(prefix), text.count > prefix.count else {
            throw ScriptError(line: line, message: "expected string literal not valid - a quoted string literal is required")
        }
        guard let value = GoUnquote.unquote(String(text.dropFirst(prefix.count)).trimmingSpaces) else {
            throw ScriptError(line: line, message: "expected string literal not valid - check that the string is correctly quoted")
        }
        return value
    }

    // MARK: Lines

    /// The script's lines, trimmed, with comments blanked; and a cursor.
    struct Reader {
        let raw: [Substring]
        let lines: [String]
        var index = -1

        init(_ text: String) {
            raw = text.split(separator: "\n", omittingEmptySubsequences: false)
            lines = raw.map { line in
                let trimmed = String(line).trimmingSpaces
                return trimmed.hasPrefix("#") ? "" : trimmed
            }
        }

        /// The next non-blank line, starting a command.
        mutating func nextNonBlank() -> (Int, String)? {
            while index + 1 < lines.count {
                index += 1
                if !lines[index].isEmpty { return (index, lines[index]) }
            }
            return nil
        }

        /// The next line of the current block, or nil at a blank line (left for the caller).
        mutating func nextInBlock() -> (Int, String)? {
            guard index + 1 < lines.count, !lines[index + 1].isEmpty else { return nil }
            index += 1
            return (index, lines[index])
        }

        /// The 1-based column in the raw line of a 0-based byte offset in the trimmed line.
        func column(of offset: Int, onLine i: Int) -> Int {
            let indent = raw[i].utf8.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }.count
            return indent + offset + 1
        }
    }

    /// Whitespace-separated words with their byte offsets.
    struct Words {
        var tokens: [String] = []
        var offsets: [Int] = []

        init(_ text: String) {
            var start: Int?
            var i = 0
            let bytes = Array(text.utf8)
            for b in bytes {
                let space = b == UInt8(ascii: " ") || b == UInt8(ascii: "\t")
                if space, let s = start {
                    tokens.append(String(decoding: bytes[s..<i], as: UTF8.self))
                    offsets.append(s)
                    start = nil
                } else if !space, start == nil {
                    start = i
                }
                i += 1
            }
            if let s = start {
                tokens.append(String(decoding: bytes[s...], as: UTF8.self))
                offsets.append(s)
            }
        }
    }
}

extension String {
    /// Without leading and trailing whitespace, as Go's `strings.TrimSpace`.
    var trimmingSpaces: String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0d) }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

/// Prometheus durations (`model.ParseDuration`): `0`, or units in decreasing order, each at
/// most once: `1y2w3d4h5m6s7ms`. A year is 365 days.
public enum PromDuration {
    private static let units: [(String, Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Milliseconds, or nil when `text` is not a duration.
    public static func parse(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var i = 0
        var nextUnit = 0
        var total: Int64 = 0
        while i < bytes.count {
            let digitsStart = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            guard i > digitsStart, let n = Int64(String(decoding: bytes[digitsStart..<i], as: UTF8.self)) else { return nil }
            let unitStart = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "a"), bytes[i] <= UInt8(ascii: "z") { i += 1 }
            let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            guard let k = units[nextUnit...].firstIndex(where: { $0.0 == unit }) else { return nil }
            nextUnit = k + 1
            let (product, overflow) = n.multipliedReportingOverflow(by: units[k].1)
            guard !overflow else { return nil }
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow2 else { return nil }
            total = sum
        }
        return total
    }

    /// `1h30m`, `50m`, `0s`, `-5m` for messages (Prometheus's `model.Duration` style).
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        if ms < 0 { return "-" + format(ms == .min ? .max : -ms) }
        var rest = ms
        var out = ""
        for (unit, size) in units where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}

/// Go's `strconv.Unquote`, which the upstream harness uses for `expect string`: PromQL's
/// string syntax, except that single quotes hold exactly one character.
enum GoUnquote {
    static func unquote(_ text: String) -> String? {
        guard let first = text.first, first == "\"" || first == "'" || first == "`",
            case .string(let literal)? = try? PromQLParser.parse(text)
        else { return nil }
        if first == "'" && literal.value.unicodeScalars.count != 1 { return nil }
        return literal.value
    }
}
