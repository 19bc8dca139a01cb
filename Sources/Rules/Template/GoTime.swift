/// Go's `time.Time.String()` (in UTC) and `time.Duration.String()`.
enum GoTime {
    /// `t.UTC().String()`: `2006-01-02 15:04:05.999999999 +0000 UTC` with trailing zeros of the
    /// fraction (and the dot) omitted.
    static func format(nanoseconds ns: Int64) -> String {
        var seconds = ns / 1_000_000_000
        var nanos = ns % 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        var s = year(y) + "-" + pad(m, 2) + "-" + pad(d, 2) + " "
        s += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if nanos != 0 {
            var frac = pad(nanos, 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + " +0000 UTC"
    }

    private static func year(_ y: Int64) -> String {
        if y < 0 { return "-" + pad(-y, 4) }
        return pad(y, 4)
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let digits = String(v)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian calendar).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// `time.Duration.String()`: `72h3m0.5s`, `1.5ms`, `0s`.
    static func durationString(_ d: Int64) -> String {
        let negative = d < 0
        var u = d.magnitude
        var out = ""
        if u < 1_000_000_000 {
            if u == 0 { return "0s" }
            let unit: String
            let prec: Int
            if u < 1_000 {
                unit = "ns"; prec = 0
            } else if u < 1_000_000 {
                unit = "µs"; prec = 3
            } else {
                unit = "ms"; prec = 6
            }
            let (frac, whole) = fraction(u, prec)
            out = String(whole) + frac + unit
        } else {
            let (frac, whole) = fraction(u, 9)
            u = whole
            out = String(u % 60) + frac + "s"
            u /= 60
            if u > 0 {
                out = String(u % 60) + "m" + out
                u /= 60
                if u > 0 { out = String(u) + "h" + out }
            }
        }
        return negative ? "-" + out : out
    }

    /// The fraction of `v / 10^prec` (".5", without trailing zeros, empty if zero) and the quotient.
    private static func fraction(_ v: UInt64, _ prec: Int) -> (String, UInt64) {
        var p: UInt64 = 1
        for _ in 0..<prec { p *= 10 }
        guard prec > 0 else { return ("", v) }
        let f = v % p
        if f == 0 { return ("", v / p) }
        var digits = String(f)
        digits = String(repeating: "0", count: prec - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return ("." + digits, v / p)
    }
}
