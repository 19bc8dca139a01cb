import Foundation

/// A segment file opened for reading, read one 32 KiB page at a time so that replaying a
/// 128 MiB segment does not need 128 MiB of memory.
final class SegmentFile {
    let path: String
    let fd: Int32
    /// The size when opened; a writer appending later does not change what is read.
    let size: Int

    init(path: String) throws(TSDBError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open the WAL segment: \(WALFormat.errnoText())") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = WALFormat.errnoText()
            Foundation.close(fd)
            throw .io(path: path, reason: "cannot stat the WAL segment: \(reason)")
        }
        self.path = path
        self.fd = fd
        self.size = Int(info.st_size)
    }

    deinit { Foundation.close(fd) }

    var pageCount: Int { (size + WALFormat.pageSize - 1) / WALFormat.pageSize }

    /// Reads page `index` into `buffer` (which holds at least a page) and returns how many
    /// bytes it has: a full page, or fewer for the last page of the file.
    func readPage(_ index: Int, into buffer: inout [UInt8]) throws(TSDBError) -> Int {
        let start = index * WALFormat.pageSize
        let wanted = min(WALFormat.pageSize, size - start)
        guard wanted > 0 else { return 0 }
        var got = 0
        while got < wanted {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + got, wanted - got, off_t(start + got))
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .io(path: path, reason: "read failed at offset \(start + got): \(WALFormat.errnoText())") }
            if n == 0 { break }  // The file shrank while being read.
            got += n
        }
        return got
    }
}

/// Damage found in a segment: where, why, and where to look for valid data after it.
struct WALDamage {
    /// The byte offset of the problem in the segment.
    let offset: Int
    let reason: String
    /// Where the next fragment would start if the damaged fragment's header can be trusted
    /// (its length is plausible); searching for later valid records starts there.
    let resumeOffset: Int?
}

/// Reassembles records from one segment's fragments, checking every checksum, fragment
/// order and page padding. Stops at the first damage and reports it instead of throwing,
/// because whether damage is a torn tail (repairable) or mid-log corruption (an error)
/// depends on what follows it.
struct SegmentScanner {
    enum Step {
        /// A complete record, and the offset of its first fragment.
        case record([UInt8], offset: Int)
        case end
        case damaged(WALDamage)
    }

    let file: SegmentFile
    private var page = [UInt8](repeating: 0, count: WALFormat.pageSize)
    private var pageIndex = -1
    private var pageBytes = 0
    private var position = 0
    /// The offset right after the last complete record: where a repair truncates.
    private(set) var validEnd = 0
    /// Complete records read so far.
    private(set) var recordCount = 0

    init(file: SegmentFile) { self.file = file }

    /// The next complete record, the end of the segment, or the first damage.
    /// Throws only for I/O errors and for compressed records (not supported yet).
    mutating func next() throws(TSDBError) -> Step {
        let pageSize = WALFormat.pageSize, headerSize = WALFormat.headerSize
        var record: [UInt8] = []
        var recordStart = -1
        var compressed = false
        while true {
            if position >= pageBytes {
                let atEnd = (pageIndex >= 0 && pageBytes < pageSize) || (pageIndex + 1) * pageSize >= file.size
                if atEnd {
                    if recordStart >= 0 {
                        return .damaged(WALDamage(
                            offset: recordStart,
                            reason: "the record starting here is torn: the file ends before its last fragment",
                            resumeOffset: nil))
                    }
                    return .end
                }
                pageIndex += 1
                pageBytes = try file.readPage(pageIndex, into: &page)
                position = 0
                continue
            }
            let base = pageIndex * pageSize
            let offset = base + position
            let typeByte = page[position]

            // Padding: a zero type byte, or a page tail too small for a fragment header.
            // Everything up to the page end must be zero.
            if typeByte == 0 || pageSize - position < headerSize {
                if let bad = page[position..<pageBytes].firstIndex(where: { $0 != 0 }) {
                    // Perhaps only the type byte of a fragment was zeroed: search on after it.
                    return .damaged(WALDamage(
                        offset: base + bad,
                        reason: "unexpected non-zero byte 0x\(hex(page[bad])) in page padding",
                        resumeOffset: nextFragmentOffset()))
                }
                position = pageBytes
                continue
            }

            guard let kind = WALFormat.Fragment(rawValue: typeByte & WALFormat.typeMask) else {
                return .damaged(WALDamage(
                    offset: offset, reason: "invalid fragment type byte 0x\(hex(typeByte))", resumeOffset: nextFragmentOffset()))
            }
            guard pageBytes - position >= headerSize else {
                return .damaged(WALDamage(
                    offset: offset, reason: "the file ends inside a fragment header", resumeOffset: nil))
            }
            let length = Int(page[position + 1]) << 8 | Int(page[position + 2])
            let stored = UInt32(page[position + 3]) << 24 | UInt32(page[position + 4]) << 16
                | UInt32(page[position + 5]) << 8 | UInt32(page[position + 6])
            let dataStart = position + headerSize, dataEnd = dataStart + length
            guard dataEnd <= pageSize else {
                return .damaged(WALDamage(
                    offset: offset,
                    reason: "fragment length \(length) runs past the end of its 32 KiB page",
                    resumeOffset: nil))
            }
            guard dataEnd <= pageBytes else {
                return .damaged(WALDamage(
                    offset: offset,
                    reason: "the file ends inside a fragment (\(length) data bytes announced, \(pageBytes - dataStart) present)",
                    resumeOffset: nil))
            }
            let computed = page.withUnsafeBufferPointer { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[dataStart..<dataEnd])) }
            guard computed == stored else {
                return .damaged(WALDamage(
                    offset: offset,
                    reason: "checksum mismatch (stored 0x\(hex(stored)), computed 0x\(hex(computed)))",
                    resumeOffset: base + dataEnd))
            }
            if typeByte & WALFormat.zstdFlag != 0 {
                throw .corrupt(
                    file: file.path, offset: offset,
                    reason: "the record is zstd-compressed, which is not supported yet (Prometheus's default, snappy, is)")
            }
            switch kind {
            case .full, .first:
                if recordStart >= 0 {
                    return .damaged(WALDamage(
                        offset: recordStart,
                        reason: "the record starting here is torn: a new record starts at offset \(offset) before its last fragment",
                        resumeOffset: offset))
                }
                recordStart = offset
                compressed = typeByte & WALFormat.snappyFlag != 0
            case .middle, .last:
                if recordStart < 0 {
                    return .damaged(WALDamage(
                        offset: offset,
                        reason: "a \(kind == .middle ? "middle" : "last") fragment without a first fragment",
                        resumeOffset: base + dataEnd))
                }
            }
            record.append(contentsOf: page[dataStart..<dataEnd])
            position = dataEnd
            if kind == .full || kind == .last {
                if compressed {
                    // Compression applies to the whole record, before it is split into fragments.
                    guard let plain = Snappy.decompress(record) else {
                        return .damaged(WALDamage(
                            offset: recordStart, reason: "the snappy-compressed record does not decompress",
                            resumeOffset: base + position))
                    }
                    record = plain
                }
                validEnd = base + position
                recordCount += 1
                return .record(record, offset: recordStart)
            }
        }
    }

    /// Where the fragment after the one at the current position would start if its length
    /// field is right, when that is inside the page; used to look for records after damage.
    private func nextFragmentOffset() -> Int? {
        let headerSize = WALFormat.headerSize
        guard WALFormat.pageSize - position >= headerSize, position + headerSize <= pageBytes else { return nil }
        let end = position + headerSize + (Int(page[position + 1]) << 8 | Int(page[position + 2]))
        return end <= WALFormat.pageSize ? pageIndex * WALFormat.pageSize + end : nil
    }

    /// Whether a valid record starts anywhere in `file` at or after `offset`: a fragment of
    /// kind full or first, with data and a matching checksum. Fragment chains are followed
    /// from `offset` and from every later page start (fragments are page-aligned, so a
    /// damaged page does not hide the next page's records).
    ///
    /// Such a record after damage means the damage is in the middle of the log, not a torn
    /// tail, and must not be repaired by truncation.
    static func containsRecordStart(_ file: SegmentFile, from offset: Int) throws(TSDBError) -> Bool {
        let pageSize = WALFormat.pageSize
        var buffer = [UInt8](repeating: 0, count: pageSize)
        var pageIndex = offset / pageSize
        var start = offset % pageSize
        while pageIndex < file.pageCount {
            let count = try file.readPage(pageIndex, into: &buffer)
            if chainHasRecordStart(buffer, count: count, from: start) { return true }
            pageIndex += 1
            start = 0
        }
        return false
    }

    private static func chainHasRecordStart(_ page: [UInt8], count: Int, from start: Int) -> Bool {
        let headerSize = WALFormat.headerSize
        var position = start
        while position + headerSize <= count {
            let typeByte = page[position]
            guard typeByte != 0, let kind = WALFormat.Fragment(rawValue: typeByte & WALFormat.typeMask) else { return false }
            let length = Int(page[position + 1]) << 8 | Int(page[position + 2])
            let end = position + headerSize + length
            guard end <= count else { return false }
            let stored = UInt32(page[position + 3]) << 24 | UInt32(page[position + 4]) << 16
                | UInt32(page[position + 5]) << 8 | UInt32(page[position + 6])
            let computed = page.withUnsafeBufferPointer {
                CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[(position + headerSize)..<end]))
            }
            guard computed == stored else { return false }
            if (kind == .full || kind == .first) && length > 0 { return true }
            position = end
        }
        return false
    }
}

fileprivate func hex<T: BinaryInteger>(_ value: T) -> String { String(value, radix: 16) }
