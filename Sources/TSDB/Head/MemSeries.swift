import Model

/// One series in the head: its closed chunks and the chunk being appended to.
///
/// The stored properties are declared in the order an append reads them (a class's fields
/// are laid out in declaration order): what the head checks before appending (removal,
/// labels, latest sample) shares the first cache line with the reference count, the open
/// chunk's state follows, and what appends never read comes last. With thousands of series
/// appended once each per evaluation, every line touched is a cache miss.
///
/// The mutable fields are exempt from runtime exclusivity checks (a call into the runtime
/// on every access of a class's stored property, several per append): a series is only
/// read and written under its head's lock, one access at a time.
final class MemSeries: @unchecked Sendable {
    /// Set when truncation drops the series from the head; appenders holding it start anew.
    @exclusivity(unchecked) var isRemoved = false
    /// The last appended sample, for order and duplicate checks.
    @exclusivity(unchecked) var lastTime: Timestamp = .min
    @exclusivity(unchecked) var lastValue: Double = 0
    let labels: Labels
    @exclusivity(unchecked) var openMinTime: Timestamp = 0
    @exclusivity(unchecked) var cutter: ChunkCutter
    @exclusivity(unchecked) var appender = XORAppender()
    let ref: UInt64
    /// Closed chunks, oldest first.
    @exclusivity(unchecked) var chunks: [(meta: ChunkMeta, chunk: XORChunk)] = []

    init(ref: UInt64, labels: Labels, chunkRange: Int64) {
        self.ref = ref
        self.labels = labels
        cutter = ChunkCutter(chunkRange: chunkRange)
    }

    var isEmpty: Bool { chunks.isEmpty && appender.count == 0 }

    var minTime: Timestamp { chunks.first?.meta.minTime ?? openMinTime }

    /// Appends a sample that has been validated; cuts chunks as Prometheus's head does.
    func append(_ t: Timestamp, _ v: Double) {
        let count = appender.count
        if cutter.shouldCut(at: t, chunkMinTime: openMinTime, chunkMaxTime: lastTime, count: count, bytes: appender.byteCount) || appender.isFull {
            closeChunk()
        }
        if appender.count == 0 { openMinTime = t }
        appender.append(t, v)
        lastTime = t
        lastValue = v
    }

    func closeChunk() {
        guard appender.count > 0 else { return }
        chunks.append((ChunkMeta(ref: 0, minTime: openMinTime, maxTime: lastTime), appender.chunk))
        appender = XORAppender()
    }

    /// The chunks overlapping [mint, maxt], the open one included, as immutable values.
    func chunks(overlapping mint: Timestamp, _ maxt: Timestamp) -> [XORChunk] {
        var out: [XORChunk] = []
        for (meta, chunk) in chunks where meta.maxTime >= mint && meta.minTime <= maxt { out.append(chunk) }
        if appender.count > 0, lastTime >= mint, openMinTime <= maxt { out.append(appender.chunk) }
        return out
    }

    /// Removes the samples in `interval`, re-encoding the chunks that held them. The
    /// latest time stays, so later appends are still checked against it.
    func delete(_ interval: ClosedRange<Timestamp>) throws {
        let all = chunks.map(\.chunk) + (appender.count > 0 ? [appender.chunk] : [])
        var kept: [Sample] = []
        for chunk in all {
            var iterator = chunk.makeIterator()
            while let sample = try iterator.next() {
                if !interval.contains(sample.timestamp) { kept.append(sample) }
            }
        }
        let latest = (lastTime, lastValue)
        chunks = []
        appender = XORAppender()
        cutter = ChunkCutter(chunkRange: cutter.chunkRange)
        lastTime = .min
        for sample in kept { append(sample.timestamp, sample.value) }
        (lastTime, lastValue) = latest
    }

    /// Drops the closed chunks that end before `t` (after they were persisted in a block).
    func truncateChunks(before t: Timestamp) {
        chunks.removeAll { $0.meta.maxTime < t }
    }
}
