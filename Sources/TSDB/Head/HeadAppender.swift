import Model

/// A transaction of samples for the head: ``append(_:_:_:)`` checks each sample as
/// Prometheus does (order, duplicates, bounds), ``commit()`` logs the transaction to the
/// WAL and then makes it visible all at once, ``rollback()`` drops it.
public struct HeadAppender {
    let head: Head
    let log: (@Sendable ([WALRecord]) throws -> Void)?
    /// Samples with the series they go to when it already existed at append time.
    private var pending: [(labels: Labels, series: MemSeries?, t: Timestamp, v: Double)] = []
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
        let (series, lastTime, lastValue, minValid) = head.withLock {
            let s = head.lookupLocked(labels)
            return (s, s?.lastTime ?? .min, s?.lastValue ?? 0, head.minValidTime)
        }
        try add(labels, t, v, series: series, lastTime: lastTime, lastValue: lastValue, minValid: minValid)
    }

    /// Adds many samples, looking their series up under one lock; returns the refused
    /// samples' indexes and errors (the others stay in the transaction).
    public mutating func append(contentsOf samples: [(labels: Labels, t: Timestamp, v: Double)]) -> [(index: Int, error: Head.AppendError)] {
        let found: [(MemSeries?, Timestamp, Double)]
        let minValid: Timestamp
        (found, minValid) = head.withLock {
            (samples.map { sample in
                let s = head.lookupLocked(sample.labels)
                return (s, s?.lastTime ?? .min, s?.lastValue ?? 0)
            }, head.minValidTime)
        }
        var errors: [(index: Int, error: Head.AppendError)] = []
        for (i, sample) in samples.enumerated() {
            do throws(Head.AppendError) {
                if sample.labels.isEmpty { throw .invalidLabels(sample.labels, reason: "empty label set") }
                let (series, lastTime, lastValue) = found[i]
                try add(sample.labels, sample.t, sample.v, series: series, lastTime: lastTime, lastValue: lastValue, minValid: minValid)
            } catch {
                errors.append((i, error))
            }
        }
        return errors
    }

    private mutating func add(
        _ labels: Labels, _ t: Timestamp, _ v: Double, series: MemSeries?, lastTime: Timestamp, lastValue: Double, minValid: Timestamp
    ) throws(Head.AppendError) {
        if t < minValid { throw .outOfBounds(series: labels, timestamp: t) }
        let last = latest[labels] ?? (lastTime, lastValue)
        guard try Head.admits(t, v, after: last.t, last.v, series: labels) else { return }
        pending.append((labels, series, t, v))
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
            var created: [Labels: UInt64] = [:]
            var newSeries: [(ref: UInt64, labels: Labels)] = []
            var targets: [MemSeries?] = []
            var samples: [(ref: UInt64, t: Int64, v: Double)] = []
            samples.reserveCapacity(pending.count)
            targets.reserveCapacity(pending.count)
            var planned = head.nextRefLocked
            for sample in pending {
                // The series seen at append time, unless truncation removed it since.
                var series = sample.series.flatMap { $0.isRemoved ? nil : $0 }
                if series == nil, created[sample.labels] == nil { series = head.lookupLocked(sample.labels) }
                if let existing = series {
                    // Repeats were dropped at append(); what passes the rule here is appended as before.
                    _ = try Head.admits(sample.t, sample.v, after: existing.lastTime, existing.lastValue, series: sample.labels)
                    samples.append((existing.ref, sample.t, sample.v))
                } else if let ref = created[sample.labels] {
                    samples.append((ref, sample.t, sample.v))
                } else {
                    let ref = planned
                    planned += 1
                    created[sample.labels] = ref
                    newSeries.append((ref, sample.labels))
                    samples.append((ref, sample.t, sample.v))
                }
                targets.append(series)
            }
            if let log {
                var records: [WALRecord] = []
                if !newSeries.isEmpty { records.append(.series(newSeries)) }
                records.append(.samples(samples))
                try log(records)
            }
            for series in newSeries { head.createSeriesLocked(series.labels, ref: series.ref) }
            for (i, sample) in samples.enumerated() {
                if let series = targets[i] {
                    head.appendLocked(series, sample.t, sample.v)
                } else {
                    head.appendLocked(ref: sample.ref, sample.t, sample.v)
                }
            }
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
