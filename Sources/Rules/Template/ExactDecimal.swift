/// C's `%.Nf` and `%.Ng` (what Go's fmt prints for them) for the values alert templates
/// usually format, computed exactly in integers instead of through `vsnprintf`: the double is
/// scaled by a power of ten with a 128-bit product and rounded half to even, as glibc rounds
/// the exact binary value. Values out of the covered range give nil, for printf to handle.
enum ExactDecimal {
    private static let powersOfTen: [UInt64] = (0...19).map { n in (0..<n).reduce(1) { r, _ in r * 10 } }

    /// `%.<precision>f` of `v`, or nil when `v` is not finite or `|v| × 10^precision` is not
    /// below 10^18.
    static func fixed(_ v: Double, precision: Int) -> String? {
        guard v.isFinite, precision >= 0, precision <= 17, let q = scaled(v.magnitude, by: precision) else { return nil }
        return digits(q, negative: v.sign == .minus, decimals: precision, trimZeros: false)
    }

    /// `%.<precision>g` of `v`, or nil unless `v` is finite, non-zero and prints without an
    /// exponent (its decimal exponent X after rounding satisfies precision > X ≥ -4).
    static func general(_ v: Double, precision: Int) -> String? {
        guard v.isFinite, v != 0, precision >= 0, precision <= 17 else { return nil }
        let p = max(precision, 1)
        let a = v.magnitude
        guard a >= 1e-5, a < 1e17 else { return nil }
        // The decimal exponent X of `a` rounded to p significant digits: the one for which
        // the rounded value scaled by 10^(p-1-X) has exactly p digits.
        var x = Int(a.log10Estimate.rounded(.down))
        for _ in 0..<4 {
            guard x < p, x >= -4 else { return nil }
            let decimals = p - 1 - x
            guard decimals <= 17, let q = scaled(a, by: decimals) else { return nil }
            if q >= powersOfTen[p] {
                x += 1
            } else if q < powersOfTen[p - 1] {
                x -= 1
            } else {
                return digits(q, negative: v.sign == .minus, decimals: decimals, trimZeros: true)
            }
        }
        return nil
    }

    /// `a × 10^n` rounded to an integer, half to even, or nil when it may reach 10^18.
    private static func scaled(_ a: Double, by n: Int) -> UInt64? {
        guard a * Double(powersOfTen[n]) < 1e18 else { return nil }
        if a == 0 { return 0 }
        // a = m × 2^e exactly.
        let m: UInt64, e: Int
        if a.exponentBitPattern == 0 {
            m = a.significandBitPattern
            e = -1074
        } else {
            m = (1 << 52) | a.significandBitPattern
            e = Int(a.exponentBitPattern) - 1075
        }
        if e >= 0 { return (m << e) * powersOfTen[n] }  // an integer below 10^18
        let (hi, lo) = m.multipliedFullWidth(by: powersOfTen[n])
        let k = -e
        if k >= 128 { return 0 }  // m × 10^n < 2^113 ≤ 2^(k-1): below one half
        // q = (hi:lo) >> k, and the remainder compared with 2^(k-1).
        let q: UInt64
        let above: Bool, tie: Bool
        if k < 64 {
            q = (hi << (64 - k)) | (lo >> k)
            let rest = lo & ((1 << k) - 1), half: UInt64 = 1 << (k - 1)
            (above, tie) = (rest > half, rest == half)
        } else if k == 64 {
            q = hi
            let half: UInt64 = 1 << 63
            (above, tie) = (lo > half, lo == half)
        } else {
            q = hi >> (k - 64)
            let restHi = hi & ((1 << (k - 64)) - 1), halfHi: UInt64 = 1 << (k - 65)
            (above, tie) = (restHi > halfHi || (restHi == halfHi && lo > 0), restHi == halfHi && lo == 0)
        }
        return above || (tie && q & 1 == 1) ? q + 1 : q
    }

    /// `q / 10^decimals` in decimal, with `decimals` digits after the point (trailing zeros
    /// and a bare point dropped when `trimZeros`, as `%g` does). Written right to left into
    /// a stack buffer and made a string once (short ones are stored inline, unallocated).
    private static func digits(_ q: UInt64, negative: Bool, decimals: Int, trimZeros: Bool) -> String {
        // At most 20 digits, a point, 17 fraction digits, a sign.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var start = buffer.count, end = buffer.count
            var rest = q
            if decimals > 0 {
                for _ in 0..<decimals {
                    start -= 1
                    buffer[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
                if trimZeros {
                    while end > start && buffer[end - 1] == UInt8(ascii: "0") { end -= 1 }
                }
                start -= 1
                buffer[start] = UInt8(ascii: ".")
                if end == start + 1 { end = start }  // nothing left after the point
            }
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            if negative {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
    }
}

extension Double {
    /// log10 of the value, possibly off by one near powers of ten (callers correct it).
    fileprivate var log10Estimate: Double {
        var x = self, e = 0.0
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return e
    }
}
