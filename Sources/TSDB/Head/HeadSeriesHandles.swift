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

    /// A hint that the writer will append through these handles soon (a rule, before it
    /// runs its query): the head starts bringing the first series' state into the cache,
    /// which the query's time then hides. Reads nothing but the handles themselves.
    public mutating func prefetch() {
        series.withUnsafeMutableBufferPointer { slots in
            AppendPrefetcher(series: slots).prefetchState(0..<AppendPrefetcher.stateDistance)
        }
    }
}

extension Head {
    /// Prometheus's ordering rule for a sample after a series' latest one (`lastTime`
    /// `.min`: the series has none): true to append it, false for an exact repeat (ignored);
    /// an earlier time is out of order, the same time with another value a duplicate.
    @inline(__always)
    static func admits(
        _ t: Timestamp, _ v: Double, after lastTime: Timestamp, _ lastValue: Double, series labels: @autoclosure () -> Labels
    ) throws(AppendError) -> Bool {
        guard lastTime != .min && t <= lastTime else { return true }
        if t < lastTime { throw .outOfOrder(series: labels(), timestamp: t) }
        if v.bitPattern != lastValue.bitPattern { throw .duplicateSampleForTimestamp(series: labels(), timestamp: t) }
        return false
    }

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
        append(
            count: count, handles: &handles, isSeriesLabels: { i, series in sample(i).labels == series.labels },
            labels: { sample($0).labels }, timeAndValue: { i in let s = sample(i); return (s.t, s.v) })
    }

    /// The same, for a writer that keeps its label sets between batches (a rule, whose
    /// outputs repeat): `labelsIdentity(i)` is the ``Labels/storageIdentity`` of sample `i`'s
    /// labels. A sample whose labels are the very value its handle's series was created with
    /// is appended without its labels being read, copied or retained (each of those a cache
    /// miss on a buffer last used an evaluation ago); `labels(i)` is asked for the others.
    package func append(
        count: Int, handles: inout HeadSeriesHandles, labelsIdentity: (Int) -> UnsafeRawPointer,
        labels: (Int) -> Labels, timeAndValue: (Int) -> (t: Timestamp, v: Double)
    ) -> [(index: Int, error: AppendError)] {
        append(
            count: count, handles: &handles, isSeriesLabels: { i, series in
                // Equal labels in another buffer (rebuilt by the writer) still match.
                labelsIdentity(i) == series.labels.storageIdentity || labels(i) == series.labels
            },
            labels: labels, timeAndValue: timeAndValue)
    }

    /// The batch append both entry points share: `isSeriesLabels(i, series)` tells whether
    /// sample `i`'s labels equal those of `series`, the one its handle names (a negative
    /// answer for equal labels only costs a lookup); `labels(i)` gives them in full.
    private func append(
        count: Int, handles: inout HeadSeriesHandles, isSeriesLabels: (Int, MemSeries) -> Bool,
        labels: (Int) -> Labels, timeAndValue: (Int) -> (t: Timestamp, v: Double)
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
            // The head's state is read and written once per batch, not once per sample.
            var batch = Batch(minValidTime: minValidTime)
            handles.series.withUnsafeMutableBufferPointer { slots in
                let prefetcher = AppendPrefetcher(series: slots)
                prefetcher.start()
                for i in 0..<count {
                    prefetcher.prepare(i)
                    let (t, v) = timeAndValue(i)
                    do throws(AppendError) {
                        if let hint = slots[i], !hint.isRemoved, isSeriesLabels(i, hint) {
                            try batch.append(t, v, to: hint)
                        } else {
                            slots[i] = try appendLooked(labels(i), t, v, batch: &batch)
                        }
                    } catch {
                        refused.append((i, error))
                    }
                }
            }
            if batch.minTime <= batch.maxTime { extendTimeRangeLocked(batch.minTime, batch.maxTime) }
        }
        return refused
    }

    /// Checks and appends one sample of the series with `labels` (created when new), under
    /// the lock; returns the series.
    private func appendLooked(_ labels: Labels, _ t: Timestamp, _ v: Double, batch: inout Batch) throws(AppendError) -> MemSeries {
        if labels.isEmpty { throw .invalidLabels(labels, reason: "empty label set") }
        if let series = lookupLocked(labels) {
            try batch.append(t, v, to: series)
            return series
        }
        try batch.checkBounds(t, labels: labels)
        let created = createSeriesLocked(labels)
        try batch.append(t, v, to: created)
        return created
    }

    /// A batch's view of the head: the bound it checks samples against, and the time range
    /// of the samples it appended, applied to the head at the end.
    private struct Batch {
        let minValidTime: Timestamp
        var minTime: Timestamp = .max
        var maxTime: Timestamp = .min

        func checkBounds(_ t: Timestamp, labels: Labels) throws(AppendError) {
            if t < minValidTime { throw .outOfBounds(series: labels, timestamp: t) }
        }

        /// Checks one sample of `series` as ``HeadAppender`` does and appends it; an exact
        /// repeat of the latest sample is ignored. Errors name the series' labels (the
        /// sample's, which are equal, need not be read).
        mutating func append(_ t: Timestamp, _ v: Double, to series: MemSeries) throws(AppendError) {
            if t < minValidTime { throw .outOfBounds(series: series.labels, timestamp: t) }
            guard try Head.admits(t, v, after: series.lastTime, series.lastValue, series: series.labels) else { return }
            series.append(t, v)
            minTime = min(minTime, t)
            maxTime = max(maxTime, t)
        }
    }
}
