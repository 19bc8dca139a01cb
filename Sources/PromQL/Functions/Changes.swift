import Model

/// `changes` and `resets`: counting transitions between consecutive samples.
enum Changes {
    /// `changes`: how often the value differs from the previous one (NaN to NaN is no change).
    static func changes(_ window: RangeWindow) -> Double? {
        guard var previous = window.samples.first?.value else { return nil }
        var count = 0
        for sample in window.samples.dropFirst() {
            let v = sample.value
            if v != previous && !(v.isNaN && previous.isNaN) { count += 1 }
            previous = v
        }
        return Double(count)
    }

    /// `resets`: how often the value drops below the previous one.
    static func resets(_ window: RangeWindow) -> Double? {
        guard var previous = window.samples.first?.value else { return nil }
        var count = 0
        for sample in window.samples.dropFirst() {
            if sample.value < previous { count += 1 }
            previous = sample.value
        }
        return Double(count)
    }
}
