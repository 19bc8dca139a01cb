import Model

/// A transaction of samples for the head: ``append(_:_:_:)`` checks each sample as
/// Prometheus does (order, duplicates, bounds), ``commit()`` logs the transaction to the
/// WAL and then makes it visible all at once, ``rollback()`` drops it.
public struct HeadAppender {
    let head: Head
    let log: (@Sendable ([WALRecord]) throws -> Void)?
    private var pending: [(labels: Labels, t: Timestamp, v: Double)] = []
    /// The latest pending sample per series, for checks within the transaction.
    private var latest: [Labels: (t: Timestamp, v: Double)] = [:]

    init(head: Head, log: (@Sendable ([WALRecord]) throws -> Void)?) {
        self.head = head
        self.log = log
    }

    /// Samples waiting for ``commit()``.
    public var count: Int { pending.count }

    /// Adds a sample to the transaction, or throws ``Head/AppendError`` when the head
    /// would refuse it. An exact repeat of the latest sample is accepted and ignored.
    public mutating func append(_ labels: Labels, _ t: Timestamp, _ v: Double) throws(Head.AppendError) {
        if labels.isEmpty { throw .invalidLabels(labels, reason: "empty label set") }
        let committed = head.withLock { (head.lookupLocked(labels), head.minValidTime) }
        if t < committed.1 { throw .outOfBounds(series: labels, timestamp: t) }
        let last: (t: Timestamp, v: Double)? = latest[labels] ?? committed.0.flatMap {
            $0.lastTime == .min ? nil : ($0.lastTime, $0.lastValue)
        }
        if let last {
            if t < last.t { throw .outOfOrder(series: labels, timestamp: t) }
            if t == last.t {
                if v.bitPattern == last.v.bitPattern { return }
                throw .duplicateSampleForTimestamp(series: labels, timestamp: t)
            }
        }
        pending.append((labels, t, v))
        latest[labels] = (t, v)
    }

    /// Logs the transaction (new series, then samples) and applies it. On error nothing
    /// is applied; samples another transaction made invalid meanwhile fail the commit.
    public mutating func commit() throws {
        defer { rollback() }
        guard !pending.isEmpty else { return }
        let head = self.head
        let pending = self.pending
        let log = self.log
        try head.withLock {
            // Re-check against what other transactions committed since append().
            for sample in pending {
                if sample.t < head.minValidTime { throw Head.AppendError.outOfBounds(series: sample.labels, timestamp: sample.t) }
            }
            var refs: [Labels: UInt64] = [:]
            var newSeries: [(ref: UInt64, labels: Labels)] = []
            var samples: [(ref: UInt64, t: Int64, v: Double)] = []
            samples.reserveCapacity(pending.count)
            var planned = head.nextRefLocked
            for sample in pending {
                let ref: UInt64
                if let known = refs[sample.labels] {
                    ref = known
                } else if let existing = head.lookupLocked(sample.labels) {
                    if sample.t <= existing.lastTime && existing.lastTime != .min {
                        if sample.t < existing.lastTime { throw Head.AppendError.outOfOrder(series: sample.labels, timestamp: sample.t) }
                        if sample.v.bitPattern != existing.lastValue.bitPattern {
                            throw Head.AppendError.duplicateSampleForTimestamp(series: sample.labels, timestamp: sample.t)
                        }
                    }
                    ref = existing.ref
                    refs[sample.labels] = ref
                } else {
                    ref = planned
                    planned += 1
                    refs[sample.labels] = ref
                    newSeries.append((ref, sample.labels))
                }
                samples.append((ref, sample.t, sample.v))
            }
            if let log {
                var records: [WALRecord] = []
                if !newSeries.isEmpty { records.append(.series(newSeries)) }
                records.append(.samples(samples))
                try log(records)
            }
            for series in newSeries { _ = head.createSeriesLocked(series.labels, ref: series.ref) }
            for sample in samples { head.appendLocked(ref: sample.ref, sample.t, sample.v) }
        }
    }

    /// Drops the pending samples.
    public mutating func rollback() {
        pending.removeAll()
        latest.removeAll()
    }
}

extension Head {
    /// The ref the next new series gets (under the lock).
    var nextRefLocked: UInt64 { nextRefValue }
}
