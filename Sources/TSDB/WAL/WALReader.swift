/// Streams the records of a write-ahead log (or of a checkpoint, which has the same
/// format), reassembling fragments and verifying every checksum.
///
/// Damage is judged by what follows it. A torn or garbled tail — damage after which no
/// valid record starts anywhere in the remaining segments — is what a crash during a write
/// leaves behind: reading stops there quietly (``warnings`` says where), since those
/// records were never acknowledged. Damage followed by valid records is corruption in the
/// middle of the log: ``next()`` throws ``TSDBError/corrupt(file:offset:reason:)`` naming the
/// segment file and byte offset rather than silently skipping acknowledged data.
public struct WALReader {
    private let files: [String]
    private var fileIndex = 0
    private var scanner: SegmentScanner?
    private var finished = false

    /// Torn tails that reading stopped at, as human-readable text naming file and offset.
    public private(set) var warnings: [String] = []
    /// The segment file of the record last returned by ``next()``.
    public private(set) var file = ""
    /// The byte offset (of the first fragment) of the record last returned by ``next()``,
    /// so a caller that cannot decode it can say where it is.
    public private(set) var offset = 0

    /// Reads the segments of `directory` numbered `fromSegment` or higher.
    /// Throws when the folder cannot be listed or the segment numbers have a gap.
    public init(directory: String, fromSegment: Int = 0) throws(TSDBError) {
        let segments = try WALFormat.segments(in: directory).filter { $0.index >= fromSegment }
        try WALFormat.checkSequential(segments, directory: directory)
        self.init(files: segments.map(\.path))
    }

    /// Reads everything needed to rebuild the in-memory state: the records of the last
    /// checkpoint of `directory` (see ``WriteAheadLog/lastCheckpoint(directory:)``), then
    /// those of the segments after the checkpoint's index.
    public init(replaying directory: String) throws(TSDBError) {
        var files: [String] = []
        var fromSegment = 0
        if let checkpoint = WriteAheadLog.lastCheckpoint(directory: directory) {
            let segments = try WALFormat.segments(in: checkpoint.path)
            try WALFormat.checkSequential(segments, directory: checkpoint.path)
            files = segments.map(\.path)
            fromSegment = checkpoint.index + 1
        }
        let segments = try WALFormat.segments(in: directory).filter { $0.index >= fromSegment }
        try WALFormat.checkSequential(segments, directory: directory)
        self.init(files: files + segments.map(\.path))
    }

    init(files: [String]) {
        self.files = files
    }

    /// The next record, or nil after the last one (or at a torn tail).
    public mutating func next() throws(TSDBError) -> [UInt8]? {
        while !finished {
            if scanner == nil {
                guard fileIndex < files.count else {
                    finished = true
                    return nil
                }
                scanner = SegmentScanner(file: try SegmentFile(path: files[fileIndex]))
            }
            switch try scanner!.next() {
            case let .record(bytes, recordOffset):
                file = files[fileIndex]
                offset = recordOffset
                return bytes
            case .end:
                scanner = nil
                fileIndex += 1
            case let .damaged(damage):
                let segment = scanner!.file
                scanner = nil
                finished = true
                if try Self.validRecordFollows(damage, in: segment, laterFiles: files[(fileIndex + 1)...]) {
                    throw .corrupt(
                        file: segment.path, offset: damage.offset,
                        reason: damage.reason + "; valid records follow, so this is corruption inside the log, not a torn tail")
                }
                warnings.append("\(segment.path): ignored a torn tail at offset \(damage.offset): \(damage.reason)")
            }
        }
        return nil
    }

    /// Whether a valid record starts after `damage`, in the same segment or a later one.
    static func validRecordFollows(_ damage: WALDamage, in segment: SegmentFile, laterFiles: ArraySlice<String>) throws(TSDBError) -> Bool {
        let pageSize = WALFormat.pageSize
        let from = damage.resumeOffset ?? (damage.offset / pageSize + 1) * pageSize
        if try SegmentScanner.containsRecordStart(segment, from: from) { return true }
        // The resume point may be past the page of the damage; the pages in between were
        // covered by the search from `from`, so only later files remain.
        for path in laterFiles {
            if try SegmentScanner.containsRecordStart(try SegmentFile(path: path), from: 0) { return true }
        }
        return false
    }
}
