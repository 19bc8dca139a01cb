import ArgumentParser
import Foundation

/// Times and durations as Prometheus's HTTP API accepts them.
enum QueryTime {
    /// Milliseconds for Unix seconds (`1700000000`, `1700000000.5`) or an RFC 3339 time.
    static func timestamp(_ text: String, option: String) throws -> Int64 {
        if let seconds = Double(text), seconds.isFinite {
            return Int64((seconds * 1000).rounded())
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) {
            return Int64((date.timeIntervalSince1970 * 1000).rounded())
        }
        throw ValidationError("\(option): cannot parse \"\(text)\" to a valid timestamp")
    }

    /// Milliseconds for a duration (`5m`, `1h30m`, `250ms`) or a number of seconds (`30`, `1.5`).
    static func duration(_ text: String, option: String) throws -> Int64 {
        if let seconds = Double(text), seconds.isFinite {
            guard seconds >= 0 else { throw ValidationError("\(option): duration must not be negative") }
            return Int64((seconds * 1000).rounded())
        }
        if let ms = parseDuration(text) { return ms }
        throw ValidationError("\(option): cannot parse \"\(text)\" to a valid duration")
    }

    /// Prometheus's duration syntax: units y w d h m s ms, largest first, each at most once.
    static func parseDuration(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
            ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        let chars = Array(text.utf8)
        guard !chars.isEmpty else { return nil }
        var i = 0
        var total: Int64 = 0
        var nextUnit = 0
        while i < chars.count {
            var number: Int64 = 0
            let digitsStart = i
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(chars[i] - 48))
                guard !o1, !o2 else { return nil }
                number = a
                i += 1
            }
            guard i > digitsStart else { return nil }
            var unitEnd = i
            while unitEnd < chars.count, !(chars[unitEnd] >= 48 && chars[unitEnd] <= 57) { unitEnd += 1 }
            let unit = String(decoding: chars[i..<unitEnd], as: UTF8.self)
            guard let index = units.firstIndex(where: { $0.0 == unit }), index >= nextUnit else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: units[index].1)
            guard !overflow else { return nil }
            total += product
            nextUnit = index + 1
            i = unitEnd
        }
        return total
    }
}
