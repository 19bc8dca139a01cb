import Model

/// `rate`, `increase`, `delta` (Prometheus's extrapolated rate) and `irate`, `idelta`
/// (the last two samples only).
enum Rates {
    /// `rate` (counter, per second), `increase` (counter) or `delta` (gauge) over a window.
    ///
    /// Needs two samples. Counter resets add the value before the drop. The result is
    /// extrapolated towards each window edge: all the way when the first/last sample lies
    /// within 1.1× the average sample interval of it, otherwise by half an interval; for
    /// counters, never past the point where the counter would have been zero.
    static func extrapolated(_ window: RangeWindow, isCounter: Bool, isRate: Bool) -> Double? {
        let samples = window.samples
        guard samples.count >= 2, let first = samples.first, let last = samples.last else { return nil }
        var result = last.value - first.value
        if isCounter {
            var previous = first.value
            for sample in samples.dropFirst() {
                if sample.value < previous { result += previous }
                previous = sample.value
            }
        }

        var durationToStart = Double(first.timestamp - window.rangeStart) / 1000
        var durationToEnd = Double(window.rangeEnd - last.timestamp) / 1000
        let sampledInterval = Double(last.timestamp - first.timestamp) / 1000
        let averageInterval = sampledInterval / Double(samples.count - 1)
        let threshold = averageInterval * 1.1

        if durationToStart >= threshold { durationToStart = averageInterval / 2 }
        if isCounter {
            // A counter cannot go below zero: stop the extrapolation where it would reach zero.
            var durationToZero = durationToStart
            if result > 0 && first.value >= 0 {
                durationToZero = sampledInterval * (first.value / result)
            }
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = averageInterval / 2 }

        var factor = 1.0
        if sampledInterval != 0 {
            factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        }
        if isRate { factor /= rangeSeconds(window) }
        return result * factor
    }

    /// `irate` (per second, a drop counts as a reset) or `idelta` over the last two samples.
    static func instant(_ window: RangeWindow, isRate: Bool) -> Double? {
        let samples = window.samples
        guard samples.count >= 2 else { return nil }
        let previous = samples[samples.endIndex - 2]
        let last = samples[samples.endIndex - 1]
        let interval = last.timestamp - previous.timestamp
        guard interval != 0 else { return nil }
        var result = last.value
        if !isRate || !(last.value < previous.value) {
            result = last.value - previous.value
        }
        if isRate { result /= Double(interval) / 1000 }
        return result
    }

    /// The window's range in seconds as Go's `time.Duration.Seconds()` computes it
    /// (whole seconds plus the nanosecond remainder).
    static func rangeSeconds(_ window: RangeWindow) -> Double {
        let milliseconds = window.rangeEnd - window.rangeStart
        let seconds = milliseconds / 1000
        let nanoseconds = (milliseconds % 1000) * 1_000_000
        return Double(seconds) + Double(nanoseconds) / 1e9
    }

    /// Whether `rate`/`increase` should note that the metric may not be a counter.
    static func mightNotBeCounter(_ metricName: String?) -> Bool {
        guard let name = metricName, !name.isEmpty else { return false }
        return !(name.hasSuffix("_total") || name.hasSuffix("_sum") || name.hasSuffix("_count") || name.hasSuffix("_bucket"))
    }
}
