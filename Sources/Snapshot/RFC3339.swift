import Foundation

/// A time in milliseconds since the epoch as RFC 3339 in UTC with milliseconds
/// (`2026-11-02T14:00:00.000Z`), as snapshot messages and reports print times.
public func formatRFC3339(milliseconds ms: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
}
