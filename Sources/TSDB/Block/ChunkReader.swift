import Foundation

/// Reads chunks from a block's `chunks/` segment files (`000001`, `000002`, …).
///
/// A chunk reference is the segment's position in the sorted file list << 32 | the byte
/// offset of the chunk in that segment. Every chunk's checksum is verified when read.
public final class ChunkReader: @unchecked Sendable {
    public let directory: String
    private let segments: [(name: String, data: Data)]

    static let magic: UInt32 = 0x85BD_40DD
    static let headerSize = 8

    /// Opens every segment in `directory` (memory-mapped where the platform allows).
    public init(directory: String) throws(TSDBError) {
        self.directory = directory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.count == 6 && $0.allSatisfy(\.isNumber) }.sorted()
        } catch {
            throw .io(path: directory, reason: "cannot list the chunks folder: \(error.localizedDescription)")
        }
        var segments: [(name: String, data: Data)] = []
        for name in names {
            let path = directory + "/" + name
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            } catch {
                throw .io(path: path, reason: "cannot read the chunk segment: \(error.localizedDescription)")
            }
            try ChunkReader.withBytes(data) { buffer throws(TSDBError) in
                var d = ByteDecoder(buffer)
                guard buffer.count >= ChunkReader.headerSize, (try? d.be32()) == ChunkReader.magic else {
                    throw .corrupt(file: path, offset: 0, reason: "bad chunk segment header (expected magic 0x85bd40dd)")
                }
                guard buffer[4] == 1 else { throw .unsupportedVersion(file: path, version: Int(buffer[4])) }
            }
            segments.append((path, data))
        }
        self.segments = segments
    }

    /// The encoding byte and data of the chunk at `ref`.
    public func chunk(_ ref: UInt64) throws(TSDBError) -> (encoding: UInt8, data: [UInt8]) {
        try withChunk(ref) { encoding, data in (encoding, Array(data)) }
    }

    /// The encoding byte and sample count (from the header of XOR and histogram chunks,
    /// which both start with a big-endian u16 count) of the chunk at `ref`, its checksum
    /// verified, without copying the data.
    public func chunkSummary(_ ref: UInt64) throws(TSDBError) -> (encoding: UInt8, sampleCount: Int) {
        let directory = self.directory
        let summary = try withChunk(ref) { encoding, data -> (UInt8, Int)? in
            data.count >= 2 ? (encoding, Int(data[0]) << 8 | Int(data[1])) : nil
        }
        guard let summary else {
            throw .corrupt(file: directory, offset: Int(ref & 0xFFFF_FFFF), reason: "chunk is too short to hold a sample count")
        }
        return summary
    }

    /// Finds the chunk at `ref`, checks its bounds and checksum, and hands its encoding
    /// byte and data (valid only inside `body`) to `body`.
    private func withChunk<R>(_ ref: UInt64, _ body: (UInt8, UnsafeBufferPointer<UInt8>) -> R) throws(TSDBError) -> R {
        let segment = Int(ref >> 32), offset = Int(ref & 0xFFFF_FFFF)
        guard segment < segments.count else {
            throw .corrupt(file: directory, offset: offset, reason: "chunk reference points at segment \(segment + 1), but there are \(segments.count)")
        }
        let (path, data) = segments[segment]
        return try ChunkReader.withBytes(data) { buffer throws(TSDBError) -> R in
            guard offset >= ChunkReader.headerSize, offset < buffer.count else {
                throw .corrupt(file: path, offset: offset, reason: "chunk reference is out of range (the segment has \(buffer.count) bytes)")
            }
            var d = ByteDecoder(buffer, from: offset)
            let length: Int
            do throws(ByteDecoder.Failure) {
                length = try d.uvarintInt()
            } catch {
                throw error.error(file: path, what: "chunk length")
            }
            let start = d.position
            guard length <= buffer.count - start - 5 else {
                throw .corrupt(file: path, offset: offset, reason: "chunk of \(length) bytes runs past the end of the segment")
            }
            let chunk = UnsafeBufferPointer(rebasing: buffer[start..<(start + 1 + length)])
            var crc = ByteDecoder(buffer, from: start + 1 + length)
            let stored = (try? crc.be32()) ?? 0
            guard stored == CRC32C.checksum(chunk) else {
                throw .corrupt(file: path, offset: offset, reason: "chunk checksum mismatch")
            }
            return body(chunk[0], UnsafeBufferPointer(rebasing: chunk[1...]))
        }
    }

    /// `Data.withUnsafeBytes` with a typed error.
    static func withBytes<R>(_ data: Data, _ body: (UnsafeBufferPointer<UInt8>) throws(TSDBError) -> R) throws(TSDBError) -> R {
        let result: Result<R, TSDBError> = data.withUnsafeBytes { raw in
            do throws(TSDBError) {
                return .success(try body(raw.bindMemory(to: UInt8.self)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
