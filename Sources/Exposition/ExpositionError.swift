import Model

/// A parse or validation error in an exposition, with the place it was found.
public struct ExpositionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number.
    public let line: Int
    /// 1-based column (in characters) where the problem starts.
    public let column: Int
    public let reason: Reason

    public init(line: Int, column: Int, reason: Reason) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `LINE:COLUMN: message`
    public var description: String { "\(line):\(column): \(reason)" }

    /// What went wrong.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The syntax did not allow what was found here.
        case unexpected(found: String, expected: String)
        case invalidValue(String)
        case invalidTimestamp(String)
        case invalidUTF8
        case duplicateLabel(String)
        case invalidMetricType(String)
        case invalidUnit(family: String, unit: String, why: String)
        case exemplarTooLong(characters: Int)
        case missingEOF
        case contentAfterEOF
        case nullByte
        /// A rule of the format's data model (ordering, histogram structure, value ranges) was broken.
        case semantic(String)

        public var description: String {
            switch self {
            case let .unexpected(found, expected): return "expected \(expected), found \(found)"
            case let .invalidValue(text): return "invalid value \(quoteForMessage(text)): expected a float such as 1, -2.5e3, +Inf or NaN"
            case let .invalidTimestamp(text): return "invalid timestamp \(quoteForMessage(text))"
            case .invalidUTF8: return "invalid UTF-8"
            case let .duplicateLabel(name): return "duplicate label name \(quoteForMessage(name))"
            case let .invalidMetricType(word): return "invalid metric type \(quoteForMessage(word))"
            case let .invalidUnit(family, unit, why): return "invalid unit \(quoteForMessage(unit)) for metric family \(quoteForMessage(family)): \(why)"
            case let .exemplarTooLong(n): return "exemplar label set has \(n) characters; at most 128 are allowed"
            case .missingEOF: return "unexpected end of input: expected \"# EOF\" as the last line"
            case .contentAfterEOF: return "unexpected content after \"# EOF\""
            case .nullByte: return "unexpected NUL byte"
            case let .semantic(message): return message
            }
        }
    }
}

/// A value as messages show it: Go-quoted (as Prometheus quotes in its errors), long
/// values cut short.
func quoteForMessage(_ s: String) -> String {
    let limit = 60
    return GoString.quote(s.count > limit ? String(s.prefix(limit)) + "…" : s)
}
