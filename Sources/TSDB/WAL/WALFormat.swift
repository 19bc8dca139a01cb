import Foundation

/// Constants and file helpers of Prometheus's write-ahead log format (`tsdb/wlog`).
///
/// A WAL is a folder of segment files named `%08d`. A segment is a sequence of 32 KiB
/// pages; each page holds record fragments `type u8 | len u16 BE | CRC32C(data) u32 BE |
/// data`, and a page whose remaining space is too small for a fragment is zero-filled.
enum WALFormat {
    /// The page size: fragments never cross a page boundary.
    static let pageSize = 32 * 1024
    /// `type | len | crc`.
    static let headerSize = 7
    /// Prometheus's default segment size.
    static let defaultSegmentSize = 128 << 20

    /// Bits 0-2 of the type byte.
    static let typeMask: UInt8 = 0x07
    /// Bit 3: the record is snappy-compressed (block format).
    static let snappyFlag: UInt8 = 0x08
    /// Bit 4: the record is zstd-compressed.
    static let zstdFlag: UInt8 = 0x10

    /// Fragment kinds (bits 0-2 of the type byte); 0 means "the rest of the page is padding".
    enum Fragment: UInt8 {
        case full = 1, first = 2, middle = 3, last = 4
    }

    /// `%08d`.
    static func segmentName(_ index: Int) -> String {
        let digits = String(index)
        return digits.count >= 8 ? digits : String(repeating: "0", count: 8 - digits.count) + digits
    }

    static func segmentPath(_ directory: String, _ index: Int) -> String {
        directory + "/" + segmentName(index)
    }

    /// The segment files of `directory` (names made only of digits), sorted by index.
    /// Other entries (checkpoints, temporary folders) are ignored.
    static func segments(in directory: String) throws(TSDBError) -> [(index: Int, path: String)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .io(path: directory, reason: "cannot list the WAL folder: \(error.localizedDescription)")
        }
        var result: [(index: Int, path: String)] = []
        for name in names where !name.isEmpty && name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard let index = Int(name) else { continue }
            result.append((index, directory + "/" + name))
        }
        result.sort { $0.index < $1.index }
        return result
    }

    /// Throws when the segment numbers have a gap (or a duplicate such as `1` and `00000001`):
    /// records would be missing in between, so replaying across the gap is not safe.
    static func checkSequential(_ segments: [(index: Int, path: String)], directory: String) throws(TSDBError) {
        for (previous, next) in zip(segments, segments.dropFirst()) where next.index != previous.index + 1 {
            let reason = next.index == previous.index
                ? "two files have segment number \(next.index)"
                : "segments are not sequential: \(segmentName(previous.index + 1)) is missing before \(segmentName(next.index))"
            throw .corrupt(file: directory, offset: 0, reason: reason)
        }
    }

    /// Where a record of `length` bytes ends when written starting at `offset` in a segment,
    /// with its fragments and page padding; the writer lays out records exactly this way.
    static func layoutEnd(from offset: Int, length: Int) -> Int {
        var position = offset, left = length, first = true
        while first || left > 0 {
            let pageLeft = pageSize - position % pageSize
            // A fragment needs its header and, for a non-empty record, at least one data byte;
            // a smaller tail is padded with zeros.
            if pageLeft < headerSize || (pageLeft == headerSize && left > 0) {
                position += pageLeft
                continue
            }
            let n = min(left, pageLeft - headerSize)
            position += headerSize + n
            left -= n
            first = false
        }
        return position
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Low-level file operations of the WAL, each with a typed error naming the path.
enum WALFile {
    /// Opens `path` for appending, creating it when missing.
    static func openForAppend(_ path: String) throws(TSDBError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open the segment for writing: \(WALFormat.errnoText())") }
        return fd
    }

    static func size(_ fd: Int32, path: String) throws(TSDBError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, reason: "cannot stat the file: \(WALFormat.errnoText())") }
        return Int(info.st_size)
    }

    static func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(TSDBError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Foundation.write(fd, raw.baseAddress! + written, bytes.count - written)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .io(path: path, reason: "write failed: \(WALFormat.errnoText())") }
            written += n
        }
    }

    static func sync(_ fd: Int32, path: String) throws(TSDBError) {
        guard fsync(fd) == 0 else { throw .io(path: path, reason: "fsync failed: \(WALFormat.errnoText())") }
    }

    /// Cuts `path` to `length` bytes and makes that durable.
    static func truncate(_ path: String, to length: Int) throws(TSDBError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open the segment to repair it: \(WALFormat.errnoText())") }
        defer { Foundation.close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw .io(path: path, reason: "cannot truncate the segment to \(length) bytes: \(WALFormat.errnoText())")
        }
        try sync(fd, path: path)
    }

    static func remove(_ path: String) throws(TSDBError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .io(path: path, reason: "cannot delete the file: \(WALFormat.errnoText())")
        }
    }

    static func removeTree(_ path: String) throws(TSDBError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .io(path: path, reason: "cannot delete: \(error.localizedDescription)")
        }
    }
}
