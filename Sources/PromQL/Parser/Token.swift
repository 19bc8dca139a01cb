import Model

/// The kinds of PromQL tokens.
enum TokenKind: Sendable, Hashable {
    case eof
    /// A lexer error; the token's `text` is the message.
    case error
    case identifier
    /// An identifier with a colon (`job:rate5m`), which can only name a metric.
    case metricIdentifier
    case number
    case duration
    /// A quoted string, quotes included in `text`.
    case string
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, colon
    /// `=` (label matchers only).
    case assign
    // Operators.
    case add, sub, mul, div, mod, pow
    case eqlc, neq, lss, lte, gtr, gte
    case eqlRegex, neqRegex
    case at
    case keyword(Keyword)
}

/// Words the lexer recognizes (case-insensitively) outside braces. Many may still name a
/// metric or a label; the parser decides from the context.
enum Keyword: String, Sendable, Hashable, CaseIterable {
    // Operators.
    case and, or, unless, atan2
    // Aggregators.
    case sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk
    case countValues = "count_values"
    case quantile, limitk
    case limitRatio = "limit_ratio"
    // Modifiers.
    case offset, by, without, on, ignoring, bool
    case groupLeft = "group_left"
    case groupRight = "group_right"
    case anchored, smoothed
    // Preprocessors and duration functions.
    case start, end, step, range

    var aggregateOp: AggregateOp? { AggregateOp(rawValue: rawValue) }

    var binaryOp: BinaryOp? {
        switch self {
        case .and: .and
        case .or: .or
        case .unless: .unless
        case .atan2: .atan2
        default: nil
        }
    }

    /// Prometheus's token classes, for error messages: `<op:and>`, `<aggr:sum>`, `<by>`.
    var isOperator: Bool { binaryOp != nil }
    var isAggregator: Bool { aggregateOp != nil }
    var isPreprocessor: Bool { self == .start || self == .end || self == .step || self == .range }

    /// Whether the word may stand for a metric name (Prometheus's `metric_identifier`).
    var canNameMetric: Bool {
        switch self {
        case .atan2, .on, .ignoring, .bool, .groupLeft, .groupRight: false
        default: true
        }
    }

    /// Whether the word may stand for a label in grouping lists (Prometheus's `maybe_label`).
    var canNameLabel: Bool { self != .without }

    private static let byLowercase: [String: Keyword] = {
        var table: [String: Keyword] = [:]
        for keyword in allCases { table[keyword.rawValue] = keyword }
        return table
    }()

    static func lookup(_ lowercased: String) -> Keyword? { byLowercase[lowercased] }
}

/// One token: its kind and where it is, as byte offsets into the query.
struct Token: Sendable {
    var kind: TokenKind
    var start: Int
    var end: Int
    /// The token's text; for `.error` the message.
    var text: String

    var position: PositionRange { PositionRange(start: start, end: end) }

    /// How Prometheus names the token in "unexpected …" messages: `end of input`,
    /// `<op:+>`, `<aggr:sum>`, `<by>`, `"("`, `identifier "foo"`, `number "1"`.
    var errorDescription: String {
        switch kind {
        case .eof: return "end of input"
        case .error: return text
        case .keyword(let keyword):
            if keyword.isOperator { return "<op:\(text)>" }
            if keyword.isAggregator { return "<aggr:\(text)>" }
            if keyword.isPreprocessor { return Token.shortQuoted(text) }
            return "<\(text)>"
        case .identifier: return "identifier " + GoString.quote(text)
        case .metricIdentifier: return "metric identifier " + GoString.quote(text)
        case .number: return "number " + Token.shortQuoted(text)
        case .duration: return "duration " + Token.shortQuoted(text)
        case .string: return "string " + Token.shortQuoted(text)
        case .add, .sub, .mul, .div, .mod, .pow, .eqlc, .neq, .lss, .lte, .gtr, .gte, .eqlRegex, .neqRegex, .at:
            return "<op:\(text)>"
        case .leftParen, .rightParen, .leftBrace, .rightBrace, .leftBracket, .rightBracket, .comma, .colon, .assign:
            return Token.shortQuoted(text)
        }
    }

    /// Go's `%q`, shortened to `%.10q...` for long values, as Prometheus prints items.
    static func shortQuoted(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > 10 else { return GoString.quote(text) }
        var prefix = String.UnicodeScalarView()
        prefix.append(contentsOf: scalars.prefix(10))
        return GoString.quote(String(prefix)) + "..."
    }
}
