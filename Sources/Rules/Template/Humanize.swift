import Model

/// Prometheus's number formatting template functions (`humanize*`, `toTime`, `toDuration`),
/// with `fmt`'s `%.4g` and Go's time formatting.
enum Humanize {
    /// Prometheus's `convertToFloat`: float64, int, a `time.Duration`, or a string parsed by
    /// `strconv.ParseFloat`.
    static func convertToFloat(_ v: GoValue) throws(FunctionError) -> Double {
        switch v.unboxed {
        case .float(let f): return f
        case .int(let i): return Double(i)
        case .int64(let i): return Double(i)
        case .duration(let ns, false): return durationSeconds(ns)
        case .string(let s):
            switch GoStrconv.parseFloat(s) {
            case .success(let f): return f
            case .failure(let e): throw FunctionError("strconv.ParseFloat: parsing \(GoQuote.quote(s)): \(e.text)")
            }
        case let u:
            throw FunctionError("can't convert \(u.typeName) to float")
        }
    }

    /// `time.Duration.Seconds()`.
    static func durationSeconds(_ ns: Int64) -> Double {
        let sec = ns / 1_000_000_000
        let nsec = ns % 1_000_000_000
        return Double(sec) + Double(nsec) / 1e9
    }

    /// `fmt.Sprintf("%.4g", v)`: without flags or width, fmt prints strconv's text.
    static func g4(_ v: Double) -> String { GoFloatFormat.format(v, verb: "g", precision: 4) }

    static func humanize(_ input: GoValue) throws(FunctionError) -> String {
        var v = try convertToFloat(input)
        if v == 0 || v.isNaN || v.isInfinite { return g4(v) }
        if abs(v) >= 1 {
            var prefix = ""
            for p in Self.largePrefixes {
                if abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
            return g4(v) + prefix
        }
        var prefix = ""
        for p in Self.smallPrefixes {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix
    }

    static func humanize1024(_ input: GoValue) throws(FunctionError) -> String {
        var v = try convertToFloat(input)
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return g4(v) }
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(v) < 1024 { break }
            prefix = p
            v /= 1024
        }
        return g4(v) + prefix
    }

    /// SI prefixes, from kilo up and from milli down.
    private static let largePrefixes = ["k", "M", "G", "T", "P", "E", "Z", "Y"]
    private static let smallPrefixes = ["m", "u", "n", "p", "f", "a", "z", "y"]

    static func humanizeDuration(_ input: GoValue) throws(FunctionError) -> String {
        var v = try convertToFloat(input)
        if v.isNaN || v.isInfinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            let duration = v >= 9.223372036854775807e18 ? Int64.min : Int64(v)
            let seconds = duration % 60
            let minutes = (duration / 60) % 60
            let hours = (duration / 60 / 60) % 24
            let days = duration / 60 / 60 / 24
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(v) + "s"
        }
        var prefix = ""
        for p in Self.smallPrefixes {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }

    static func humanizePercentage(_ input: GoValue) throws(FunctionError) -> String {
        let v = try convertToFloat(input)
        return GoPrinter.sprintf("%.4g%%", [.value(.float(v * 100))])
    }

    static func humanizeTimestamp(_ input: GoValue) throws(FunctionError) -> String {
        let v = try convertToFloat(input)
        if v.isNaN || v.isInfinite { return g4(v) }
        return GoTime.format(nanoseconds: try timestampNanoseconds(v))
    }

    /// Prometheus's `FloatToTime`: seconds to a time, truncated to milliseconds (it goes through
    /// `model.TimeFromUnixNano`); NaN, ±Inf and values beyond int64 nanoseconds are errors.
    static func timestampNanoseconds(_ v: Double) throws(FunctionError) -> Int64 {
        if v.isNaN || v.isInfinite { throw FunctionError("value is NaN or Inf") }
        let ns = v * 1e9
        if ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18 {
            throw FunctionError("\(GoFloat.formatValue(v)) cannot be represented as a nanoseconds timestamp since it overflows int64")
        }
        let nanos = ns >= 9.223372036854775807e18 ? Int64.min : Int64(ns)
        let ms = nanos / 1_000_000
        return ms * 1_000_000
    }

    /// `toDuration`: seconds to a `time.Duration`.
    static func durationNanoseconds(_ v: Double) throws(FunctionError) -> Int64 {
        if v.isNaN || v.isInfinite { throw FunctionError("value is NaN or Inf") }
        let ns = v * 1e9
        if ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18 {
            throw FunctionError("\(GoFloat.formatValue(v)) cannot be represented as a nanoseconds duration since it overflows int64")
        }
        return ns >= 9.223372036854775807e18 ? Int64.min : Int64(ns)
    }
}

extension GoFloat {
    /// `fmt.Sprint(v)` of a float64.
    static func formatValue(_ v: Double) -> String { GoFloat.format(v) }
}
