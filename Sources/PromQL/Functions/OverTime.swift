import Model

/// The `*_over_time` aggregations of one series' window.
enum OverTime {
    static func average(_ window: RangeWindow) -> Double {
        FloatMath.mean(window.samples.lazy.map(\.value))
    }

    static func sum(_ window: RangeWindow) -> Double {
        FloatMath.kahanSum(window.samples.lazy.map(\.value))
    }

    static func count(_ window: RangeWindow) -> Double {
        Double(window.samples.count)
    }

    /// `max_over_time` (`max: true`) or `min_over_time`: a NaN is replaced by any later value.
    static func extreme(_ window: RangeWindow, max: Bool) -> Double? {
        extremeSample(window, max: max, ties: false)?.value
    }

    /// `ts_of_max_over_time` / `ts_of_min_over_time`: the time (s) of the last sample with
    /// the extreme value.
    static func timestampOfExtreme(_ window: RangeWindow, max: Bool) -> Double? {
        guard let sample = extremeSample(window, max: max, ties: true) else { return nil }
        return seconds(sample.timestamp)
    }

    /// The sample holding the maximum (or minimum); with `ties`, a later equal value wins.
    private static func extremeSample(_ window: RangeWindow, max: Bool, ties: Bool) -> Sample? {
        guard var best = window.samples.first else { return nil }
        for sample in window.samples {
            let v = sample.value
            let replaces: Bool
            if best.value.isNaN {
                replaces = true
            } else if max {
                replaces = ties ? v >= best.value : v > best.value
            } else {
                replaces = ties ? v <= best.value : v < best.value
            }
            if replaces { best = sample }
        }
        return best
    }

    static func last(_ window: RangeWindow) -> Double? { window.samples.last?.value }

    static func first(_ window: RangeWindow) -> Double? { window.samples.first?.value }

    static func timestampOfLast(_ window: RangeWindow) -> Double? {
        window.samples.last.map { seconds($0.timestamp) }
    }

    static func timestampOfFirst(_ window: RangeWindow) -> Double? {
        window.samples.first.map { seconds($0.timestamp) }
    }

    /// `stdvar_over_time` (`squareRoot: false`) or `stddev_over_time`.
    static func variance(_ window: RangeWindow, squareRoot: Bool) -> Double {
        var v = FloatMath.CompensatedVariance()
        for sample in window.samples { v.add(sample.value) }
        return squareRoot ? v.standardDeviation : v.variance
    }

    /// `quantile_over_time(q, …)`, warning about a quantile outside [0, 1] (at the `q` argument).
    static func quantile(_ q: Double, _ window: RangeWindow, context: inout FunctionContext) -> Double? {
        guard !window.samples.isEmpty else { return nil }
        if q.isNaN || q < 0 || q > 1 {
            context.warn(FunctionMessages.invalidQuantile(q), argument: 0)
        }
        var values = window.samples.map(\.value)
        return FloatMath.quantile(q, sorting: &values)
    }

    /// `mad_over_time`: the median of the absolute deviations from the median; NaN when any
    /// sample is NaN.
    static func medianAbsoluteDeviation(_ window: RangeWindow) -> Double? {
        guard !window.samples.isEmpty else { return nil }
        var values: [Double] = []
        values.reserveCapacity(window.samples.count)
        for sample in window.samples {
            if sample.value.isNaN { return .nan }
            values.append(sample.value)
        }
        let median = FloatMath.quantile(0.5, sorting: &values)
        for i in values.indices { values[i] = Swift.abs(values[i] - median) }
        return FloatMath.quantile(0.5, sorting: &values)
    }

    /// A timestamp in ms as seconds.
    @inline(__always)
    static func seconds(_ milliseconds: Int64) -> Double { Double(milliseconds) / 1000 }
}
