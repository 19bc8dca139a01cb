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

    /// `rate`, `increase` or `delta` over an `anchored` or `smoothed` window (Prometheus 3's
    /// experimental extended range selectors): no extrapolation, the plain difference between
    /// the values at the window's edges, corrected for counter resets in between.
    ///
    /// The left edge is the last sample at or before the window's start (anchored), or the
    /// value interpolated at the start between the samples around it (smoothed); the right
    /// edge is the last sample in the window, or the value interpolated at its end. `window`
    /// holds the samples a lookback delta around the window (see ``RangeWindow``).
    static func extended(_ window: RangeWindow, isCounter: Bool, isRate: Bool) -> Double? {
        let f = Array(window.samples)
        guard !f.isEmpty else { return nil }
        let rangeStart = window.rangeStart
        let rangeEnd = window.rangeEnd
        let smoothed = window.smoothed
        var last = f.count - 1
        var first = Swift.max(0, firstIndex(below: last, in: f) { $0.timestamp > rangeStart } - 1)
        if smoothed {
            last = firstIndex(below: last, in: f) { $0.timestamp >= rangeEnd }
        }
        if f[last].timestamp <= rangeStart { return nil }
        if smoothed && f[first].timestamp > rangeEnd { return nil }

        let left = smoothed && f[first].timestamp < rangeStart
            ? interpolate(f[first], f[first + 1], at: rangeStart, isCounter: isCounter) : f[first].value
        let right = smoothed && last > 0 && f[last].timestamp > rangeEnd
            ? interpolate(f[last - 1], f[last], at: rangeEnd, isCounter: isCounter) : f[last].value
        var result = right - left
        if isCounter {
            // Resets at the edges are in the interpolation already; only samples strictly
            // inside the window count.
            if f[first].timestamp <= rangeStart { first += 1 }
            if f[last].timestamp >= rangeEnd { last -= 1 }
            var previous = left
            if first <= last {
                for sample in f[first...last] {
                    if sample.value < previous { result += previous }
                    previous = sample.value
                }
            }
            if right < previous { result += previous }
        }
        if isRate { result /= rangeSeconds(window) }
        return result
    }

    /// The value at `t` on the line between `a` and `b`; for a counter that drops from `a`
    /// to `b`, the line from zero (the counter restarted).
    static func interpolate(_ a: Sample, _ b: Sample, at t: Int64, isCounter: Bool) -> Double {
        var y1 = a.value
        let y2 = b.value
        if isCounter && y2 < y1 { y1 = 0 }
        return y1 + (y2 - y1) * Double(t - a.timestamp) / Double(b.timestamp - a.timestamp)
    }

    /// An anchored or smoothed range selector's samples as a query returns them: a point at
    /// the window's start and one at its end (the anchoring sample's value, or the values
    /// interpolated there when smoothed) around the samples strictly inside. Empty when no
    /// sample is after the start.
    static func extendedBoundaries(_ f: [Sample], rangeStart: Int64, rangeEnd: Int64, smoothed: Bool) -> [Sample] {
        guard !f.isEmpty else { return [] }
        var last = f.count - 1
        var first = Swift.max(0, firstIndex(below: last, in: f) { $0.timestamp > rangeStart } - 1)
        if smoothed {
            last = firstIndex(below: last, in: f) { $0.timestamp >= rangeEnd }
        }
        if f[last].timestamp <= rangeStart { return [] }
        let left = smoothed && f[first].timestamp < rangeStart
            ? interpolate(f[first], f[first + 1], at: rangeStart, isCounter: false) : f[first].value
        let right = smoothed && last > 0 && f[last].timestamp > rangeEnd
            ? interpolate(f[last - 1], f[last], at: rangeEnd, isCounter: false) : f[last].value
        if f[first].timestamp <= rangeStart { first += 1 }
        if f[last].timestamp >= rangeEnd { last -= 1 }
        var out = [Sample(timestamp: rangeStart, value: left)]
        if first <= last { out.append(contentsOf: f[first...last]) }
        out.append(Sample(timestamp: rangeEnd, value: right))
        return out
    }

    /// Go's `sort.Search(n, …)`: the first index below `n` whose sample satisfies
    /// `predicate` (which must be monotonic), or `n`.
    static func firstIndex(below n: Int, in samples: [Sample], where predicate: (Sample) -> Bool) -> Int {
        var low = 0
        var high = n
        while low < high {
            let mid = (low + high) / 2
            if predicate(samples[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
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
        guard var name = metricName, !name.isEmpty else { return false }
        // Byte comparisons on the contiguous UTF-8: this runs for every series at every step.
        return name.withUTF8 { bytes in
            func endsWith(_ suffix: StaticString) -> Bool {
                let n = suffix.utf8CodeUnitCount
                guard bytes.count >= n else { return false }
                let tail = bytes.count - n
                for i in 0..<n where bytes[tail + i] != suffix.utf8Start[i] { return false }
                return true
            }
            return !(endsWith("_total") || endsWith("_sum") || endsWith("_count") || endsWith("_bucket"))
        }
    }

}
