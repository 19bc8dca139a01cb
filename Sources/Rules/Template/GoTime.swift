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

/// The calendar fields of a UTC time, and Go's `time.Time.Format` for them.
struct GoCivilTime {
    var year: Int64, month: Int64, day: Int64
    var hour: Int64, minute: Int64, second: Int64, nanosecond: Int64
    var weekday: Int64 // 0 = Sunday
    var yearDay: Int64 // 1-based

    init(nanoseconds ns: Int64) {
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
        (year, month, day) = GoTime.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        nanosecond = nanos
        weekday = ((days % 7) + 7 + 4) % 7 // 1970-01-01 was a Thursday
        yearDay = days - GoCivilTime.days(year: year, month: 1, day: 1) + 1
    }

    /// Days since 1970-01-01 of a date (proleptic Gregorian calendar).
    static func days(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// `t.Format(layout)` for a time in UTC.
    func format(_ layout: String) -> String {
        var out = ""
        var rest = Substring(layout)
        while !rest.isEmpty {
            let (prefix, token, suffix) = GoCivilTime.nextChunk(rest)
            out += prefix
            guard let token else { break }
            rest = suffix
            out += render(token)
        }
        return out
    }

    private enum Token {
        case longMonth, month, numMonth, zeroMonth
        case longWeekDay, weekDay
        case day, underDay, zeroDay, underYearDay, zeroYearDay
        case hour, hour12, zeroHour12, minute, zeroMinute, second, zeroSecond
        case longYear, year
        case pm(upper: Bool)
        case zone(String) // rendered text for UTC
        case fraction(digits: Int, trim: Bool, separator: Character)
    }

    private func pad(_ v: Int64, _ width: Int, _ fill: Character = "0") -> String {
        let s = String(v)
        return String(repeating: fill, count: max(0, width - s.count)) + s
    }

    private func render(_ t: Token) -> String {
        switch t {
        case .longMonth: return GoCivilTime.monthNames[Int(month) - 1]
        case .month: return String(GoCivilTime.monthNames[Int(month) - 1].prefix(3))
        case .numMonth: return String(month)
        case .zeroMonth: return pad(month, 2)
        case .longWeekDay: return GoCivilTime.dayNames[Int(weekday)]
        case .weekDay: return String(GoCivilTime.dayNames[Int(weekday)].prefix(3))
        case .day: return String(day)
        case .underDay: return pad(day, 2, " ")
        case .zeroDay: return pad(day, 2)
        case .underYearDay: return pad(yearDay, 3, " ")
        case .zeroYearDay: return pad(yearDay, 3)
        case .hour: return pad(hour, 2)
        case .hour12: return String(hour % 12 == 0 ? 12 : hour % 12)
        case .zeroHour12: return pad(hour % 12 == 0 ? 12 : hour % 12, 2)
        case .minute: return String(minute)
        case .zeroMinute: return pad(minute, 2)
        case .second: return String(second)
        case .zeroSecond: return pad(second, 2)
        case .longYear: return year < 0 ? "-" + pad(-year, 4) : pad(year, 4)
        case .year: return pad(((year % 100) + 100) % 100, 2)
        case .pm(let upper): return hour >= 12 ? (upper ? "PM" : "pm") : (upper ? "AM" : "am")
        case .zone(let text): return text
        case .fraction(let digits, let trim, let separator):
            var f = pad(nanosecond, 9)
            f = String(f.prefix(digits))
            if trim {
                while f.hasSuffix("0") { f.removeLast() }
                if f.isEmpty { return "" }
            }
            return String(separator) + f
        }
    }

    /// Go's `nextStdChunk`: the text before the first layout element, the element, the rest.
    private static func nextChunk(_ layout: Substring) -> (Substring, Token?, Substring) {
        let b = Array(layout.utf8)
        func has(_ i: Int, _ s: String) -> Bool {
            let t = Array(s.utf8)
            return i + t.count <= b.count && Array(b[i..<(i + t.count)]) == t
        }
        func split(_ i: Int, _ n: Int, _ t: Token) -> (Substring, Token?, Substring) {
            let start = layout.utf8.index(layout.startIndex, offsetBy: i)
            let end = layout.utf8.index(start, offsetBy: n)
            return (layout[..<start], t, layout[end...])
        }
        func lowerAt(_ i: Int) -> Bool { i < b.count && b[i] >= UInt8(ascii: "a") && b[i] <= UInt8(ascii: "z") }
        func digitAt(_ i: Int) -> Bool { i < b.count && b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") }
        var i = 0
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "J"):
                if has(i, "Jan") {
                    if has(i, "January") { return split(i, 7, .longMonth) }
                    if !lowerAt(i + 3) { return split(i, 3, .month) }
                }
            case UInt8(ascii: "M"):
                if has(i, "Mon") {
                    if has(i, "Monday") { return split(i, 6, .longWeekDay) }
                    if !lowerAt(i + 3) { return split(i, 3, .weekDay) }
                }
                if has(i, "MST") { return split(i, 3, .zone("UTC")) }
            case UInt8(ascii: "0"):
                if i + 1 < b.count, b[i + 1] >= UInt8(ascii: "1"), b[i + 1] <= UInt8(ascii: "6") {
                    let tokens: [Token] = [.zeroMonth, .zeroDay, .zeroHour12, .zeroMinute, .zeroSecond, .year]
                    return split(i, 2, tokens[Int(b[i + 1] - UInt8(ascii: "1"))])
                }
                if has(i, "002") { return split(i, 3, .zeroYearDay) }
            case UInt8(ascii: "1"):
                if has(i, "15") { return split(i, 2, .hour) }
                return split(i, 1, .numMonth)
            case UInt8(ascii: "2"):
                if has(i, "2006") { return split(i, 4, .longYear) }
                return split(i, 1, .day)
            case UInt8(ascii: "_"):
                if has(i, "_2") {
                    if has(i + 1, "2006") { return split(i + 1, 4, .longYear) }
                    return split(i, 2, .underDay)
                }
                if has(i, "__2") { return split(i, 3, .underYearDay) }
            case UInt8(ascii: "3"): return split(i, 1, .hour12)
            case UInt8(ascii: "4"): return split(i, 1, .minute)
            case UInt8(ascii: "5"): return split(i, 1, .second)
            case UInt8(ascii: "P"):
                if has(i, "PM") { return split(i, 2, .pm(upper: true)) }
            case UInt8(ascii: "p"):
                if has(i, "pm") { return split(i, 2, .pm(upper: false)) }
            case UInt8(ascii: "-"):
                if has(i, "-070000") { return split(i, 7, .zone("+000000")) }
                if has(i, "-07:00:00") { return split(i, 9, .zone("+00:00:00")) }
                if has(i, "-0700") { return split(i, 5, .zone("+0000")) }
                if has(i, "-07:00") { return split(i, 6, .zone("+00:00")) }
                if has(i, "-07") { return split(i, 3, .zone("+00")) }
            case UInt8(ascii: "Z"):
                if has(i, "Z070000") { return split(i, 7, .zone("Z")) }
                if has(i, "Z07:00:00") { return split(i, 9, .zone("Z")) }
                if has(i, "Z0700") { return split(i, 5, .zone("Z")) }
                if has(i, "Z07:00") { return split(i, 6, .zone("Z")) }
                if has(i, "Z07") { return split(i, 3, .zone("Z")) }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "0") || b[i + 1] == UInt8(ascii: "9") {
                    let ch = b[i + 1]
                    var j = i + 1
                    while j < b.count && b[j] == ch { j += 1 }
                    if !digitAt(j) {
                        let separator: Character = b[i] == UInt8(ascii: ".") ? "." : ","
                        let digits = min(j - (i + 1), 9)
                        return split(i, j - i, .fraction(digits: digits, trim: ch == UInt8(ascii: "9"), separator: separator))
                    }
                }
            default:
                break
            }
            i += 1
        }
        return (layout, nil, "")
    }
}

extension GoTime {
    /// `time.Month.String()` and `time.Weekday.String()`.
    static func name(of v: GoValue) -> String {
        switch v {
        case .month(let m):
            if m >= 1 && m <= 12 { return GoCivilTime.monthNames[m - 1] }
            return "%!Month(\(m))"
        case .weekday(let d):
            if d >= 0 && d <= 6 { return GoCivilTime.dayNames[d] }
            return "%!Weekday(\(d))"
        default:
            return ""
        }
    }
}
