import Model
import Testing
@testable import PromQL

/// rate/increase/delta/irate/idelta against functions.test.
@Suite struct FunctionRateTests {
    typealias F = FunctionFixtures

    static func evaluate(_ name: String, _ window: RangeWindow, args: [Double] = [], at seconds: Double = 0) -> Double? {
        var context = F.context(at: seconds)
        return RangeFunctions.evaluate(name, window: window, scalarArgs: args, context: &context)
    }

    @Test(arguments: [
        // increase(http_requests_total[50m]) and [100m] at 50m, load 5m.
        ([F.expand(0, 10, 10)], 3000.0, 3000.0, 100.0),
        ([F.expand(0, 18, 5) + F.expand(0, 18, 5)], 3000, 3000, 160),
        ([F.expand(10, 10, 10)], 3000, 3000, 100),
        ([F.expand(1, 10, 10)], 3000, 3000, 100),
        ([F.expand(0, 10, 10)], 3000, 6000, 100),
        ([F.expand(0, 18, 5) + F.expand(0, 18, 5)], 3000, 6000, 162),
        ([F.expand(10, 10, 10)], 3000, 6000, 105),
        ([F.expand(1, 10, 10)], 3000, 6000, 101),
        // A reset 3 → 2 counts as 3 0 1 2.
        ([[0, 1, 2, 3, 2, 3, 4]], 1800, 1800, 7),
    ] as [([[Double]], Double, Double, Double)])
    func increase(values: [[Double]], at: Double, range: Double, expected: Double) {
        let window = F.window(F.samples(values[0], interval: 300), at: at, range: range)
        #expect(close(Self.evaluate("increase", window), expected, relative: 1e-12))
    }

    @Test func rateWithResets() {
        let middle = F.samples(F.expand(0, 27, 4) + F.expand(0, 27, 5), interval: 300)
        #expect(close(Self.evaluate("rate", F.window(middle, at: 3000, range: 3000)), 0.08, relative: 1e-12))
        let end = F.samples(F.expand(0, 10, 9) + [0, 10], interval: 300)
        #expect(Self.evaluate("rate", F.window(end, at: 3000, range: 300)) == nil)
        #expect(Self.evaluate("rate", F.window(end, at: 3000, range: 360)) == 0)
    }

    @Test func rateValuesAndOffset() {
        let window = F.samples(F.expand(0, 80, 10), interval: 300)
        #expect(close(Self.evaluate("rate", F.window(window, at: 3000, range: 3000)), 0.26666666666666666, relative: 1e-15))
        let a = F.samples(F.expand(0, 10, 10), interval: 300)
        let b = F.samples(F.expand(0, 20, 10), interval: 300)
        #expect(Self.evaluate("rate", F.window(a, at: 3000, range: 600, offset: 300)) == 0.03333333333333333)
        #expect(Self.evaluate("rate", F.window(b, at: 3000, range: 600, offset: 300)) == 0.06666666666666667)
    }

    /// The zero-point clamp: extrapolation to the left stops where the counter would be 0.
    @Test(arguments: [
        (0.0, 600.0, 0.5), (60, 600, 0.55), (120, 600, 0.6), (180, 600, 0.6), (300, 600, 0.6),
        (0, 3000, 0.6), (60, 3000, 0.6), (300, 3000, 0.6),
    ])
    func zeroCutoff(start: Double, at: Double, expected: Double) {
        let samples = F.samples(F.expand(start, 240, 10), interval: 240)
        #expect(close(Self.evaluate("rate", F.window(samples, at: at, range: 1200)), expected, relative: 1e-12))
    }

    @Test func deltaAndIdelta() {
        let foo = F.samples([0, 50, 100, 150, 200], interval: 300)
        let bar = F.samples([200, 150, 100, 50, 0], interval: 300)
        #expect(Self.evaluate("delta", F.window(foo, at: 1200, range: 1200)) == 200)
        #expect(Self.evaluate("delta", F.window(bar, at: 1200, range: 1200)) == -200)
        #expect(Self.evaluate("idelta", F.window(F.samples([0, 50, 100, 150], interval: 300), at: 1200, range: 1200)) == 50)
        #expect(Self.evaluate("idelta", F.window(F.samples([0, 50, 100, 50], interval: 300), at: 1200, range: 1200)) == -50)
    }

    @Test func irate() {
        let foo = F.samples(F.expand(0, 10, 10), interval: 300)
        let bar = F.samples(F.expand(0, 10, 5) + F.expand(0, 10, 5), interval: 300)
        #expect(Self.evaluate("irate", F.window(foo, at: 3000, range: 3000)) == 0.03333333333333333)
        #expect(Self.evaluate("irate", F.window(bar, at: 1800, range: 3000)) == 0)  // after a reset
        #expect(Self.evaluate("irate", F.window(foo, at: 300, range: 300)) == nil)  // one sample
    }

    /// `irate(http_requests_nan[15m1s])` from 0 to 20m: `_ NaN NaN NaN 0.02`, idelta `_ NaN NaN NaN 6`.
    @Test func instantRatesWithNaN() {
        let samples = F.samples([1, .nan, .nan, 5, 11], interval: 300)
        let irates = stride(from: 0.0, through: 1200, by: 300).map { Self.evaluate("irate", F.window(samples, at: $0, range: 901)) }
        let ideltas = stride(from: 0.0, through: 1200, by: 300).map { Self.evaluate("idelta", F.window(samples, at: $0, range: 901)) }
        #expect(zip(irates, [nil, .nan, .nan, .nan, 0.02] as [Double?]).allSatisfy { close($0, $1) })
        #expect(zip(ideltas, [nil, .nan, .nan, .nan, 6] as [Double?]).allSatisfy { close($0, $1) })
    }

    @Test func nonCounterInfo() {
        let samples = F.samples(F.expand(0, 10, 10), interval: 300)
        var context = F.context("rate(metric[5m])", arguments: ["metric[5m]"])
        _ = RangeFunctions.evaluate(
            "rate", window: F.window(samples, at: 3000, range: 600, metricName: "metric"), scalarArgs: [], context: &context)
        #expect(context.annotations.infos == [
            "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"metric\" (1:6)",
        ])
        // No info for counter names, for delta, or when there is no result.
        var quiet = F.context("x")
        for (name, metric, range) in [("rate", "a_total", 600.0), ("increase", "b_count", 600), ("delta", "metric", 600), ("rate", "metric", 200)] {
            _ = RangeFunctions.evaluate(
                name, window: F.window(samples, at: 3000, range: range, metricName: metric), scalarArgs: [], context: &quiet)
        }
        #expect(quiet.annotations.isEmpty)
    }

    @Test func rangeSecondsLikeGo() {
        let window = RangeWindow(samples: [], rangeStart: 0, rangeEnd: 1001, metricName: nil)
        #expect(Rates.rangeSeconds(window) == 1.0 + 0.001)
    }
}
