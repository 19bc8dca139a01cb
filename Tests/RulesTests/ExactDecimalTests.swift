#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Rules

/// ``ExactDecimal`` prints exactly what C's printf prints, wherever it answers.
struct ExactDecimalTests {
    static func printf(_ v: Double, _ conv: String, _ precision: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = buffer.withUnsafeMutableBufferPointer { p in
            withVaList([v]) { vsnprintf(p.baseAddress, p.count, "%." + String(precision) + conv, $0) }
        }
        return String(cString: buffer)
    }

    /// Values of every magnitude the fast path covers and beyond, exact ties, and the
    /// neighbours of powers of ten and of ties.
    static var values: [Double] {
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.0005, 9.9995, 9.99995, 99.995, 0.00001, 0.0001,
                                0.001, 0.01, 0.1, 1, 10, 100, 1e15, 1e16, 1e17, 5e-324, .greatestFiniteMagnitude, 1234.5,
                                0.045, 1.005, 2.675, 1e-5, 9.5e-5, 0.00009999, 0.099995]
        for v in values { values += [v.nextUp, v.nextDown] }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let exponent = Double.random(in: -8...19, using: &rng)
            var v = Double.random(in: 1..<10, using: &rng) * pow(10, exponent.rounded(.down))
            if Bool.random(using: &rng) { v = -v }
            // Short decimals (like metric values) hit exact and near ties more often.
            if Bool.random(using: &rng) { v = (v * 1000).rounded() / 1000 }
            values.append(v)
        }
        return values
    }

    @Test func fixedAndGeneralMatchPrintf() {
        var answered = 0
        var mismatches: [String] = []
        for v in Self.values {
            for precision in 0...12 {
                if let fast = ExactDecimal.fixed(v, precision: precision) {
                    answered += 1
                    let c = Self.printf(v, "f", precision)
                    if fast != c { mismatches.append("%.\(precision)f \(v): \(fast) != \(c)") }
                }
                if let fast = ExactDecimal.general(v, precision: precision) {
                    answered += 1
                    let c = Self.printf(v, "g", precision)
                    if fast != c { mismatches.append("%.\(precision)g \(v): \(fast) != \(c)") }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
        #expect(answered > 1_000_000)
    }
}
