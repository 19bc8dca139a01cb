#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float arithmetic exactly as Prometheus does it: Kahan–Neumaier compensated sums, the
/// mean with its overflow fallback, variances, and the quantile interpolation shared by
/// `quantile` (aggregation) and `quantile_over_time`. The functions and the engine's
/// aggregations use these so that results match Prometheus bit for bit.
enum FloatMath {
    // MARK: Compensated summation

    /// One step of Prometheus's Kahan–Babuška–Neumaier summation (`kahansum.Inc`): adds
    /// `increment` to `sum` and returns the new sum and the new compensation term. Once the
    /// sum overflows to ±Inf the compensation is reset to 0 (it would only produce NaN).
    /// The compensated total is `sum + compensation` (unless `sum` is infinite).
    @inline(__always)
    static func kahanSumInc(_ increment: Double, sum: Double, compensation: Double) -> (sum: Double, compensation: Double) {
        let t = sum + increment
        var c = compensation
        if t.isInfinite {
            c = 0
        } else if Swift.abs(sum) >= Swift.abs(increment) {
            // Neumaier's improvement: the larger operand goes first.
            c += (sum - t) + increment
        } else {
            c += (increment - t) + sum
        }
        return (t, c)
    }

    /// The compensated sum of `values`, as `sum_over_time` computes it: an infinite running
    /// sum is returned as is, otherwise the compensation is added at the end.
    static func kahanSum<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var sum = 0.0, c = 0.0
        for v in values { (sum, c) = kahanSumInc(v, sum: sum, compensation: c) }
        return sum.isInfinite ? sum : sum + c
    }

    // MARK: Means

    /// The mean of `values` as `avg_over_time` computes it: a direct compensated sum divided
    /// by the count while the sum stays finite, switching to an incremental (compensated)
    /// mean from the first value that would overflow it. NaN for no values.
    static func mean<C: Collection>(_ values: C) -> Double where C.Element == Double {
        var iterator = values.makeIterator()
        guard let first = iterator.next() else { return .nan }
        var sum = first, c = 0.0, mean = 0.0
        var count = 1.0
        var incremental = false
        while let v = iterator.next() {
            count += 1
            if !incremental {
                let (newSum, newC) = kahanSumInc(v, sum: sum, compensation: c)
                if !newSum.isInfinite {
                    sum = newSum
                    c = newC
                    continue
                }
                incremental = true
                mean = sum / (count - 1)
                c /= (count - 1)
            }
            let q = (count - 1) / count
            (mean, c) = kahanSumInc(v / count, sum: q * mean, compensation: q * c)
        }
        if incremental { return mean + c }
        return sum / count + c / count
    }

    /// The running state of the `avg` aggregation (Prometheus's `groupedAggregation` for AVG):
    /// a compensated sum while it stays finite, then an incremental compensated mean with
    /// special handling of infinite means. Start it with the group's first value.
    struct AggregationMean {
        private var sum: Double
        private var compensation = 0.0
        private var runningMean: Double
        private var count = 1.0
        private var incremental = false

        init(first value: Double) {
            sum = value
            runningMean = value
        }

        /// Adds the group's next value.
        mutating func add(_ value: Double) {
            count += 1
            if !incremental {
                let (newSum, newC) = FloatMath.kahanSumInc(value, sum: sum, compensation: compensation)
                if !newSum.isInfinite {
                    sum = newSum
                    compensation = newC
                    return
                }
                incremental = true
                runningMean = sum / (count - 1)
                compensation /= count - 1
            }
            if runningMean.isInfinite {
                // Inf of the same sign stays; a finite value cannot move an infinite mean.
                if value.isInfinite && (runningMean > 0) == (value > 0) { return }
                if !value.isInfinite && !value.isNaN { return }
            }
            let current = runningMean + compensation
            (runningMean, compensation) = FloatMath.kahanSumInc(
                value / count - current / count, sum: runningMean, compensation: compensation)
        }

        /// The mean of the values added so far.
        var value: Double {
            incremental ? runningMean + compensation : (sum + compensation) / count
        }
    }

    // MARK: Variance

    /// Welford's online variance with Kahan-compensated mean and sum of squares, as
    /// `stddev_over_time` and `stdvar_over_time` compute it.
    struct CompensatedVariance {
        private var count = 0.0
        private var mean = 0.0, meanC = 0.0
        private var aux = 0.0, auxC = 0.0

        init() {}

        mutating func add(_ value: Double) {
            count += 1
            let delta = value - (mean + meanC)
            (mean, meanC) = FloatMath.kahanSumInc(delta / count, sum: mean, compensation: meanC)
            (aux, auxC) = FloatMath.kahanSumInc(delta * (value - (mean + meanC)), sum: aux, compensation: auxC)
        }

        /// The population variance (NaN before any value).
        var variance: Double { (aux + auxC) / count }
        /// The population standard deviation.
        var standardDeviation: Double { variance.squareRoot() }
    }

    /// The running state of the `stddev`/`stdvar` aggregations (plain Welford, as the engine
    /// accumulates them): a group whose first value is NaN or ±Inf has a NaN variance.
    struct AggregationVariance {
        private var count = 1.0
        private var mean: Double
        private var aux: Double

        init(first value: Double) {
            mean = value
            aux = value.isNaN || value.isInfinite ? .nan : 0
        }

        mutating func add(_ value: Double) {
            count += 1
            let delta = value - mean
            mean += delta / count
            aux += delta * (value - mean)
        }

        /// The population variance.
        var variance: Double { aux / count }
        /// The population standard deviation.
        var standardDeviation: Double { (aux / count).squareRoot() }
    }

    /// The population variance of `values` with ``CompensatedVariance`` (NaN for none).
    static func variance<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var v = CompensatedVariance()
        for x in values { v.add(x) }
        return v.variance
    }

    // MARK: Quantiles

    /// Sorts ascending with NaN first, the order Prometheus's `vectorByValueHeap` gives
    /// (NaN counts as the smallest value).
    static func sortNaNFirst(_ values: inout [Double]) {
        values.sort { a, b in a.isNaN ? !b.isNaN : a < b }
    }

    /// The φ-quantile of `values` as the `quantile` aggregation and `quantile_over_time`
    /// compute it: values sorted with NaN first, rank `q·(n−1)`, linear interpolation
    /// between the two neighbouring values. NaN for no values or a NaN `q`, −Inf for
    /// `q < 0`, +Inf for `q > 1`.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        var sorted = values
        return quantile(q, sorting: &sorted)
    }

    /// ``quantile(_:_:)`` sorting `values` in place (no copy).
    static func quantile(_ q: Double, sorting values: inout [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        sortNaNFirst(&values)
        let n = Double(values.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return values[Int(lower)] * (1 - weight) + values[Int(upper)] * weight
    }

    // MARK: Go's math where it differs

    /// Go's `math.Max`: NaN if either is NaN, +0 over −0.
    static func goMax(_ a: Double, _ b: Double) -> Double {
        if a.isInfinite && a > 0 || b.isInfinite && b > 0 { return .infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && a == b { return a.sign == .minus ? b : a }
        return a > b ? a : b
    }

    /// Go's `math.Min`: NaN if either is NaN, −0 over +0.
    static func goMin(_ a: Double, _ b: Double) -> Double {
        if a.isInfinite && a < 0 || b.isInfinite && b < 0 { return -.infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && a == b { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }
}
