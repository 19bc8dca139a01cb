#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GoFloat {
    /// Parses a float with the decimal syntax Go's `strconv.ParseFloat` accepts and
    /// Prometheus allows in its formats: `[+-]digits[.digits][e[+-]digits]`, `.5`, `5.`,
    /// `[+-]Inf`/`[+-]Infinity` and `NaN` in any case. Hex floats and `_` separators are
    /// rejected, as Prometheus rejects them. Returns nil when the text is not such a number.
    ///
    /// Works on bytes without allocating: most values take an exact fast path, the rest
    /// go through the C library's correctly rounded `strtod`.
    @inlinable
    public static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        parseBytes(text)
    }

    /// String convenience for ``parse(_:)-(UnsafeBufferPointer<UInt8>)``.
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parseBytes($0) }
    }

    @usableFromInline
    static func parseBytes(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = s.count
        if n == 0 { return nil }
        var i = 0
        var negative = false
        let first = s[0]
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            i = 1
            if i == n { return nil }
        }
        let c = s[i] | 0x20
        if c == UInt8(ascii: "i") {
            if matchesIgnoringCase(s, from: i, "inf") || matchesIgnoringCase(s, from: i, "infinity") {
                return negative ? -.infinity : .infinity
            }
            return nil
        }
        if c == UInt8(ascii: "n") {
            if i == 0, matchesIgnoringCase(s, from: 0, "nan") { return normalNaN }
            return nil
        }
        // Mantissa: digits, optional point, digits.
        var mantissa: UInt64 = 0
        var significant = 0        // significant digits accumulated into mantissa
        var dropped = false        // digits beyond what mantissa can hold exactly
        var decimalExponent = 0
        var sawDigit = false
        var sawPoint = false
        while i < n {
            let b = s[i]
            if b >= 0x30 && b <= 0x39 {
                sawDigit = true
                if mantissa == 0 && b == 0x30 {
                    if sawPoint { decimalExponent -= 1 }
                } else if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(b &- 0x30)
                    significant += 1
                    if sawPoint { decimalExponent -= 1 }
                } else {
                    if b != 0x30 { dropped = true }
                    if !sawPoint { decimalExponent += 1 }
                }
            } else if b == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        if !sawDigit { return nil }
        if i < n {
            let e = s[i]
            guard e == UInt8(ascii: "e") || e == UInt8(ascii: "E") else { return nil }
            i += 1
            var expNegative = false
            if i < n, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                expNegative = s[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n else { return nil }
            var exp = 0
            while i < n {
                let b = s[i]
                guard b >= 0x30 && b <= 0x39 else { return nil }
                if exp < 100_000 { exp = exp * 10 + Int(b &- 0x30) }
                i += 1
            }
            decimalExponent += expNegative ? -exp : exp
        }
        // Clinger's fast path: an exactly representable mantissa and power of ten give one rounding.
        if !dropped && mantissa <= (1 << 53) && decimalExponent >= -22 && decimalExponent <= 22 {
            var v = Double(mantissa)
            if decimalExponent >= 0 {
                v *= powersOfTen[decimalExponent]
            } else {
                v /= powersOfTen[-decimalExponent]
            }
            return negative ? -v : v
        }
        if mantissa == 0 && !dropped { return negative ? -0.0 : 0.0 }
        return slowParse(s)
    }

    @usableFromInline
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Correctly rounded conversion through `strtod` for the inputs the fast path cannot take.
    /// The syntax was already checked, so strtod sees a plain decimal number.
    static func slowParse(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: s.count + 1) { buffer in
            for (k, b) in s.enumerated() { buffer[k] = CChar(bitPattern: b) }
            buffer[s.count] = 0
            guard let base = buffer.baseAddress else { return nil }
            return strtod(base, nil)
        }
    }

    @usableFromInline
    static func matchesIgnoringCase(_ s: UnsafeBufferPointer<UInt8>, from start: Int, _ word: StaticString) -> Bool {
        guard s.count - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount where (s[start + k] | 0x20) != w[k] {
            return false
        }
        return true
    }
}
