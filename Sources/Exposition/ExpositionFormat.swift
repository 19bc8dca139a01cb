/// The text exposition formats Hindsight reads and writes.
public enum ExpositionFormat: String, Sendable, CaseIterable, Hashable {
    /// The Prometheus text format, version 0.0.4.
    case text
    /// OpenMetrics 1.0 text.
    case openMetrics = "openmetrics"

    /// The `Content-Type` Hindsight sends when it writes this format.
    public var contentType: String {
        switch self {
        case .text: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The `Accept` header a scraper sends to prefer OpenMetrics and take the text format too
    /// (the order Prometheus uses).
    public static let acceptHeader =
        "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.1"

    /// Picks the format from an HTTP `Content-Type` header, as Prometheus does:
    /// `application/openmetrics-text` (versions 0.0.1 and 1.0.0) is OpenMetrics,
    /// `text/plain` (version 0.0.4 or none) is the text format. Returns nil for a
    /// missing, malformed or unsupported type (protobuf, an unknown version), so the
    /// caller can fail the scrape or apply its configured fallback.
    public init?(contentType header: String?) {
        guard let header else { return nil }
        let parts = header.split(separator: ";", omittingEmptySubsequences: false)
        guard let rawMediaType = parts.first else { return nil }
        let mediaType = rawMediaType.trimmingBlanks().lowercased()
        var version: String?
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingBlanks().lowercased()
            var value = pair[1].trimmingBlanks()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            if key == "version" { version = value }
        }
        switch mediaType {
        case "application/openmetrics-text":
            guard version == nil || version == "1.0.0" || version == "0.0.1" else { return nil }
            self = .openMetrics
        case "text/plain":
            guard version == nil || version == "0.0.4" else { return nil }
            self = .text
        default:
            return nil
        }
    }

    /// A parser for `bytes` in this format.
    public func makeParser(_ bytes: [UInt8]) -> any ExpositionParser {
        switch self {
        case .text: return TextParser(bytes)
        case .openMetrics: return OpenMetricsParser(bytes)
        }
    }
}

extension Substring {
    func trimmingBlanks() -> String {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
