import Foundation
import Model

/// Deleted time ranges per series, read from a block's `tombstones` file.
public struct Tombstones: Sendable {
    /// Series reference → deleted closed intervals [mint, maxt], sorted.
    public private(set) var intervals: [UInt64: [ClosedRange<Timestamp>]] = [:]

    static let magic: UInt32 = 0x0130_BA30

    public init() {}

    /// Reads `path`; a missing file means no tombstones.
    public init(path: String) throws(TSDBError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: "cannot read the tombstones file")
        }
        let bytes = Array(data)
        intervals = try bytes.withUnsafeBufferPointer { buffer throws(TSDBError) -> [UInt64: [ClosedRange<Timestamp>]] in
            guard buffer.count >= 9 else {
                throw .corrupt(file: path, offset: 0, reason: "the file is too small (\(buffer.count) bytes) to hold tombstones")
            }
            var header = ByteDecoder(buffer)
            guard (try? header.be32()) == Tombstones.magic else {
                throw .corrupt(file: path, offset: 0, reason: "bad magic (expected 0x0130ba30)")
            }
            guard buffer[4] == 1 else { throw .unsupportedVersion(file: path, version: Int(buffer[4])) }
            let end = buffer.count - 4
            var crc = ByteDecoder(buffer, from: end)
            let stored = (try? crc.be32()) ?? 0
            guard stored == CRC32C.checksum(UnsafeBufferPointer(rebasing: buffer[5..<end])) else {
                throw .corrupt(file: path, offset: end, reason: "tombstones checksum mismatch")
            }
            var d = ByteDecoder(buffer, from: 5, to: end)
            var result: [UInt64: [ClosedRange<Timestamp>]] = [:]
            do throws(ByteDecoder.Failure) {
                while d.remaining > 0 {
                    let ref = try d.uvarint(), mint = try d.varint(), maxt = try d.varint()
                    guard mint <= maxt else { throw ByteDecoder.Failure.overflow(at: d.position) }
                    result[ref, default: []].append(mint...maxt)
                }
            } catch {
                throw error.error(file: path, what: "tombstone entry")
            }
            for key in result.keys { result[key]?.sort { $0.lowerBound < $1.lowerBound } }
            return result
        }
    }

    /// Adds deleted intervals for series `ref`.
    public mutating func add(_ ref: UInt64, _ interval: ClosedRange<Timestamp>) {
        intervals[ref, default: []].append(interval)
        intervals[ref]?.sort { $0.lowerBound < $1.lowerBound }
    }

    /// The file bytes: magic, version 1, entries (`uvarint ref, varint mint, varint maxt`)
    /// sorted by series, and the checksum of the entries.
    public func encoded() -> [UInt8] {
        var e = ByteEncoder()
        e.be32(Tombstones.magic)
        e.bytes.append(1)
        let start = e.count
        for ref in intervals.keys.sorted() {
            for interval in intervals[ref] ?? [] {
                e.uvarint(ref)
                e.varint(interval.lowerBound)
                e.varint(interval.upperBound)
            }
        }
        e.crc32(of: start..<e.count)
        return e.bytes
    }

    /// Whether `t` of series `ref` has been deleted.
    public func isDeleted(_ ref: UInt64, at t: Timestamp) -> Bool {
        intervals[ref]?.contains { $0.contains(t) } ?? false
    }

    public var isEmpty: Bool { intervals.isEmpty }
}
