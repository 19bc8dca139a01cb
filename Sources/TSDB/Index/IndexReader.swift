import Foundation
import Model

/// Where a chunk of a series lives and what time it covers.
public struct ChunkMeta: Sendable, Hashable {
    /// Segment index << 32 | byte offset in that segment.
    public var ref: UInt64
    /// Time of the first sample, in ms.
    public var minTime: Timestamp
    /// Time of the last sample, in ms.
    public var maxTime: Timestamp

    public init(ref: UInt64, minTime: Timestamp, maxTime: Timestamp) {
        self.ref = ref
        self.minTime = minTime
        self.maxTime = maxTime
    }
}

/// Reads a block's `index` file (format versions 1 and 2): the symbol table, the series
/// with their chunk references, and the postings (series per label pair).
///
/// The file is read once and checked (magic, version, the table of contents, the symbol
/// table and postings offset table checksums); series and postings entries are checked
/// when they are read.
public final class IndexReader: Sendable, PostingsSource {
    public let path: String
    /// The index format version (1 or 2).
    public let version: Int
    private let bytes: [UInt8]
    /// v2: symbols by ordinal.
    private let symbolList: [String]
    /// v1: symbols by absolute file offset.
    private let symbolsByOffset: [Int: String]
    /// Label name → sorted (value, postings offset).
    private let postingsTable: [String: [(value: String, offset: Int)]]
    /// Sorted label names (without the all-postings key "").
    public let labelNames: [String]

    static let magic: UInt32 = 0xBAAA_D700
    static let tocSize = 52

    public init(path: String) throws(TSDBError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: "cannot read the index file")
        }
        let bytes = Array(data)
        self.bytes = bytes
        let file = path
        let parsed: (Int, [String], [Int: String], [String: [(value: String, offset: Int)]]) = try bytes.withUnsafeBufferPointer { buffer throws(TSDBError) in
            var header = ByteDecoder(buffer)
            guard buffer.count >= 5 + IndexReader.tocSize else {
                throw .corrupt(file: file, offset: 0, reason: "the file is too small (\(buffer.count) bytes) to be an index")
            }
            let magic = try IndexReader.decode(file, "header") { () throws(ByteDecoder.Failure) in try header.be32() }
            guard magic == IndexReader.magic else {
                throw .corrupt(file: file, offset: 0, reason: "bad magic 0x\(String(magic, radix: 16)) (expected 0xbaaad700)")
            }
            let version = Int(buffer[4])
            guard version == 1 || version == 2 else { throw .unsupportedVersion(file: file, version: version) }
            let toc = try IndexReader.readTOC(buffer, file: file)
            let (list, byOffset) = try IndexReader.readSymbols(buffer, at: toc.symbols, version: version, file: file)
            let table = try IndexReader.readPostingsTable(buffer, at: toc.postingsTable, file: file)
            return (version, list, byOffset, table)
        }
        (version, symbolList, symbolsByOffset, postingsTable) = parsed
        labelNames = postingsTable.keys.filter { !$0.isEmpty }.sorted { ByteOrder.less($0, $1) }
    }

    // MARK: Sections

    struct TOC {
        var symbols: Int, series: Int, postings: Int, postingsTable: Int
    }

    private static func decode<T>(_ file: String, _ what: String, base: Int = 0, _ body: () throws(ByteDecoder.Failure) -> T) throws(TSDBError) -> T {
        do throws(ByteDecoder.Failure) {
            return try body()
        } catch {
            throw error.error(file: file, base: base, what: what)
        }
    }

    private static func readTOC(_ buffer: UnsafeBufferPointer<UInt8>, file: String) throws(TSDBError) -> TOC {
        let start = buffer.count - tocSize
        var d = ByteDecoder(buffer, from: start)
        let offsets: [UInt64] = try decode(file, "table of contents") { () throws(ByteDecoder.Failure) in
            try (0..<6).map { _ throws(ByteDecoder.Failure) in try d.be64() }
        }
        let stored = try decode(file, "table of contents") { () throws(ByteDecoder.Failure) in try d.be32() }
        let actual = CRC32C.checksum(UnsafeBufferPointer(rebasing: buffer[start..<(start + 48)]))
        guard stored == actual else {
            throw .corrupt(file: file, offset: start, reason: "table of contents checksum mismatch")
        }
        for (i, offset) in offsets.enumerated() where offset > UInt64(start) {
            throw .corrupt(file: file, offset: start + 8 * i, reason: "table of contents points past the end of the file (\(offset))")
        }
        return TOC(symbols: Int(offsets[0]), series: Int(offsets[1]), postings: Int(offsets[4]), postingsTable: Int(offsets[5]))
    }

    /// A section's body (`len u32 | body | crc u32`), checksum verified; returns the body range.
    private static func section(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, file: String, what: String) throws(TSDBError) -> Range<Int> {
        var d = ByteDecoder(buffer, from: offset)
        let length = try decode(file, what) { () throws(ByteDecoder.Failure) in Int(try d.be32()) }
        let body = d.position
        guard length <= buffer.count - body - 4 else {
            throw .corrupt(file: file, offset: offset, reason: "\(what) length \(length) runs past the end of the file")
        }
        var crcDecoder = ByteDecoder(buffer, from: body + length)
        let stored = try decode(file, what) { () throws(ByteDecoder.Failure) in try crcDecoder.be32() }
        let actual = CRC32C.checksum(UnsafeBufferPointer(rebasing: buffer[body..<(body + length)]))
        guard stored == actual else {
            throw .corrupt(file: file, offset: offset, reason: "\(what) checksum mismatch")
        }
        return body..<(body + length)
    }

    private static func readSymbols(
        _ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, version: Int, file: String
    ) throws(TSDBError) -> ([String], [Int: String]) {
        guard offset > 0 else { return ([], [:]) }
        let body = try section(buffer, at: offset, file: file, what: "symbol table")
        var d = ByteDecoder(buffer, from: body.lowerBound, to: body.upperBound)
        let count = try decode(file, "symbol table") { () throws(ByteDecoder.Failure) in Int(try d.be32()) }
        var list: [String] = []
        var byOffset: [Int: String] = [:]
        list.reserveCapacity(min(count, body.count))
        for _ in 0..<count {
            let at = d.position
            let text = try decode(file, "symbol table") { () throws(ByteDecoder.Failure) in try d.uvarintBytes() }
            let symbol = String(decoding: text, as: UTF8.self)
            if version == 1 { byOffset[at] = symbol } else { list.append(symbol) }
        }
        return (list, byOffset)
    }

    private static func readPostingsTable(
        _ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, file: String
    ) throws(TSDBError) -> [String: [(value: String, offset: Int)]] {
        guard offset > 0 else { return [:] }
        let body = try section(buffer, at: offset, file: file, what: "postings offset table")
        var d = ByteDecoder(buffer, from: body.lowerBound, to: body.upperBound)
        let count = try decode(file, "postings offset table") { () throws(ByteDecoder.Failure) in Int(try d.be32()) }
        var table: [String: [(value: String, offset: Int)]] = [:]
        for _ in 0..<count {
            let entryStart = d.position
            let (keyCount, name, value, postings) = try decode(file, "postings offset table") { () throws(ByteDecoder.Failure) in
                (try d.uvarint(), String(decoding: try d.uvarintBytes(), as: UTF8.self),
                 String(decoding: try d.uvarintBytes(), as: UTF8.self), try d.uvarintInt())
            }
            guard keyCount == 2 else {
                throw .corrupt(file: file, offset: entryStart, reason: "postings offset entry has \(keyCount) keys (expected 2)")
            }
            table[name, default: []].append((value, postings))
        }
        return table
    }

    // MARK: Lookups

    /// The string for a symbol reference (an ordinal in v2, a file offset in v1).
    func symbol(_ ref: UInt64, at offset: Int) throws(TSDBError) -> String {
        if version == 2 {
            guard ref < UInt64(symbolList.count) else {
                throw .corrupt(file: path, offset: offset, reason: "symbol reference \(ref) is out of range (\(symbolList.count) symbols)")
            }
            return symbolList[Int(ref)]
        }
        guard ref <= UInt64(Int.max), let symbol = symbolsByOffset[Int(ref)] else {
            throw .corrupt(file: path, offset: offset, reason: "symbol reference \(ref) does not point at a symbol")
        }
        return symbol
    }

    /// The sorted values of label `name`.
    public func labelValues(_ name: String) -> [String] {
        (postingsTable[name] ?? []).map(\.value)
    }

    /// The series references having `name="value"`, ascending.
    public func postings(_ name: String, _ value: String) throws(TSDBError) -> [UInt64] {
        guard let entries = postingsTable[name] else { return [] }
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if ByteOrder.less(entries[mid].value, value) { low = mid + 1 } else { high = mid }
        }
        guard low < entries.count, entries[low].value == value else { return [] }
        return try readPostings(at: entries[low].offset)
    }

    /// Every series reference, ascending.
    public func allPostings() throws(TSDBError) -> [UInt64] {
        try postings("", "")
    }

    /// The postings lists of every value of `name` that satisfies `include`, merged.
    public func postings(_ name: String, where include: (String) -> Bool) throws(TSDBError) -> [UInt64] {
        var lists: [[UInt64]] = []
        for entry in postingsTable[name] ?? [] where include(entry.value) {
            lists.append(try readPostings(at: entry.offset))
        }
        return Postings.union(lists)
    }

    private func readPostings(at offset: Int) throws(TSDBError) -> [UInt64] {
        let file = path
        return try bytes.withUnsafeBufferPointer { buffer throws(TSDBError) -> [UInt64] in
            let body = try IndexReader.section(buffer, at: offset, file: file, what: "postings list")
            var d = ByteDecoder(buffer, from: body.lowerBound, to: body.upperBound)
            return try IndexReader.decode(file, "postings list") { () throws(ByteDecoder.Failure) -> [UInt64] in
                let count = Int(try d.be32())
                guard count * 4 <= d.remaining else { throw .truncated(at: d.position) }
                var refs: [UInt64] = []
                refs.reserveCapacity(count)
                for _ in 0..<count { refs.append(UInt64(try d.be32())) }
                return refs
            }
        }
    }

    /// The labels and chunks of series `ref`.
    public func series(_ ref: UInt64) throws(TSDBError) -> (labels: Labels, chunks: [ChunkMeta]) {
        guard ref < UInt64(Int.max / 16) else {
            throw .corrupt(file: path, offset: 0, reason: "series reference \(ref) is out of range")
        }
        let offset = version == 2 ? Int(ref) * 16 : Int(ref)
        let file = path
        return try bytes.withUnsafeBufferPointer { buffer throws(TSDBError) -> (labels: Labels, chunks: [ChunkMeta]) in
            guard offset > 0, offset < buffer.count else {
                throw .corrupt(file: file, offset: offset, reason: "series reference \(ref) is out of range")
            }
            var d = ByteDecoder(buffer, from: offset)
            let length = try IndexReader.decode(file, "series entry") { () throws(ByteDecoder.Failure) in try d.uvarintInt() }
            let body = d.position
            guard length <= buffer.count - body - 4 else {
                throw .corrupt(file: file, offset: offset, reason: "series entry length \(length) runs past the end of the file")
            }
            var crcDecoder = ByteDecoder(buffer, from: body + length)
            let stored = try IndexReader.decode(file, "series entry") { () throws(ByteDecoder.Failure) in try crcDecoder.be32() }
            guard stored == CRC32C.checksum(UnsafeBufferPointer(rebasing: buffer[body..<(body + length)])) else {
                throw .corrupt(file: file, offset: offset, reason: "series entry checksum mismatch")
            }
            var s = ByteDecoder(buffer, from: body, to: body + length)
            let labelCount = try IndexReader.decode(file, "series entry") { () throws(ByteDecoder.Failure) in try s.uvarintInt() }
            // Labels are stored sorted: pack them directly.
            var packer = LabelsPacker(capacity: 64)
            for _ in 0..<labelCount {
                let at = s.position
                let (nameRef, valueRef) = try IndexReader.decode(file, "series entry") { () throws(ByteDecoder.Failure) in
                    (try s.uvarint(), try s.uvarint())
                }
                packer.append(try symbol(nameRef, at: at), try symbol(valueRef, at: at))
            }
            let chunks = try IndexReader.decode(file, "series entry") { () throws(ByteDecoder.Failure) -> [ChunkMeta] in
                let count = try s.uvarintInt()
                var chunks: [ChunkMeta] = []
                chunks.reserveCapacity(min(count, length))
                var previousMax: Int64 = 0
                var previousRef: Int64 = 0
                for i in 0..<count {
                    let minTime: Int64, maxTime: Int64, ref: Int64
                    if i == 0 {
                        minTime = try s.varint()
                        maxTime = minTime &+ Int64(bitPattern: try s.uvarint())
                        ref = Int64(bitPattern: try s.uvarint())
                    } else {
                        minTime = previousMax &+ Int64(bitPattern: try s.uvarint())
                        maxTime = minTime &+ Int64(bitPattern: try s.uvarint())
                        ref = previousRef &+ (try s.varint())
                    }
                    chunks.append(ChunkMeta(ref: UInt64(bitPattern: ref), minTime: minTime, maxTime: maxTime))
                    previousMax = maxTime
                    previousRef = ref
                }
                return chunks
            }
            return (Labels(packed: packer.bytes, count: labelCount), chunks)
        }
    }
}

/// Operations on sorted lists of series references.
public enum Postings {
    /// The sorted union of sorted lists, without duplicates.
    public static func union(_ lists: [[UInt64]]) -> [UInt64] {
        let nonEmpty = lists.filter { !$0.isEmpty }
        if nonEmpty.isEmpty { return [] }
        if nonEmpty.count == 1 { return nonEmpty[0] }
        var all = nonEmpty.flatMap { $0 }
        all.sort()
        var out: [UInt64] = []
        out.reserveCapacity(all.count)
        for ref in all where out.last != ref { out.append(ref) }
        return out
    }

    /// The sorted intersection of two sorted lists.
    public static func intersect(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out: [UInt64] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { out.append(a[i]); i += 1; j += 1 }
            else if a[i] < b[j] { i += 1 }
            else { j += 1 }
        }
        return out
    }

    /// The sorted difference a − b.
    public static func subtract(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out: [UInt64] = []
        var j = 0
        for ref in a {
            while j < b.count && b[j] < ref { j += 1 }
            if j < b.count && b[j] == ref { continue }
            out.append(ref)
        }
        return out
    }
}
