import Foundation
import Model

/// The in-memory part of the database: the most recent samples of every series, in
/// chunks, with an inverted index (postings per label pair) for selection by matchers.
///
/// Appends go through ``HeadAppender`` transactions. The head is safe to use from
/// several tasks: one lock guards its state, and queriers read immutable snapshots of
/// the chunks they need.
public final class Head: Queryable, PostingsSource, @unchecked Sendable {
    private let lock = NSLock()
    private var seriesByRef: [UInt64: MemSeries] = [:]
    private var seriesByLabels: [Labels: MemSeries] = [:]
    /// name → value → ascending refs. Refs are assigned in increasing order, so appending keeps lists sorted.
    private var index: [String: [String: [UInt64]]] = [:]
    private var allRefs: [UInt64] = []
    private var nextRef: UInt64 = 1
    var nextRefValue: UInt64 { nextRef }
    public let chunkRange: Int64
    /// Samples before this time are refused as out of bounds (data older than the head).
    public private(set) var minValidTime: Timestamp = .min
    public private(set) var minTime: Timestamp = .max
    public private(set) var maxTime: Timestamp = .min

    public init(chunkRange: Int64 = 2 * 3_600_000) {
        self.chunkRange = chunkRange
    }

    /// Why the head refused a sample; the messages are Prometheus's.
    public enum AppendError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Older than the series' latest sample.
        case outOfOrder(series: Labels, timestamp: Timestamp)
        /// Same timestamp as the latest sample, with a different value.
        case duplicateSampleForTimestamp(series: Labels, timestamp: Timestamp)
        /// Older than the head's valid range (already persisted).
        case outOfBounds(series: Labels, timestamp: Timestamp)
        /// The series has no `__name__`, or a label is malformed.
        case invalidLabels(Labels, reason: String)

        public var description: String {
            switch self {
            case let .outOfOrder(series, t): return "out of order sample: \(series) at \(t)"
            case let .duplicateSampleForTimestamp(series, t): return "duplicate sample for timestamp: \(series) at \(t)"
            case let .outOfBounds(series, t): return "out of bounds: \(series) at \(t)"
            case let .invalidLabels(labels, reason): return "invalid labels \(labels): \(reason)"
            }
        }
    }

    public var seriesCount: Int { lock.withLock { seriesByRef.count } }

    /// Starts a transaction. `log` is called with the WAL records of a commit before the
    /// samples become visible; if it throws, the commit fails and nothing changes.
    public func appender(log: (@Sendable ([WALRecord]) throws -> Void)? = nil) -> HeadAppender {
        HeadAppender(head: self, log: log)
    }

    // MARK: Used by appenders (under the lock)

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The committed state a new sample is checked against: (ref, last time, last value).
    func lookupLocked(_ labels: Labels) -> MemSeries? {
        seriesByLabels[labels]
    }

    /// Creates a series (under the lock) and returns its ref; an existing one is returned as is.
    @discardableResult
    func createSeriesLocked(_ labels: Labels, ref wanted: UInt64? = nil) -> MemSeries {
        if let existing = seriesByLabels[labels] { return existing }
        let ref = wanted ?? nextRef
        nextRef = max(nextRef, ref + 1)
        let series = MemSeries(ref: ref, labels: labels, chunkRange: chunkRange)
        seriesByRef[ref] = series
        seriesByLabels[labels] = series
        // Refs normally grow, so appending keeps postings sorted; WAL replay may not.
        insertSorted(ref, into: &allRefs)
        for label in labels { insertSorted(ref, into: &index[label.name, default: [:]][label.value, default: []]) }
        return series
    }

    private func insertSorted(_ ref: UInt64, into list: inout [UInt64]) {
        if list.last.map({ $0 < ref }) ?? true {
            list.append(ref)
        } else {
            var low = 0, high = list.count
            while low < high {
                let mid = (low + high) / 2
                if list[mid] < ref { low = mid + 1 } else { high = mid }
            }
            if low == list.count || list[low] != ref { list.insert(ref, at: low) }
        }
    }

    func appendLocked(ref: UInt64, _ t: Timestamp, _ v: Double) {
        guard let series = seriesByRef[ref] else { return }
        appendLocked(series, t, v)
    }

    /// Appends to a series known to be in the head (under the lock).
    func appendLocked(_ series: MemSeries, _ t: Timestamp, _ v: Double) {
        if series.lastTime != .min && t <= series.lastTime { return }  // already present (replay)
        series.append(t, v)
        minTime = min(minTime, t)
        maxTime = max(maxTime, t)
    }

    /// Widens the head's time range to [lo, hi] after appends that bypassed
    /// ``appendLocked(_:_:_:)`` (under the lock).
    func extendTimeRangeLocked(_ lo: Timestamp, _ hi: Timestamp) {
        minTime = min(minTime, lo)
        maxTime = max(maxTime, hi)
    }

    func labels(ofLocked ref: UInt64) -> Labels? { seriesByRef[ref]?.labels }

    // MARK: Truncation (after compaction)

    /// Forgets data before `t`: closed chunks that ended earlier, and series left empty.
    /// Later samples before `t` are refused as out of bounds.
    public func truncate(before t: Timestamp) {
        withLock {
            minValidTime = max(minValidTime, t)
            var removed: [UInt64] = []
            for (ref, series) in seriesByRef {
                series.truncateChunks(before: t)
                if series.isEmpty || (series.chunks.isEmpty && series.appender.count > 0 && series.lastTime < t) {
                    removed.append(ref)
                }
            }
            for ref in removed {
                guard let series = seriesByRef.removeValue(forKey: ref) else { continue }
                seriesByLabels[series.labels] = nil
                series.isRemoved = true
            }
            if !removed.isEmpty {
                let gone = Set(removed)
                allRefs.removeAll { gone.contains($0) }
                for name in Array(index.keys) {
                    for value in Array(index[name]?.keys ?? [:].keys) {
                        index[name]?[value]?.removeAll { gone.contains($0) }
                        if index[name]?[value]?.isEmpty == true { index[name]?[value] = nil }
                    }
                    if index[name]?.isEmpty == true { index[name] = nil }
                }
            }
            minTime = seriesByRef.values.map(\.minTime).min() ?? .max
            if seriesByRef.isEmpty { maxTime = .min }
        }
    }

    /// Deletes the samples in [mint, maxt] of the series matching `matchers`; returns the
    /// refs touched (for the WAL's tombstones record).
    @discardableResult
    public func delete(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws -> [UInt64] {
        let refs = try PostingsForMatchers.resolve(matchers, in: self)
        try delete(refs: refs, mint: mint, maxt: maxt)
        return refs
    }

    /// Deletes an interval of one series (under the lock; WAL replay).
    func deleteLocked(ref: UInt64, _ interval: ClosedRange<Timestamp>) throws {
        try seriesByRef[ref]?.delete(interval)
    }

    /// Deletes the samples in [mint, maxt] of the given series.
    func delete(refs: [UInt64], mint: Timestamp, maxt: Timestamp) throws {
        try withLock {
            for ref in refs { try seriesByRef[ref]?.delete(mint...maxt) }
        }
    }

    /// Every series with its samples in [mint, maxt], for writing a block.
    func snapshot(mint: Timestamp, maxt: Timestamp) -> [(Labels, [XORChunk])] {
        withLock {
            seriesByRef.values.compactMap { series in
                let chunks = series.chunks(overlapping: mint, maxt)
                return chunks.isEmpty ? nil : (series.labels, chunks)
            }
        }
    }

    /// Every series' ref and labels, for checkpoints.
    func seriesRecords() -> [(ref: UInt64, labels: Labels)] {
        withLock { seriesByRef.values.map { ($0.ref, $0.labels) }.sorted { $0.ref < $1.ref } }
    }

    // MARK: PostingsSource

    public func postings(_ name: String, _ value: String) throws -> [UInt64] {
        withLock { index[name]?[value] ?? [] }
    }

    public func postings(_ name: String, where include: (String) -> Bool) throws -> [UInt64] {
        let lists: [[UInt64]] = withLock { (index[name] ?? [:]).compactMap { include($0.key) ? $0.value : nil } }
        return Postings.union(lists)
    }

    public func allPostings() throws -> [UInt64] { withLock { allRefs } }

    // MARK: Queryable

    public func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier {
        HeadQuerier(head: self, mint: mint, maxt: maxt)
    }

    /// The series `ref` with its chunks overlapping [mint, maxt].
    func series(_ ref: UInt64, mint: Timestamp, maxt: Timestamp) -> (Labels, [XORChunk])? {
        withLock {
            guard let series = seriesByRef[ref] else { return nil }
            return (series.labels, series.chunks(overlapping: mint, maxt))
        }
    }

    func labelNames() -> [String] {
        withLock { index.keys.sorted { ByteOrder.less($0, $1) } }
    }

    func labelValues(_ name: String) -> [String] {
        withLock { (index[name]?.keys).map { $0.sorted { ByteOrder.less($0, $1) } } ?? [] }
    }
}
