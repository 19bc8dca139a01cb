import Model

/// `changes` and `resets`: counting transitions between consecutive samples.
enum Changes {
    /// `changes`: how often the value differs from the previous one (NaN to NaN is no change).
    static func changes(_ window: RangeWindow) -> Double? {
        guard let samples = countedSamples(window), var previous = samples.first?.value else { return nil }
        var count = 0
        for sample in samples.dropFirst() {
            let v = sample.value
            if v != previous && !(v.isNaN && previous.isNaN) { count += 1 }
            previous = v
        }
        return Double(count)
    }

    /// `resets`: how often the value drops below the previous one.
    static func resets(_ window: RangeWindow) -> Double? {
        guard let samples = countedSamples(window), var previous = samples.first?.value else { return nil }
        var count = 0
        for sample in samples.dropFirst() {
            if sample.value < previous { count += 1 }
            previous = sample.value
        }
        return Double(count)
    }

    /// The samples transitions are counted over: the window's, and for an `anchored` window
    /// also the last sample at or before its start. Nil when no sample is inside the window.
    static func countedSamples(_ window: RangeWindow) -> ArraySlice<Sample>? {
        guard window.anchored else { return window.samples }
        let samples = window.samples
        guard let inside = samples.firstIndex(where: { $0.timestamp > window.rangeStart }) else { return nil }
        return samples[Swift.max(samples.startIndex, inside - 1)...]
    }
}
