/// How a ``LabelMatcher`` compares a label value, spelled as in PromQL selectors.
public enum MatchType: String, Sendable, CaseIterable {
    /// `=`: the value equals the matcher's value.
    case equal = "="
    /// `!=`: the value differs from the matcher's value.
    case notEqual = "!="
    /// `=~`: the whole value matches the regular expression.
    case regexMatch = "=~"
    /// `!~`: the whole value does not match the regular expression.
    case regexNoMatch = "!~"

    /// Whether the matcher's value is a regular expression.
    public var isRegex: Bool { self == .regexMatch || self == .regexNoMatch }

    /// Whether the matcher selects values that do not match (`!=`, `!~`).
    public var isNegative: Bool { self == .notEqual || self == .regexNoMatch }
}

/// Why a ``LabelMatcher`` could not be created.
public enum LabelMatcherError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The regular expression of an `=~` or `!~` matcher does not compile; `message` is RE2's.
    case invalidRegex(label: String, pattern: String, message: String)

    /// E.g. `invalid regular expression "(a" for label "job": missing ): (a`.
    public var description: String {
        switch self {
        case .invalidRegex(let label, let pattern, let message):
            return "invalid regular expression \(GoString.quote(pattern)) for label \(GoString.quote(label)): \(message)"
        }
    }
}

/// One label matcher of a selector, such as `job="api"` or `path=~"/v1/.*"`.
///
/// Semantics follow Prometheus 3:
/// - Values compare as UTF-8 bytes (as Go does), not by Swift's canonical equivalence.
/// - Regular expressions use RE2 syntax and are fully anchored, as if written
///   `^(?s:PATTERN)$`: `=~"a"` does not match `"ba"`, and `.` matches `\n`.
/// - A missing label is matched as the empty string by the caller; ``matchesEmpty`` tells
///   whether that selects series without the label.
///
/// Regexes are compiled once, at creation, and common shapes (`.*`, literals, `a|b`,
/// `foo.*`, …) are answered without running RE2 (see ``RegexMatcher``).
///
/// Equality and hashing consider only `(type, name, value)`.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// How the value is compared.
    public let type: MatchType
    /// The label name.
    public let name: String
    /// The literal value or the regular expression, as written (unquoted).
    public let value: String
    /// The compiled matcher, for regex types only.
    let regex: RegexMatcher?

    /// Creates a matcher. Only the regex types can throw: ``LabelMatcherError/invalidRegex(label:pattern:message:)``
    /// with RE2's message when `value` is not a valid RE2 pattern.
    public init(_ type: MatchType, _ name: String, _ value: String) throws(LabelMatcherError) {
        self.type = type
        self.name = name
        self.value = value
        if type.isRegex {
            do {
                regex = try RegexMatcher(value)
            } catch {
                throw .invalidRegex(label: name, pattern: value, message: error.message)
            }
        } else {
            regex = nil
        }
    }

    /// An `=` matcher (cannot fail).
    public static func equal(_ name: String, _ value: String) -> LabelMatcher {
        LabelMatcher(type: .equal, name: name, value: value)
    }

    /// A `!=` matcher (cannot fail).
    public static func notEqual(_ name: String, _ value: String) -> LabelMatcher {
        LabelMatcher(type: .notEqual, name: name, value: value)
    }

    private init(type: MatchType, name: String, value: String) {
        self.type = type
        self.name = name
        self.value = value
        self.regex = nil
    }

    /// Whether a label value satisfies this matcher. Pass "" for a missing label.
    public func matches(_ value: String) -> Bool {
        switch type {
        case .equal: return UTF8Bytes.equal(value, self.value)
        case .notEqual: return !UTF8Bytes.equal(value, self.value)
        case .regexMatch: return regex?.matches(value) ?? false
        case .regexNoMatch: return !(regex?.matches(value) ?? false)
        }
    }

    /// Whether this matcher matches the empty string, i.e. also selects series that lack the
    /// label (Prometheus treats a missing label as ""). A selector whose matchers all match
    /// "" would select every series; Prometheus rejects such selectors.
    public var matchesEmpty: Bool { matches("") }

    /// The finite set of values this matcher accepts, when it is an `=` matcher (one value) or
    /// an `=~` matcher whose pattern is a literal or an alternation of literals (like
    /// Prometheus's `SetMatches()`); nil otherwise, including for negative matchers and
    /// case-insensitive patterns. Lets the index look values up directly instead of scanning.
    public var setMatches: [String]? {
        switch type {
        case .equal: return [value]
        case .regexMatch: return regex?.setMatches
        case .notEqual, .regexNoMatch: return nil
        }
    }

    /// As Prometheus prints matchers: `job="api"`, `path=~"/v1/.*"`, values quoted as Go
    /// quotes strings, and the name quoted when it is not a legacy-valid label name
    /// (`"http.status"="200"`).
    public var description: String {
        let quotedName = MetricNames.isValidLegacyLabelName(name) ? name : GoString.quote(name)
        return quotedName + type.rawValue + GoString.quote(value)
    }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        // Byte equality, consistent with matching; String's hash agrees with it.
        lhs.type == rhs.type && UTF8Bytes.equal(lhs.name, rhs.name) && UTF8Bytes.equal(lhs.value, rhs.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(name)
        hasher.combine(value)
    }
}
