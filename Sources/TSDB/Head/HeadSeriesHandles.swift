import Model

/// What a writer that appends to the same series again and again (a rule writing its
/// outputs every evaluation) remembers of them between batches: the series each sample of
/// its previous batch went to, by position. Appending through it skips hashing the labels
/// and looking them up. A handle is only a hint: the head uses it when it still names a live
/// series of this head with the sample's labels, and looks the labels up otherwise.
public struct HeadSeriesHandles: Sendable {
    /// The head the handles belong to; handles of another head are dropped.
    fileprivate var head: Head?
    /// The series of sample `i` of the previous batch.
    fileprivate var series: [MemSeries?] = []

    public init() {}

    /// How many samples the previous batch had.
    public var count: Int { series.count }
}

extension Head {
    /// Appends `count` samples, `sample(i)` being the i-th, as one transaction without a
    /// WAL record, with exactly the checks and outcome of a ``HeadAppender`` that appends them
    /// in order and commits: each refused sample (empty labels, out of bounds, out of order,
    /// duplicate timestamp) is returned with its index, the others are kept, an exact repeat
    /// of a series' latest sample is ignored, new series get refs in sample order. The whole
    /// batch becomes visible at once, under one lock; `sample` must not use the head.
    /// `handles` are the series of the previous batch and become this batch's.
    public func append(
        count: Int, handles: inout HeadSeriesHandles, sample: (Int) -> (labels: Labels, t: Timestamp, v: Double)
    ) -> [(index: Int, error: AppendError)] {
        if handles.head !== self { handles = HeadSeriesHandles() }
        handles.head = self
        if handles.series.count > count {
            handles.series.removeLast(handles.series.count - count)
        } else if handles.series.count < count {
            handles.series.append(contentsOf: repeatElement(nil, count: count - handles.series.count))
        }
        var refused: [(index: Int, error: AppendError)] = []
        withLock {
            handles.series.withUnsafeMutableBufferPointer { slots in
                for i in 0..<count {
                    let (labels, t, v) = sample(i)
                    do throws(AppendError) {
                        if let hint = slots[i], !hint.isRemoved, hint.labels == labels {
                            try appendChecked(hint, labels, t, v)
                        } else {
                            slots[i] = try appendLooked(labels, t, v)
                        }
                    } catch {
                        refused.append((i, error))
                    }
                }
            }
        }
        return refused
    }

    /// Checks and appends one sample of the series with `labels` (created when new), under
    /// the lock; returns the series.
    private func appendLooked(_ labels: Labels, _ t: Timestamp, _ v: Double) throws(AppendError) -> MemSeries {
        if labels.isEmpty { throw .invalidLabels(labels, reason: "empty label set") }
        guard let series = lookupLocked(labels) else {
            if t < minValidTime { throw .outOfBounds(series: labels, timestamp: t) }
            let created = createSeriesLocked(labels)
            appendLocked(created, t, v)
            return created
        }
        try appendChecked(series, labels, t, v)
        return series
    }

    /// Checks and appends one sample of `series` (whose labels are `labels`), under the lock.
    private func appendChecked(_ series: MemSeries, _ labels: Labels, _ t: Timestamp, _ v: Double) throws(AppendError) {
        if t < minValidTime { throw .outOfBounds(series: labels, timestamp: t) }
        if series.lastTime != .min && t <= series.lastTime {
            if t < series.lastTime { throw .outOfOrder(series: labels, timestamp: t) }
            if v.bitPattern != series.lastValue.bitPattern { throw .duplicateSampleForTimestamp(series: labels, timestamp: t) }
            return  // an exact repeat: ignored
        }
        appendLocked(series, t, v)
    }
}
