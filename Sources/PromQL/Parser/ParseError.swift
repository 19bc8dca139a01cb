/// Why a query does not parse or type-check, with where.
///
/// Prints as Prometheus does: `LINE:COL: parse error: MESSAGE`, the column 1-based and
/// counted in bytes from the start of the line, as Prometheus counts.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var position: PositionRange
    public var message: String
    /// The query text the position refers to.
    public var query: String

    public init(position: PositionRange, message: String, query: String) {
        self.position = position
        self.message = message
        self.query = query
    }

    public var description: String {
        "\(position.startLineColumn(in: query)): parse error: \(message)"
    }
}

extension PositionRange {
    /// `LINE:COL` of `start` in `query` (both 1-based), as Prometheus prints positions in
    /// errors and annotations.
    public func startLineColumn(in query: String) -> String {
        let bytes = Array(query.utf8)
        let end = Swift.min(Swift.max(start, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        // Prometheus counts bytes (Go string indexes), so a column after multi-byte
        // characters is their byte count.
        let column = end - lineStart + 1
        return "\(line):\(column)"
    }

    /// `(LINE:COL)`, the suffix of Prometheus's warning and info annotations.
    public func annotationSuffix(in query: String) -> String {
        "(\(startLineColumn(in: query)))"
    }
}
