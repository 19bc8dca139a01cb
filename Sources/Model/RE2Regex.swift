internal import CRE2

/// A regular expression that failed to compile, with RE2's own explanation.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pattern as given.
    public let pattern: String
    /// RE2's error message, e.g. `missing ): (a`.
    public let message: String

    public init(pattern: String, message: String) {
        self.pattern = pattern
        self.message = message
    }

    public var description: String { message }
}

/// A compiled RE2 regular expression (Debian's libre2, through the CRE2 shim).
///
/// RE2 is the engine behind Go's `regexp` syntax that Prometheus uses: it runs in time
/// linear in the input (no catastrophic backtracking) and accepts the same Perl-like syntax
/// (`\d`, `[[:alpha:]]`, `(?i)`, non-greedy repeats, …). Patterns are compiled with `.`
/// matching `\n`, as Prometheus 3 compiles label matchers (`(?s:…)`).
///
/// Instances are immutable after compilation and RE2's matching functions are thread-safe,
/// so one instance may be shared freely across tasks and threads.
public final class RE2Regex: @unchecked Sendable {
    /// The pattern as given to ``init(_:)``.
    public let pattern: String
    private let re: OpaquePointer

    /// Compiles `pattern`. Throws a ``RegexError`` carrying RE2's message when the pattern
    /// is invalid (or too large for RE2's memory budget).
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        var source = pattern
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        let compiled: OpaquePointer? = source.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                cre2_compile(chars.baseAddress, chars.count, &errorMessage)
            }
        }
        guard let compiled else {
            var message = "invalid regular expression"
            if let errorMessage {
                message = String(cString: errorMessage)
                cre2_free_error(errorMessage)
            }
            throw RegexError(pattern: pattern, message: message)
        }
        if let errorMessage { cre2_free_error(errorMessage) }
        self.re = compiled
    }

    deinit {
        cre2_release(re)
    }

    /// Whether the whole of `s` matches (the pattern is implicitly anchored at both ends).
    ///
    /// Works on the string's UTF-8 bytes in place: no copy or allocation when `s` is a native
    /// Swift string.
    public func fullMatch(_ s: String) -> Bool {
        var text = s
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                cre2_full_match(re, chars.baseAddress, chars.count) != 0
            }
        }
    }
}
