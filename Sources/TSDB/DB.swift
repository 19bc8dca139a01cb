import Foundation
import Model

/// A writable data directory: persisted blocks, the head with its write-ahead log, and a
/// lock file so that two writers never share it.
///
/// Opening replays the WAL (repairing a torn tail) into the head, so every sample whose
/// commit returned is there again after a crash. ``compact()`` persists full head ranges
/// as blocks and checkpoints the WAL.
public final class DB: Queryable, @unchecked Sendable {
    public struct Options: Sendable {
        /// The range of head chunks and of the blocks cut from the head (Prometheus: 2 h).
        public var blockRange: Int64 = 2 * 3_600_000
        /// WAL segment size.
        public var walSegmentSize: Int = 128 << 20
        /// Blocks entirely older than this much before the newest data are deleted (nil: keep).
        public var retentionDuration: Int64? = 15 * 24 * 3_600_000
        /// The oldest blocks are deleted while the blocks take more bytes than this (nil: no limit).
        public var retentionBytes: Int64?
        /// The largest block compaction produces (Prometheus: 10% of the retention, at most 31 days).
        public var maxBlockDuration: Int64?

        /// The compaction ranges these options give: 2 h × 3^k up to the maximum block duration.
        var compactionRanges: [Int64] {
            let limit = maxBlockDuration ?? min((retentionDuration ?? 31 * 24 * 3_600_000) / 10, 31 * 24 * 3_600_000)
            return Compactor.exponentialRanges(base: blockRange, maxBlockDuration: max(limit, blockRange))
        }

        public init() {}
    }

    public let directory: String
    public let options: Options
    public let head: Head
    private let wal: WriteAheadLog
    private let directoryLock: DirectoryLock
    private let lock = NSLock()
    private var blockList: [Block]
    /// Problems found while opening (repaired WAL tails, unreadable blocks), for the log.
    public private(set) var warnings: [String] = []

    public var blocks: [Block] { lock.withLock { blockList } }

    public init(directory: String, options: Options = Options()) throws(TSDBError) {
        self.directory = directory
        self.options = options
        try FileIO.createDirectory(directory)
        directoryLock = try DirectoryLock(directory: directory)
        var warnings: [String] = []
        // Leftovers of a crash during a block write or deletion.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where entry.hasSuffix(".tmp-for-creation") || entry.hasSuffix(".tmp-for-deletion") {
            try? FileManager.default.removeItem(atPath: directory + "/" + entry)
            warnings.append("removed the unfinished \(entry)")
        }
        do {
            let readOnly = try ReadOnlyDB(directory: directory)
            blockList = readOnly.blocks
            for broken in readOnly.brokenBlocks {
                warnings.append("skipping unreadable block \(broken.directory): \(broken.error)")
            }
            head = Head(chunkRange: options.blockRange)
            wal = try WriteAheadLog(directory: directory + "/wal", segmentSize: options.walSegmentSize)
            warnings += wal.repairWarnings
            try DB.replay(directory + "/wal", into: head, after: blockList.map(\.meta.maxTime).max())
        } catch {
            directoryLock.release()
            throw error
        }
        self.warnings = warnings
    }

    private var closed = false

    deinit {
        if !closed {
            try? wal.close()
            directoryLock.release()
        }
    }

    /// Closes the WAL and releases the lock; the DB must not be used afterwards.
    public func close() throws(TSDBError) {
        let first = lock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        defer { directoryLock.release() }
        try wal.close()
    }

    /// A transaction whose commit is durable (logged and fsynced) before it returns.
    public func appender() -> HeadAppender {
        let wal = self.wal
        return head.appender { records in try wal.log(records.map { $0.encoded() }) }
    }

    public func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier {
        let blocks = self.blocks.filter { $0.meta.minTime <= maxt && $0.meta.maxTime > mint }
        var queriers = try blocks.map { try $0.querier(mint: mint, maxt: maxt) }
        queriers.append(try head.querier(mint: mint, maxt: maxt))
        return MergeQuerier(queriers)
    }

    // MARK: Compaction

    /// Persists every complete block range of the head (those that end at least half a
    /// range before the newest sample, as Prometheus does), then forgets it from memory
    /// and checkpoints the WAL. Returns the blocks written.
    @discardableResult
    public func compact() throws -> [BlockMeta] {
        var written: [BlockMeta] = []
        var generator = SystemRandomNumberGenerator()
        while true {
            let minTime = head.minTime, maxTime = head.maxTime
            guard minTime != .max, maxTime != .min else { break }
            let start = floorDivide(minTime, options.blockRange) * options.blockRange
            let end = start + options.blockRange
            // Compact only once the head holds 1.5 ranges, so late samples can still land.
            guard maxTime - start >= options.blockRange * 3 / 2 else { break }
            var writer = BlockWriter(chunkRange: options.blockRange)
            for (labels, chunks) in head.snapshot(mint: start, maxt: end - 1).sorted(by: { $0.0 < $1.0 }) {
                var iterator = ChunksIterator(chunks: chunks, mint: start, maxt: end - 1)
                while let sample = try iterator.next() { try writer.append(labels, sample.timestamp, sample.value) }
            }
            if !writer.isEmpty {
                let ulid = ULID(time: Timestamp(Date().timeIntervalSince1970 * 1000), using: &generator)
                let meta = try writer.write(into: directory, ulid: ulid, range: (start, end))
                let block = try Block(directory: directory + "/" + meta.ulid)
                lock.withLock { blockList.append(block); blockList.sort { $0.meta.minTime < $1.meta.minTime } }
                written.append(meta)
            }
            head.truncate(before: end)
            try checkpointWAL()
        }
        written += try compactBlocks()
        try applyRetention()
        return written
    }

    /// Merges blocks as the leveled compactor plans (overlaps first, then ranges), and
    /// rewrites blocks that have tombstones so deleted data leaves the disk.
    @discardableResult
    public func compactBlocks() throws -> [BlockMeta] {
        var written: [BlockMeta] = []
        var generator = SystemRandomNumberGenerator()
        let compactor = Compactor(ranges: options.compactionRanges)
        while true {
            let current = blocks
            var inputs: [Block]
            if let planned = compactor.plan(current.map(\.meta)) {
                let wanted = Set(planned.map(\.ulid))
                inputs = current.filter { wanted.contains($0.meta.ulid) }
            } else if let withTombstones = current.first(where: { !$0.tombstones.isEmpty }) {
                inputs = [withTombstones]
            } else {
                break
            }
            let ulid = ULID(time: Timestamp(Date().timeIntervalSince1970 * 1000), using: &generator)
            let meta = try Compactor.compact(inputs, into: directory, ulid: ulid, chunkRange: options.blockRange)
            let block = try meta.map { try Block(directory: directory + "/" + $0.ulid) }
            let gone = Set(inputs.map(\.meta.ulid))
            lock.withLock {
                blockList.removeAll { gone.contains($0.meta.ulid) }
                if let block { blockList.append(block) }
                blockList.sort { $0.meta.minTime < $1.meta.minTime }
            }
            for input in inputs { try DB.removeBlock(input.directory) }
            if let meta { written.append(meta) }
        }
        return written
    }

    /// Deletes blocks beyond the retention time and size.
    public func applyRetention() throws {
        let current = blocks
        var doomed: [Block] = []
        if let retention = options.retentionDuration, let newest = current.map(\.meta.maxTime).max() {
            doomed += current.filter { $0.meta.maxTime <= newest - retention }
        }
        if let limit = options.retentionBytes {
            var total = current.reduce(Int64(0)) { $0 + DB.size(of: $1.directory) }
            for block in current where total > limit && !doomed.contains(where: { $0 === block }) {
                doomed.append(block)
                total -= DB.size(of: block.directory)
            }
        }
        guard !doomed.isEmpty else { return }
        let gone = Set(doomed.map(\.meta.ulid))
        lock.withLock { blockList.removeAll { gone.contains($0.meta.ulid) } }
        for block in doomed { try DB.removeBlock(block.directory) }
    }

    // MARK: Deletion

    /// Deletes the samples in [mint, maxt] of the series matching `matchers`: tombstones
    /// in the blocks (the data leaves the disk at the next compaction) and in the head
    /// (logged to the WAL first, so the deletion survives a restart).
    public func delete(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws {
        for block in blocks where block.meta.minTime <= maxt && block.meta.maxTime > mint {
            let refs = try PostingsForMatchers.resolve(matchers, in: block.index)
            guard !refs.isEmpty else { continue }
            var tombstones = block.tombstones
            for ref in refs { tombstones.add(ref, max(mint, block.meta.minTime)...min(maxt, block.meta.maxTime)) }
            let path = block.directory + "/tombstones"
            try FileIO.write(tombstones.encoded(), to: path + ".tmp")
            guard rename(path + ".tmp", path) == 0 else {
                throw TSDBError.io(path: path, reason: "cannot replace the tombstones file: \(String(cString: strerror(errno)))")
            }
            let reopened = try Block(directory: block.directory)
            lock.withLock {
                if let i = blockList.firstIndex(where: { $0.meta.ulid == block.meta.ulid }) { blockList[i] = reopened }
            }
        }
        let refs = try PostingsForMatchers.resolve(matchers, in: head)
        guard !refs.isEmpty else { return }
        try wal.log([WALRecord.tombstones(refs.map { ($0, [mint...maxt]) }).encoded()])
        try head.delete(refs: refs, mint: mint, maxt: maxt)
    }

    /// Removes a block folder: renamed first, so a crash never leaves half a block behind.
    public static func removeBlock(_ path: String) throws(TSDBError) {
        let doomed = path + ".tmp-for-deletion"
        guard rename(path, doomed) == 0 else {
            throw .io(path: path, reason: "cannot move the block aside for deletion: \(String(cString: strerror(errno)))")
        }
        do {
            try FileManager.default.removeItem(atPath: doomed)
        } catch {
            throw .io(path: doomed, reason: "cannot delete the block: \(error.localizedDescription)")
        }
    }

    static func size(of directory: String) -> Int64 {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var total: Int64 = 0
        for case let file as String in enumerator {
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + file)
            total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return total
    }

    /// Rewrites the WAL as a checkpoint of what the head still holds, and drops older segments.
    private func checkpointWAL() throws {
        try wal.cutSegment()
        guard let range = wal.segmentRange else { return }
        let through = range.last - 1
        guard through >= 0 else { return }
        var records: [[UInt8]] = []
        let series = head.seriesRecords()
        if !series.isEmpty { records.append(WALRecord.series(series).encoded()) }
        for (ref, _) in series {
            guard let (_, chunks) = head.series(ref, mint: .min, maxt: .max) else { continue }
            var iterator = ChunksIterator(chunks: chunks, mint: .min, maxt: .max)
            var samples: [(ref: UInt64, t: Int64, v: Double)] = []
            while let sample = try iterator.next() { samples.append((ref, sample.timestamp, sample.value)) }
            if !samples.isEmpty { records.append(WALRecord.samples(samples).encoded()) }
        }
        try WriteAheadLog.checkpoint(directory: directory + "/wal", through: through, records: records)
        try wal.removeSegments(before: through + 1)
    }

    // MARK: Replay

    static func replay(_ walDirectory: String, into head: Head, after persisted: Timestamp?) throws(TSDBError) {
        let records = try WriteAheadLog.replay(directory: walDirectory)
        let minValid = persisted ?? .min
        head.withLock {
            for bytes in records {
                guard let record = try? WALRecord.decode(bytes) else { continue }
                switch record {
                case let .series(series):
                    for s in series { _ = head.createSeriesLocked(s.labels, ref: s.ref) }
                case let .samples(samples):
                    for s in samples where s.t >= minValid { head.appendLocked(ref: s.ref, s.t, s.v) }
                case let .tombstones(tombstones):
                    for t in tombstones {
                        for interval in t.intervals { try? head.deleteLocked(ref: t.ref, interval) }
                    }
                default:
                    break
                }
            }
        }
        if let persisted { head.truncate(before: persisted) }
    }
}
