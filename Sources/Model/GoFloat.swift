#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float formatting and parsing with Go's `strconv` rules, which Prometheus uses in
/// every format it writes and reads (exposition, `promtool tsdb dump`, templates).
public enum GoFloat {
    // MARK: Formatting

    /// `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits that round-trip, in
    /// `%e` form when the decimal exponent is below -4 or at least 6, exactly as Go decides, and
    /// `+Inf`, `-Inf`, `NaN` for the special values (as Prometheus writes them).
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        var out = ""
        appendShortestG(value, to: &out)
        return out
    }

    /// OpenMetrics style: like ``format(_:)`` but integral values get a `.0` (`1.0`, `2e+06`
    /// keeps its exponent), as Prometheus's OpenMetrics writer does.
    public static func formatOpenMetrics(_ value: Double) -> String {
        var s = format(value)
        if value.isFinite, !s.contains(where: { $0 == "." || $0 == "e" }) { s += ".0" }
        return s
    }

    /// `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest round-trip digits without an
    /// exponent (`1e+21` prints as `1000000000000000000000`), as PromQL's `count_values` labels.
    public static func formatFixed(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let (negative, digits, decimalPoint) = shortestDigits(value)
        var out = negative ? "-" : ""
        guard !digits.isEmpty else { return out + "0" }
        appendFixed(digits, decimalPoint: decimalPoint, to: &out)
        return out
    }

    /// Digits `0.DIGITS × 10^decimalPoint` without an exponent (`%f` with as many
    /// fractional digits as needed).
    private static func appendFixed(_ digits: [UInt8], decimalPoint: Int, to out: inout String) {
        let nd = digits.count
        if decimalPoint <= 0 {
            out += "0." + String(repeating: "0", count: -decimalPoint)
            for d in digits { out.unicodeScalars.append(Unicode.Scalar(d)) }
        } else if decimalPoint >= nd {
            for d in digits { out.unicodeScalars.append(Unicode.Scalar(d)) }
            out += String(repeating: "0", count: decimalPoint - nd)
        } else {
            for d in digits[..<decimalPoint] { out.unicodeScalars.append(Unicode.Scalar(d)) }
            out += "."
            for d in digits[decimalPoint...] { out.unicodeScalars.append(Unicode.Scalar(d)) }
        }
    }

    /// Go's `%g` with the shortest round-trip precision, for finite values.
    static func appendShortestG(_ value: Double, to out: inout String) {
        let (negative, digits, decimalPoint) = shortestDigits(value)
        if negative { out += "-" }
        guard !digits.isEmpty else {
            out += "0"
            return
        }
        let nd = digits.count
        let exp = decimalPoint - 1
        // Go decides with precision 6 when formatting the shortest digits: %e if exp < -4 || exp >= 6.
        if exp < -4 || exp >= 6 {
            // %e with nd-1 fractional digits
            out.unicodeScalars.append(Unicode.Scalar(digits[0]))
            if nd > 1 {
                out += "."
                for d in digits[1...] { out.unicodeScalars.append(Unicode.Scalar(d)) }
            }
            out += exp < 0 ? "e-" : "e+"
            let e = abs(exp)
            if e < 10 { out += "0" }
            out += String(e)
            return
        }
        // %f with max(nd - dp, 0) fractional digits
        appendFixed(digits, decimalPoint: decimalPoint, to: &out)
    }

    /// The shortest round-trip decimal digits of a finite value (ASCII, no leading or
    /// trailing zeros; empty for zero) and the decimal point position: value = 0.DIGITS × 10^point.
    static func shortestDigits(_ value: Double) -> (negative: Bool, digits: [UInt8], point: Int) {
        // Swift's description prints the shortest round-trip digits (same choice as Go).
        let text = Array(value.description.utf8)
        var i = 0
        var negative = false
        if i < text.count, text[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var point = 0
        var seenPoint = false
        var exponent = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: ".") {
                seenPoint = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                var j = i + 1
                var sign = 1
                if j < text.count, text[j] == UInt8(ascii: "-") { sign = -1; j += 1 }
                else if j < text.count, text[j] == UInt8(ascii: "+") { j += 1 }
                var e = 0
                while j < text.count { e = e * 10 + Int(text[j] &- 48); j += 1 }
                exponent = sign * e
                break
            } else {
                digits.append(c)
                if !seenPoint { point += 1 }
            }
            i += 1
        }
        point += exponent
        var lead = 0
        while lead < digits.count, digits[lead] == UInt8(ascii: "0") { lead += 1 }
        digits.removeFirst(lead)
        point -= lead
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { point = 0 }
        return (negative, digits, point)
    }
}
