/// One problem found in a rule file: where, and what.
public struct RuleFileDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file, as its path was given.
    public var file: String
    /// The place in the file; nil for problems with the whole file (it cannot be read).
    public var location: SourceLocation?
    /// The message, without the place (`group "g", rule 2, "HighLatency": …`).
    public var message: String

    public init(file: String, location: SourceLocation?, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COLUMN: MESSAGE`, or `FILE: MESSAGE` without a place.
    public var description: String {
        if let location { return "\(location): \(message)" }
        return "\(file): \(message)"
    }
}

/// Why rule files did not load: every problem found, in the order of the files and, within a
/// file, group by group and rule by rule. A loader that throws this has produced nothing.
public struct RuleFileError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [RuleFileDiagnostic]

    public init(diagnostics: [RuleFileDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic a line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
