import Testing
@testable import PromQL

/// The arithmetic helpers shared with the aggregations.
@Suite struct FunctionFloatMathTests {
    @Test func kahanSum() {
        #expect(FloatMath.kahanSum([1, 1e100, 1, -1e100]) == 2)
        #expect(FloatMath.kahanSum([0.1, 0.2, 0.3]) == 0.6)
        #expect(FloatMath.kahanSum([Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude, -1]) == .infinity)
        #expect(FloatMath.kahanSum([Double]()) == 0)
    }

    /// The quantile aggregation cases of aggregators.test (NaN sorts first).
    @Test(arguments: [
        (0.8, [0.0, 1], 0.8), (0.8, [0, 1, 2], 1.6), (0.8, [0, 1, 4], 2.8), (0.8, [0, 1, .nan], 0.6),
        (0.2, [0, 1], 0.2), (0.2, [0, 1, 2], 0.4), (0.2, [0, 1, 4], 0.4), (0.2, [0, 1, .nan], .nan),
        (.nan, [0, 1], .nan), (-1, [0, 1], -.infinity), (2, [0, 1], .infinity), (0.5, [], .nan),
    ] as [(Double, [Double], Double)])
    func quantile(q: Double, values: [Double], expected: Double) {
        #expect(close(FloatMath.quantile(q, values), expected, relative: 1e-15))
    }

    @Test func aggregationVariance() {
        var v = FloatMath.AggregationVariance(first: 1)
        v.add(2)
        #expect(v.variance == 0.25 && v.standardDeviation == 0.5)
        #expect(FloatMath.AggregationVariance(first: .infinity).variance.isNaN)
        var nan = FloatMath.AggregationVariance(first: 1)
        nan.add(.nan)
        #expect(nan.variance.isNaN)
        #expect(FloatMath.AggregationVariance(first: 3).variance == 0)
        #expect(close(FloatMath.variance([0, 8, 8, 2, 3]), 10.56, relative: 1e-15))
    }

    @Test func aggregationMean() {
        var m = FloatMath.AggregationMean(first: 1)
        for v in [2.0, 3, 4, 5] { m.add(v) }
        #expect(m.value == 3)
        var big = FloatMath.AggregationMean(first: 9.988465674311579e+307)
        big.add(9.988465674311579e+307)
        #expect(big.value == 9.988465674311579e+307)
        var inf = FloatMath.AggregationMean(first: .infinity)
        inf.add(1)
        #expect(inf.value == .infinity)
        #expect(FloatMath.mean([1e100, 1, -1e100, 1]) == 0.5)
        #expect(FloatMath.mean([Double]()).isNaN)
    }

    /// The avg aggregation cases of aggregators.test, values in series (label) order.
    @Test(arguments: [
        ([Double.infinity, 0, .infinity], Double.infinity), ([-.infinity, -.infinity, 0], -.infinity),
        ([.infinity, 0, .infinity], .infinity), ([-.infinity, 0, -.infinity], -.infinity),
        ([.infinity, .infinity, .infinity, -.infinity], .nan), ([-.infinity, 0, .infinity], .nan),
        ([.infinity, 2], .infinity), ([2, .infinity], .infinity), ([-.infinity, 2], -.infinity), ([2, -.infinity], -.infinity),
        ([.infinity, -.infinity], .nan), ([.nan, 2], .nan), ([2, .nan], .nan), ([2, 8, 1e100, -1e100], 2.5),
        (Array(repeating: 9.988465674311579e+307, count: 4), 9.988465674311579e+307),
        (Array(repeating: -9.988465674311579e+307, count: 4), -9.988465674311579e+307),
        ([-9.988465674311579e+307, -9.988465674311579e+307, 9.988465674311579e+307, 9.988465674311579e+307], 0),
    ] as [([Double], Double)])
    func aggregationMeanCorpus(values: [Double], expected: Double) {
        var mean = FloatMath.AggregationMean(first: values[0])
        for v in values.dropFirst() { mean.add(v) }
        #expect(close(mean.value, expected))
    }

    @Test func goMinMax() {
        #expect(FloatMath.goMax(.nan, 1).isNaN && FloatMath.goMax(.nan, .infinity) == .infinity)
        #expect(FloatMath.goMin(.nan, -.infinity) == -.infinity && FloatMath.goMin(1, .nan).isNaN)
        #expect(FloatMath.goMax(-0.0, 0.0).sign == .plus && FloatMath.goMin(0.0, -0.0).sign == .minus)
    }
}
