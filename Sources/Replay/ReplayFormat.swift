import Model

/// Deterministic renderings of times, durations and values shared by the text and JSON
/// reports (no locale, no time zone but UTC, no wall clock).
enum ReplayFormat {
    /// Unix seconds with millisecond precision and no trailing zeros: `1700000000`, `1700000000.25`.
    static func seconds(_ ms: Int64) -> String {
        let negative = ms < 0
        let abs = ms.magnitude
        var out = (negative ? "-" : "") + String(abs / 1000)
        let fraction = abs % 1000
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            out += "." + digits
        }
        return out
    }

    /// RFC 3339 in UTC: `2024-05-01T12:00:00Z`, with `.123` when the time has milliseconds.
    static func time(_ ms: Int64) -> String {
        let seconds = floorDivide(ms, 1000)
        let millis = ms - seconds * 1000
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = "\(y)-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if millis != 0 {
            let text = String(millis)
            out += "." + String(repeating: "0", count: 3 - text.count) + text
        }
        return out + "Z"
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// A duration as Prometheus prints one: `1d2h3m4s`, `500ms`, `0s`.
    static func duration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms.magnitude
        var out = ms < 0 ? "-" : ""
        let units: [(String, UInt64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        for (name, size) in units where rest >= size {
            out += "\(rest / size)\(name)"
            rest %= size
        }
        return out
    }

    /// A value as Prometheus prints it (Go's shortest `%g`).
    static func value(_ v: Double) -> String { GoFloat.format(v) }
}
