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

        public init() {}
    }

    public let directory: String
    public let options: Options
    public let head: Head
    private let wal: WriteAheadLog
    private let lockDescriptor: Int32
    private let lock = NSLock()
    private var blockList: [Block]
    /// Problems found while opening (repaired WAL tails, unreadable blocks), for the log.
    public private(set) var warnings: [String] = []

    public var blocks: [Block] { lock.withLock { blockList } }

    public init(directory: String, options: Options = Options()) throws(TSDBError) {
        self.directory = directory
        self.options = options
        try FileIO.createDirectory(directory)
        lockDescriptor = try DB.acquireLock(directory)
        var warnings: [String] = []
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
            DB.releaseLock(lockDescriptor)
            throw error
        }
        self.warnings = warnings
    }

    deinit {
        try? wal.close()
        DB.releaseLock(lockDescriptor)
    }

    /// Closes the WAL and releases the lock; the DB must not be used afterwards.
    public func close() throws(TSDBError) {
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
            let start = OpenMetricsBackfill.floorDiv(minTime, options.blockRange) * options.blockRange
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
                let meta = try writer.write(into: directory, ulid: ulid)
                let block = try Block(directory: directory + "/" + meta.ulid)
                lock.withLock { blockList.append(block); blockList.sort { $0.meta.minTime < $1.meta.minTime } }
                written.append(meta)
            }
            head.truncate(before: end)
            try checkpointWAL()
        }
        return written
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
                default:
                    break
                }
            }
        }
        if let persisted { head.truncate(before: persisted) }
    }

    // MARK: Lock file

    static func acquireLock(_ directory: String) throws(TSDBError) -> Int32 {
        let path = directory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Foundation.close(fd)
            throw .io(path: path, reason: "the data directory is in use by another process (its lock file is held)")
        }
        return fd
    }

    static func releaseLock(_ fd: Int32) {
        flock(fd, LOCK_UN)
        Foundation.close(fd)
    }
}
