import Foundation

/// Writes chunk segment files (`chunks/000001`, …) in Prometheus's format and hands out
/// the references the index stores.
struct ChunkWriter {
    let directory: String
    /// Segments are cut before they would exceed this size (Prometheus: 512 MiB).
    let segmentSize: Int
    private var segment = ByteEncoder()
    private var segmentIndex = -1
    private(set) var writtenFiles: [String] = []

    static let defaultSegmentSize = 512 << 20

    init(directory: String, segmentSize: Int = ChunkWriter.defaultSegmentSize) {
        self.directory = directory
        self.segmentSize = segmentSize
    }

    /// Appends a chunk and returns its reference (segment << 32 | offset).
    mutating func write(encoding: UInt8, data: [UInt8]) throws(TSDBError) -> UInt64 {
        let size = LabelsPackerSize.uvarint(data.count) + 1 + data.count + 4
        if segmentIndex < 0 || segment.count + size > segmentSize {
            try cutSegment()
        }
        let offset = segment.count
        segment.uvarint(UInt64(data.count))
        let start = segment.count
        segment.bytes.append(encoding)
        segment.append(data)
        segment.crc32(of: start..<segment.count)
        return UInt64(segmentIndex) << 32 | UInt64(offset)
    }

    private mutating func cutSegment() throws(TSDBError) {
        try flush()
        segmentIndex += 1
        segment = ByteEncoder(capacity: 1 << 20)
        segment.be32(ChunkReader.magic)
        segment.bytes.append(contentsOf: [1, 0, 0, 0])
    }

    /// Writes the current segment to disk (fsynced).
    mutating func flush() throws(TSDBError) {
        guard segmentIndex >= 0, segment.count > ChunkReader.headerSize || writtenFiles.count <= segmentIndex else { return }
        let path = directory + "/" + String(format: "%06d", segmentIndex + 1)
        try FileIO.write(segment.bytes, to: path)
        if writtenFiles.count <= segmentIndex { writtenFiles.append(path) }
    }
}

/// The size of a uvarint.
enum LabelsPackerSize {
    static func uvarint(_ n: Int) -> Int {
        var x = n, size = 1
        while x >= 0x80 { x >>= 7; size += 1 }
        return size
    }
}

/// Durable file writes: write, fsync, and fsync of the containing folder after renames.
/// Small durable file operations: whole-file writes and folder syncs, fsynced, with errors
/// that name the path.
public enum FileIO {
    public static func write(_ bytes: [UInt8], to path: String) throws(TSDBError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot create the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Foundation.write(fd, raw.baseAddress! + written, bytes.count - written)
            }
            guard n > 0 else { throw .io(path: path, reason: "write failed: \(String(cString: strerror(errno)))") }
            written += n
        }
        guard fsync(fd) == 0 else { throw .io(path: path, reason: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    public static func syncDirectory(_ path: String) throws(TSDBError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open the folder: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: path, reason: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    public static func createDirectory(_ path: String) throws(TSDBError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
    }
}
