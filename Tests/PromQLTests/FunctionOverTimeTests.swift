import Model
import Testing
@testable import PromQL

/// The *_over_time family, deriv, predict_linear, smoothing, changes and resets.
@Suite struct FunctionOverTimeTests {
    typealias F = FunctionFixtures

    static func evaluate(
        _ name: String, _ values: [Double?], interval: Double = 10, at: Double, range: Double,
        args: [Double] = [], evaluationTime: Double? = nil
    ) -> Double? {
        var context = F.context(at: evaluationTime ?? at)
        let window = F.window(F.samples(values, interval: interval), at: at, range: range)
        return RangeFunctions.evaluate(name, window: window, scalarArgs: args, context: &context)
    }

    @Test(arguments: [
        ([1, 2, 3, 4, 5], 3.0),
        ([1, 2, 3, 4, .infinity], .infinity),
        ([1, 2, 3, .infinity, -.infinity], .nan),
        ([.infinity, 0, .infinity], .infinity),
        ([-.infinity, -.infinity, -.infinity, .infinity], .nan),
        ([9.988465674311579e+307, 9.988465674311579e+307], 9.988465674311579e+307),
        ([-9.988465674311579e+307, -9.988465674311579e+307, -9.988465674311579e+307], -9.988465674311579e+307),
        ([-9.988465674311579e+307, 9.988465674311579e+307], 0),
        ([1, 2, 3, .nan, .nan], .nan),
    ] as [([Double], Double)])
    func averageExtremes(values: [Double], expected: Double) {
        #expect(close(Self.evaluate("avg_over_time", values, at: 55, range: 60), expected))
    }

    /// The avg_over_time accuracy cases of functions.test (load 5s, at 55s over 1m).
    @Test(arguments: [
        ([1e10, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6], 1.6666666666666675e+09),
        ([5.30921651659898, 0.961118537914768, 1.62091361305318, 0.865089463758091, 0.323055185914577, 0.951811357687154], 1.67186744582113),
        ([1.78264e50, 0.76342771, 1.9592258, 7.69805412, 458.90154], 3.56528E+49),
        ([1.78264E+50, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 458.90154], 3.76333333333333E+219),
        ([-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 1.78264E+215, -458.90154], 3.225714285714286e+219),
        ([-1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217, -2.3757689E+217, 2.258E+220, 7.69805412, 1.78264E+219, -458.90154], 2.5088888888888888e+219),
        ([-2.258E+220, -1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217, -2.3757689E+217, 2.258E+220, 7.69805412, 1.78264E+219, -458.90154], 0),
    ] as [([Double], Double)])
    func averageAccuracy(values: [Double], expected: Double) {
        #expect(close(Self.evaluate("avg_over_time", values, interval: 5, at: 55, range: 60), expected, relative: 1e-13))
    }

    @Test func sums() {
        #expect(Self.evaluate("sum_over_time", [1, 1e100, 1, -1e100], at: 60, range: 120) == 2)
        #expect(Self.evaluate("avg_over_time", [1, 1e100, 1, -1e100], at: 60, range: 120) == 0.5)
        #expect(Self.evaluate("sum_over_time", [9.988465674311579e+307, 9.988465674311579e+307], at: 55, range: 60) == .infinity)
        let dense = Array(repeating: Double?(1), count: 4001)
        for (range, expected) in [(1.0, 1000.0), (1.001, 1001), (2.003, 2003), (3.003, 3003)] {
            #expect(Self.evaluate("sum_over_time", dense, interval: 0.001, at: 4, range: range) == expected)
        }
        // 52 over and over: the direct mean is exact.
        let constant = Array(repeating: Double?(52), count: 101)
        for range in [100.0, 110, 120, 130] {
            #expect(Self.evaluate("avg_over_time", constant, at: 600, range: range) == 52)
        }
    }

    @Test(arguments: [
        ("min_over_time", [2, 0, 3], 0.0), ("min_over_time", [2, 0, .nan], 0), ("min_over_time", [2, .nan, 1], 1),
        ("min_over_time", [.nan, 0, 1], 0), ("min_over_time", [.nan, .nan, .nan], .nan),
        ("max_over_time", [2, 0, 3], 3), ("max_over_time", [2, 0, .nan], 2), ("max_over_time", [2, .nan, 1], 2),
        ("max_over_time", [.nan, 0, 1], 1), ("max_over_time", [.nan, .nan, .nan], .nan),
        ("last_over_time", [2, 0, .nan], .nan), ("first_over_time", [.nan, 0, 1], .nan), ("first_over_time", [2, 0, 1], 2),
        ("count_over_time", [.nan, .nan, .nan], 3), ("present_over_time", [.nan], 1),
        ("stdvar_over_time", [1.5990505637277868, 1.5990505637277868, 1.5990505637277868], 0),
        ("stddev_over_time", [1.5990505637277868, 1.5990505637277868, 1.5990505637277868], 0),
        ("mad_over_time", [4, 6, 2, 1, 999, 1, 2], 1), ("mad_over_time", [1, 2, 3, 4, 5], 1), ("mad_over_time", [7, 7, 7], 0),
        ("mad_over_time", [5], 0), ("mad_over_time", [1, 2, .nan, 4], .nan),
        ("changes", [2, 3, 0, 1, 0, 0, 1, 2, 0], 7), ("changes", [2, 3, 4, 5, 1, 2, 3, 4, 5], 8), ("changes", [0, 0, 0, 0, 1, 1, 1, 1, 1], 1),
        ("changes", [.nan, .nan, .nan], 0), ("changes", [0, .nan, 0], 2),
        ("resets", [2, 3, 0, 1, 0, 0, 1, 2, 0], 3), ("resets", [2, 3, 4, 5, 1, 2, 3, 4, 5], 1), ("resets", [1, 2, 3], 0),
    ] as [(String, [Double], Double)])
    func aggregations(name: String, values: [Double], expected: Double) {
        // All samples inside the window.
        #expect(close(Self.evaluate(name, values, at: Double(values.count - 1) * 10, range: Double(values.count) * 10), expected, relative: 1e-14))
    }

    @Test func standardDeviation() {
        #expect(close(Self.evaluate("stddev_over_time", [0, 8, 8, 2, 3], at: 60, range: 120), 3.249615, relative: 1e-6))
        #expect(close(Self.evaluate("stdvar_over_time", [0, 8, 8, 2, 3], at: 60, range: 120), 10.56, relative: 1e-15))
    }

    /// `ts_of_*` with an odd interval (10.053s) to catch rounding.
    @Test func timestampsOfSamples() {
        let values: [Double?] = [1, 2, 3, 0, 5, 6, 2, 1, 4]
        #expect(Self.evaluate("ts_of_min_over_time", values, interval: 10.053, at: 90, range: 90) == 30.159)
        #expect(Self.evaluate("ts_of_max_over_time", values, interval: 10.053, at: 90, range: 90) == 50.265)
        #expect(Self.evaluate("ts_of_last_over_time", [1, 2, 3, nil, nil], interval: 10.053, at: 95, range: 90) == 20.106)
        #expect(Self.evaluate("ts_of_first_over_time", [nil, nil, 1, 2, 3], interval: 10.053, at: 95, range: 90) == 20.106)
        // Ties: the last of equal extremes.
        #expect(Self.evaluate("ts_of_max_over_time", [3, 1, 3], at: 20, range: 30) == 20)
    }

    @Test(arguments: [
        (0.0, [0.0, 0, 0]), (0.5, [0.5, 1, 1]), (0.75, [0.75, 1.5, 2.5]), (0.8, [0.8, 1.6, 2.8]), (1, [1, 2, 4]),
        (-1, [-.infinity, -.infinity, -.infinity]), (2, [.infinity, .infinity, .infinity]),
    ] as [(Double, [Double])])
    func quantileOverTime(q: Double, expected: [Double]) {
        let series: [[Double?]] = [[0, 1], [0, 1, 2], [0, 1, 4]]
        for (values, want) in zip(series, expected) {
            #expect(close(Self.evaluate("quantile_over_time", values, at: 60, range: 120, args: [q]), want, relative: 1e-15))
        }
    }

    @Test func quantileWarning() {
        var context = F.context("quantile_over_time(2, data[2m])", arguments: ["2", "data[2m]"], at: 60)
        let window = F.window(F.samples([0, 1], interval: 10), at: 60, range: 120)
        _ = RangeFunctions.evaluate("quantile_over_time", window: window, scalarArgs: [2], context: &context)
        _ = RangeFunctions.evaluate("quantile_over_time", window: window, scalarArgs: [2], context: &context)
        #expect(context.annotations.warnings == ["PromQL warning: quantile value should be between 0 and 1, got 2 (1:20)"])
        var nan = F.context("quantile_over_time(NaN, data[2m])", arguments: ["NaN"])
        _ = RangeFunctions.evaluate("quantile_over_time", window: window, scalarArgs: [.nan], context: &nan)
        #expect(nan.annotations.warnings == ["PromQL warning: quantile value should be between 0 and 1, got NaN (1:20)"])
    }

    @Test func derivAndPredictLinear() {
        let counter = F.expand(0, 80, 10).map { Optional($0) }
        #expect(Self.evaluate("deriv", counter, interval: 300, at: 3000, range: 3000) == 0.26666666666666666)
        let reset = (F.expand(0, 10, 4) + F.expand(0, 10, 5)).map { Optional($0) }
        #expect(Self.evaluate("deriv", reset, interval: 300, at: 3000, range: 6000) == 0.010606060606060607)
        #expect(close(Self.evaluate("predict_linear", reset, interval: 300, at: 3000, range: 3000, args: [3600]), 70, relative: 1e-12))
        // `[55m] @ 3000`: the window ends at 3000, the line is extrapolated from the step time.
        for (step, expected) in [(3000.0, 76.81818181818181), (600, 51.36363636363637), (4200, 89.54545454545455)] {
            let value = Self.evaluate("predict_linear", reset, interval: 300, at: 3000, range: 3300, args: [3600], evaluationTime: step)
            #expect(close(value, expected, relative: 1e-12))
        }
        let infinite: [Double?] = [-.infinity] + F.expand(0, 80, 10).map { Optional($0) } + [.infinity]
        #expect(close(Self.evaluate("deriv", infinite, interval: 300, at: 6000, range: 6000), .nan))
        #expect(close(Self.evaluate("predict_linear", infinite, interval: 300, at: 6000, range: 6000, args: [6000]), .nan))
        #expect(Self.evaluate("deriv", [1], at: 0, range: 10) == nil)
    }

    @Test func doubleExponentialSmoothing() {
        // 0+10x1000 100+30x1000 (load 10s) at 8000s over 1m, and the negative trends.
        let series: [([Double], Double)] = [
            (F.expand(0, 10, 1000) + F.expand(100, 30, 1000), 8000),
            (F.expand(0, 20, 1000) + F.expand(200, 30, 1000), 16000),
            (F.expand(0, 40, 2000), 32000),
            (F.expand(8000, -10, 1000), 0),
            (F.expand(0, -40, 1000) + F.expand(0, 40, 1000), -32000),
        ]
        for (values, expected) in series {
            let value = Self.evaluate("double_exponential_smoothing", values.map { Optional($0) }, at: 8000, range: 60, args: [0.01, 0.1])
            #expect(close(value, expected, relative: 1e-9))
        }
        #expect(throws: QueryError.execution("invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000")) {
            try RangeFunctions.validate("double_exponential_smoothing", scalarArgs: [1, 0.5])
        }
        #expect(throws: QueryError.execution("invalid trend factor. Expected: 0 < tf < 1, got: -0.500000")) {
            try RangeFunctions.validate("double_exponential_smoothing", scalarArgs: [0.5, -0.5])
        }
        #expect(throws: Never.self) { try RangeFunctions.validate("double_exponential_smoothing", scalarArgs: [.nan, 0.5]) }
    }
}
