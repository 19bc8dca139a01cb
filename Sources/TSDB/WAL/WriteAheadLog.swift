import Foundation

/// A segmented write-ahead log in Prometheus's `wlog` format, so that the head's recent
/// samples survive a crash and Prometheus's tools could read the files.
///
/// The log is a folder of segment files `00000000`, `00000001`, … of at most
/// `segmentSize` bytes (128 MiB by default), written in 32 KiB pages. A record is stored as
/// one fragment, or split into first/middle/last fragments when it does not fit in the rest
/// of a page; records never cross segments (a record larger than a whole segment gets a
/// segment of its own). Records are written uncompressed.
///
/// Opening repairs what a crash can leave behind: a torn or corrupt tail of the last
/// segment is truncated to its last complete record and noted in ``repairWarnings``.
/// Writing always continues in a fresh (or empty) segment, never inside an old one.
///
/// The class is internally synchronized, so several tasks may call ``log(_:)``
/// concurrently; each call's records are written together and in order.
public final class WriteAheadLog: @unchecked Sendable {
    /// The WAL folder.
    public let directory: String
    /// The size at which segments are cut (a multiple of 32 KiB).
    public let segmentSize: Int
    /// What opening repaired, as human-readable text naming segment file and offset.
    /// Empty when the log was intact.
    public private(set) var repairWarnings: [String] = []

    private let lock = NSLock()
    private var fd: Int32 = -1
    private var segmentIndex: Int
    /// Bytes written to the active segment.
    private var segmentOffset = 0
    private var firstSegment: Int
    private var closed = false
    /// Set when a write or fsync failed: what is on disk is then unknown, so the log refuses
    /// further writes (appending after a partial record would corrupt the middle of the log).
    private var failure: TSDBError?

    /// Opens the WAL in `directory`, creating the folder if needed, and repairs its tail.
    ///
    /// Damage at the end of the newest segments (a torn write, garbage, a bad checksum with no
    /// valid record after it) is cut off: the segment is truncated to the end of its last
    /// complete record, segments left empty after it are deleted, and ``repairWarnings``
    /// describes each change. Damage followed by valid records is not a crash artifact, so it
    /// is not repaired: this initializer then throws the corruption error, leaving the files
    /// untouched. Compressed records (not supported yet) also make it throw.
    ///
    /// - Parameter segmentSize: a positive multiple of 32 KiB (Prometheus's default is 128 MiB).
    public init(directory: String, segmentSize: Int = 128 << 20) throws(TSDBError) {
        guard segmentSize >= WALFormat.pageSize, segmentSize % WALFormat.pageSize == 0 else {
            throw .io(path: directory, reason: "the WAL segment size \(segmentSize) is not a positive multiple of 32 KiB")
        }
        self.directory = directory
        self.segmentSize = segmentSize
        try FileIO.createDirectory(directory)

        var segments = try WALFormat.segments(in: directory)
        var warnings: [String] = []
        // Segments a checkpoint covers are replaced by it (replay reads the checkpoint, then
        // only later segments). Left over by a crash before their deletion, they must go
        // now: new records written into one of them would be skipped by replay.
        if let checkpoint = Self.lastCheckpoint(directory: directory) {
            for covered in segments where covered.index <= checkpoint.index {
                try WALFile.remove(covered.path)
                warnings.append("\(covered.path): deleted the segment, which checkpoint.\(WALFormat.segmentName(checkpoint.index)) replaces")
            }
            segments.removeAll { $0.index <= checkpoint.index }
        }
        try WALFormat.checkSequential(segments, directory: directory)

        // Walk back from the newest segment until one still has complete records: damage is
        // cut off on the way, and the segments passed are (now) empty.
        var lastWithRecords = -1
        for position in segments.indices.reversed() {
            if try Self.repairTail(of: segments[position].path, warnings: &warnings) {
                lastWithRecords = position
                break
            }
        }
        // Keep the first empty segment after the data to write into; delete the rest.
        let firstEmpty = lastWithRecords + 1
        var writeIndex: Int
        if firstEmpty < segments.count {
            writeIndex = segments[firstEmpty].index
            for extra in segments[(firstEmpty + 1)...].reversed() {
                try WALFile.remove(extra.path)
                warnings.append("\(extra.path): deleted the segment, which was empty after repairing the tail")
            }
            segments.removeSubrange((firstEmpty + 1)...)
        } else if let last = segments.last {
            writeIndex = last.index + 1
        } else {
            // A fresh log. After a checkpoint, new segments must number after it, or replay
            // (checkpoint, then the segments after its index) would skip them.
            writeIndex = (Self.lastCheckpoint(directory: directory)?.index).map { $0 + 1 } ?? 0
        }
        firstSegment = segments.first?.index ?? writeIndex
        segmentIndex = writeIndex
        repairWarnings = warnings

        try openSegment(writeIndex, truncate: true)
        try FileIO.syncDirectory(directory)
    }

    deinit {
        if !closed && fd >= 0 { Foundation.close(fd) }
    }

    /// Checks one segment and cuts off a damaged tail. Returns whether complete records remain.
    private static func repairTail(of path: String, warnings: inout [String]) throws(TSDBError) -> Bool {
        let file = try SegmentFile(path: path)
        var scanner = SegmentScanner(file: file)
        while true {
            switch try scanner.next() {
            case .record:
                continue
            case .end:
                return scanner.recordCount > 0
            case let .damaged(damage):
                if try WALReader.validRecordFollows(damage, in: file, laterFiles: []) {
                    throw .corrupt(
                        file: path, offset: damage.offset,
                        reason: damage.reason + "; valid records follow, so this is corruption inside the log and was not repaired")
                }
                let keep = scanner.validEnd
                try WALFile.truncate(path, to: keep)
                warnings.append(
                    "\(path): repaired a torn or corrupt tail at offset \(damage.offset) (\(damage.reason)); "
                        + "truncated the segment from \(file.size) to \(keep) bytes, keeping \(scanner.recordCount) complete records")
                return scanner.recordCount > 0
            }
        }
    }

    /// Makes segment `index` the active one. `truncate` empties an existing file (only ever
    /// one found to hold no records); otherwise the file must be new.
    private func openSegment(_ index: Int, truncate: Bool) throws(TSDBError) {
        let path = WALFormat.segmentPath(directory, index)
        if truncate && FileManager.default.fileExists(atPath: path) {
            try WALFile.truncate(path, to: 0)
        }
        let newFD = try WALFile.openForAppend(path)
        do throws(TSDBError) {
            let size = try WALFile.size(newFD, path: path)
            guard size == 0 else {
                throw TSDBError.io(path: path, reason: "a new WAL segment already exists with \(size) bytes")
            }
        } catch {
            Foundation.close(newFD)
            throw error
        }
        fd = newFD
        segmentIndex = index
        segmentOffset = 0
    }

    // MARK: Writing

    /// Appends `records` (in order) and fsyncs before returning, so a record is durable once
    /// this returns: the caller may then acknowledge it.
    ///
    /// A record that does not fit in the rest of the active segment starts a new segment.
    /// After a failed write or fsync the log refuses further writes, since the state of the
    /// file is then unknown; reopen it to repair the tail.
    public func log(_ records: [[UInt8]]) throws(TSDBError) {
        lock.lock()
        defer { lock.unlock() }
        try checkWritable()
        guard !records.isEmpty else { return }
        do throws(TSDBError) {
            let pageSize = WALFormat.pageSize, headerSize = WALFormat.headerSize
            var buffer: [UInt8] = []
            buffer.reserveCapacity(min(records.reduce(0) { $0 + $1.count + headerSize }, 4 << 20))
            var offset = segmentOffset
            for record in records {
                if offset > 0 && WALFormat.layoutEnd(from: offset, length: record.count) > segmentSize {
                    try WALFile.write(fd, buffer, path: activePath)
                    buffer.removeAll(keepingCapacity: true)
                    segmentOffset = offset
                    try cutLocked()
                    offset = 0
                }
                // Same layout as `WALFormat.layoutEnd`.
                var start = 0, first = true
                while first || start < record.count {
                    let pageLeft = pageSize - offset % pageSize
                    let left = record.count - start
                    if pageLeft < headerSize || (pageLeft == headerSize && left > 0) {
                        buffer.append(contentsOf: repeatElement(0, count: pageLeft))
                        offset += pageLeft
                        continue
                    }
                    let n = min(left, pageLeft - headerSize)
                    let isLast = n == left
                    let kind: WALFormat.Fragment = first ? (isLast ? .full : .first) : (isLast ? .last : .middle)
                    let crc = record.withUnsafeBufferPointer { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[start..<(start + n)])) }
                    buffer.append(kind.rawValue)
                    buffer.append(UInt8(truncatingIfNeeded: n >> 8))
                    buffer.append(UInt8(truncatingIfNeeded: n))
                    buffer.append(UInt8(truncatingIfNeeded: crc >> 24))
                    buffer.append(UInt8(truncatingIfNeeded: crc >> 16))
                    buffer.append(UInt8(truncatingIfNeeded: crc >> 8))
                    buffer.append(UInt8(truncatingIfNeeded: crc))
                    buffer.append(contentsOf: record[start..<(start + n)])
                    offset += headerSize + n
                    start += n
                    first = false
                }
            }
            try WALFile.write(fd, buffer, path: activePath)
            try WALFile.sync(fd, path: activePath)
            segmentOffset = offset
        } catch {
            failure = error
            throw error
        }
    }

    /// Ends the active segment and starts the next one; returns the new segment's index.
    ///
    /// Used before a checkpoint, so that the checkpoint can cover every segment before the
    /// new one.
    @discardableResult
    public func cutSegment() throws(TSDBError) -> Int {
        lock.lock()
        defer { lock.unlock() }
        try checkWritable()
        do throws(TSDBError) {
            try cutLocked()
        } catch {
            failure = error
            throw error
        }
        return segmentIndex
    }

    /// Pads the active segment to a page boundary (as Prometheus does), fsyncs and closes it,
    /// and creates the next segment.
    private func cutLocked() throws(TSDBError) {
        let path = activePath
        let partial = segmentOffset % WALFormat.pageSize
        if partial != 0 {
            try WALFile.write(fd, [UInt8](repeating: 0, count: WALFormat.pageSize - partial), path: path)
            segmentOffset += WALFormat.pageSize - partial
        }
        try WALFile.sync(fd, path: path)
        Foundation.close(fd)
        fd = -1
        try openSegment(segmentIndex + 1, truncate: false)
        try FileIO.syncDirectory(directory)
    }

    /// Flushes and closes the active segment. Further writes throw; closing twice is harmless.
    public func close() throws(TSDBError) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        defer {
            Foundation.close(fd)
            fd = -1
        }
        if failure == nil { try WALFile.sync(fd, path: activePath) }
    }

    /// The indexes of the oldest and the newest (active) segment.
    public var segmentRange: (first: Int, last: Int)? {
        lock.lock()
        defer { lock.unlock() }
        return (firstSegment, segmentIndex)
    }

    /// Deletes the segments numbered below `index` (oldest first, so an interruption leaves
    /// the rest sequential), typically after a checkpoint has taken over their content. The
    /// active segment is never deleted.
    public func removeSegments(before index: Int) throws(TSDBError) {
        lock.lock()
        defer { lock.unlock() }
        let limit = min(index, segmentIndex)
        let segments = try WALFormat.segments(in: directory)
        var removed = false
        for segment in segments where segment.index < limit {
            try WALFile.remove(segment.path)
            removed = true
        }
        if removed { try FileIO.syncDirectory(directory) }
        firstSegment = max(firstSegment, limit)
    }

    private var activePath: String { WALFormat.segmentPath(directory, segmentIndex) }

    private func checkWritable() throws(TSDBError) {
        if closed { throw .io(path: directory, reason: "the WAL is closed") }
        if let failure {
            throw .io(path: directory, reason: "the WAL stopped accepting writes after an earlier failure: \(failure)")
        }
    }

    // MARK: Reading

    /// All records of the segments of `directory` numbered `fromSegment` or higher, in order.
    /// A torn tail is skipped; corruption followed by valid records throws (see ``WALReader``).
    public static func readRecords(directory: String, fromSegment: Int = 0) throws(TSDBError) -> [[UInt8]] {
        var reader = try WALReader(directory: directory, fromSegment: fromSegment)
        var records: [[UInt8]] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    /// The records to replay on startup: those of the last checkpoint, then those of the
    /// segments after its index.
    public static func replay(directory: String) throws(TSDBError) -> [[UInt8]] {
        var reader = try WALReader(replaying: directory)
        var records: [[UInt8]] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }
}
