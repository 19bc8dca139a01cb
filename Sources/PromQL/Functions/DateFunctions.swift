import Model

/// `year`, `month`, `day_of_month`, `day_of_week`, `day_of_year`, `days_in_month`, `hour`
/// and `minute` of Unix times, in UTC.
enum DateFunctions {
    static let names: Set<String> = [
        "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year",
    ]

    /// With no argument, the field of the evaluation time as one sample without labels;
    /// otherwise the field of each sample's value (seconds, truncated), which drops the
    /// metric name.
    static func evaluate(_ name: String, vector: Vector?, at time: Int64) -> Vector {
        guard let vector else {
            // Go's `enh.Ts / 1000` truncates towards zero.
            return [VectorSample(labels: .empty, timestamp: time, value: field(name, unixSeconds: time / 1000))]
        }
        var out: Vector = []
        out.reserveCapacity(vector.count)
        for sample in vector {
            let value = field(name, unixSeconds: goInt64(sample.value))
            out.append(VectorSample(labels: sample.labels, timestamp: time, value: value, dropName: true))
        }
        return out
    }

    /// Go's `int64(f)` on amd64: truncation towards zero, and the "integer indefinite"
    /// minimum for NaN and out-of-range values.
    static func goInt64(_ value: Double) -> Int64 {
        if value.isNaN || value >= 9_223_372_036_854_775_808.0 || value < -9_223_372_036_854_775_808.0 {
            return Int64.min
        }
        return Int64(value)
    }

    /// The calendar field `name` of a Unix time in seconds, UTC.
    static func field(_ name: String, unixSeconds: Int64) -> Double {
        let (days, secondOfDay) = floorDivision(unixSeconds, 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        switch name {
        case "year": return Double(date.year)
        case "month": return Double(date.month)
        case "day_of_month": return Double(date.day)
        case "day_of_week": return Double(floorDivision(days + 4, 7).remainder)  // 1970-01-01 was a Thursday.
        case "day_of_year": return Double(days - CivilDate.daysSinceEpoch(year: date.year, month: 1, day: 1) + 1)
        case "days_in_month": return Double(CivilDate.daysInMonth(year: date.year, month: date.month))
        case "hour": return Double(secondOfDay / 3600)
        case "minute": return Double(secondOfDay % 3600 / 60)
        default: return .nan
        }
    }

    /// Quotient and non-negative remainder.
    static func floorDivision(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = a / b
        var r = a % b
        if r < 0 {
            q -= 1
            r += b
        }
        return (q, r)
    }
}

/// A proleptic Gregorian date (Howard Hinnant's days-from-civil algorithms).
struct CivilDate: Equatable {
    var year: Int64
    var month: Int64
    var day: Int64

    init(year: Int64, month: Int64, day: Int64) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
