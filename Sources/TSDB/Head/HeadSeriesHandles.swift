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
                        let series = try appendLocked(labels, t, v, hint: slots[i])
                        if series !== slots[i] { slots[i] = series }
                    } catch {
                        refused.append((i, error))
                    }
                }
            }
        }
        return refused
    }

    /// Checks and appends one sample (under the lock), through `hint` when it is still the
    /// sample's series; returns the series.
    private func appendLocked(_ labels: Labels, _ t: Timestamp, _ v: Double, hint: MemSeries?) throws(AppendError) -> MemSeries {
        if labels.isEmpty { throw .invalidLabels(labels, reason: "empty label set") }
        if t < minValidTime { throw .outOfBounds(series: labels, timestamp: t) }
        let known: MemSeries?
        if let hint, !hint.isRemoved, hint.labels == labels {
            known = hint
        } else {
            known = lookupLocked(labels)
        }
        guard let series = known else {
            let created = createSeriesLocked(labels)
            appendLocked(created, t, v)
            return created
        }
        if series.lastTime != .min && t <= series.lastTime {
            if t < series.lastTime { throw .outOfOrder(series: labels, timestamp: t) }
            if v.bitPattern != series.lastValue.bitPattern { throw .duplicateSampleForTimestamp(series: labels, timestamp: t) }
            return series  // an exact repeat: ignored
        }
        appendLocked(series, t, v)
        return series
    }
}
