/// A pull parser over one exposition: call ``next()`` until it returns nil.
///
/// Errors are thrown as ``ExpositionError`` with line and column; after an error the
/// parser should not be used further.
public protocol ExpositionParser {
    /// The next entry, or nil at the end of the input.
    mutating func next() throws(ExpositionError) -> ExpositionEntry?
    /// The 1-based line of the entry last returned.
    var line: Int { get }
}

extension ExpositionParser {
    /// Reads every entry; convenient for tests and small inputs.
    public mutating func readAll() throws(ExpositionError) -> [ExpositionEntry] {
        var entries: [ExpositionEntry] = []
        while let entry = try next() { entries.append(entry) }
        return entries
    }
}
