import Model
import Testing

/// Go's `strconv` float formatting and parsing, as Prometheus writes and reads values.
struct GoFloatTests {
    // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1, "1"), (-1, "-1"), (0.1, "0.1"), (1.5, "1.5"),
        (100_000, "100000"), (1e6, "1e+06"), (123_456, "123456"), (1_234_567, "1.234567e+06"),
        (0.0001, "0.0001"), (0.00001, "1e-05"), (1.2345e-5, "1.2345e-05"), (1e21, "1e+21"),
        (1e100, "1e+100"), (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.013300656000000001, "0.013300656000000001"), (2.478268416e9, "2.478268416e+09"),
        (44.985611511, "44.985611511"), (1.9429106442e10, "1.9429106442e+10"), (190_932, "190932"),
        (9_223_372_036_854_775_808, "9.223372036854776e+18"), (0.30000000000000004, "0.30000000000000004"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (123.456, "123.456"),
    ] as [(Double, String)])
    func formatsLikeGo(_ value: Double, _ expected: String) {
        #expect(GoFloat.format(value) == expected)
    }

    @Test func openMetricsAddsPointZero() {
        #expect(GoFloat.formatOpenMetrics(1) == "1.0")
        #expect(GoFloat.formatOpenMetrics(1.5) == "1.5")
        #expect(GoFloat.formatOpenMetrics(2e6) == "2e+06")
        #expect(GoFloat.formatOpenMetrics(.infinity) == "+Inf")
        #expect(GoFloat.formatOpenMetrics(.nan) == "NaN")
    }

    @Test(arguments: [
        ("1", 1.0), ("-1", -1), ("+1", 1), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("1E-3", 0.001),
        ("1.5e+2", 150), ("0000000000000000000000000000000000000000001.2e-1", 0.12),
        ("Inf", .infinity), ("+inf", .infinity), ("-Inf", -.infinity), ("infinity", .infinity),
        ("-INFINITY", -.infinity), ("0.1", 0.1), ("123456789012345678901234567890", 1.2345678901234568e29),
        ("2.2250738585072011e-308", Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)), ("1e400", .infinity), ("1e-400", 0),
        ("9007199254740993", 9_007_199_254_740_992), ("0.30000000000000004", 0.30000000000000004),
        ("17976931348623157e292", 1.7976931348623157e308), ("-0", -0.0),
    ] as [(String, Double)])
    func parsesGoSyntax(_ text: String, _ expected: Double) throws {
        let value = try #require(GoFloat.parse(text))
        #expect(value.bitPattern == expected.bitPattern, "\(text) → \(value)")
    }

    @Test(arguments: ["", "+", "-", ".", "e5", "1e", "1e+", "0x1p3", "0x10", "1_000", "1.2.3", "nan(1)", "+NaN", "-nan",
                      "in", "infinit", "1 ", " 1", "1f", "0b1", "--1", "1e5.5"])
    func rejectsNonGoSyntax(_ text: String) {
        #expect(GoFloat.parse(text) == nil)
    }

    @Test func nanIsGoNaN() throws {
        let value = try #require(GoFloat.parse("NaN"))
        #expect(value.isNaN)
        #expect(value.bitPattern == normalNaN.bitPattern)
        #expect(GoFloat.parse("nan")?.isNaN == true)
    }

    /// The fast path and strtod agree with Swift's own correctly rounded parser on many values.
    @Test func parsingRoundTripsShortestFormatting() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            let value = Double(bitPattern: UInt64.random(in: 0..<0x7FF0_0000_0000_0000, using: &rng))
            let text = GoFloat.format(value)
            #expect(GoFloat.parse(text)?.bitPattern == value.bitPattern, "\(text)")
            let plain = value.description
            #expect(GoFloat.parse(plain) == Double(plain), "\(plain)")
        }
    }
}

struct StaleMarkerTests {
    @Test func staleMarkerIsADistinctNaN() {
        #expect(StaleMarker.value.isNaN)
        #expect(StaleMarker.value.bitPattern == 0x7FF0_0000_0000_0002)
        #expect(StaleMarker.isStale(StaleMarker.value))
        #expect(!StaleMarker.isStale(.nan))
        #expect(!StaleMarker.isStale(normalNaN))
        #expect(!StaleMarker.isStale(1))
        #expect(Sample(timestamp: 1, value: StaleMarker.value) == Sample(timestamp: 1, value: StaleMarker.value))
        #expect(Sample(timestamp: 1, value: StaleMarker.value) != Sample(timestamp: 1, value: normalNaN))
    }
}

/// `strconv.FormatFloat(v, 'f', -1, 64)`, as Prometheus writes API values and count_values labels.
@Suite struct GoFloatFixedTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1, "1"), (1.5, "1.5"), (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"), (123456.789, "123456.789"), (-2.5e-3, "-0.0025"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (0.1 + 0.2, "0.30000000000000004"),
    ])
    func formatsLikeGo(value: Double, expected: String) {
        #expect(GoFloat.formatFixed(value) == expected)
    }
}
