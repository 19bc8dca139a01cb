/// Reads the integer encodings of Prometheus's TSDB files (big-endian fixed width, Go's
/// unsigned LEB128 `uvarint` and zig-zag `varint`) from a byte buffer, with bounds
/// checks that throw instead of trapping.
///
/// Offsets are positions in `bytes`; `base` is added to them in errors so they name the
/// place in the file.
struct ByteDecoder {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { end - position }

    enum Failure: Error, Equatable {
        case truncated(at: Int)
        case overflow(at: Int)
    }

    mutating func be32() throws(Failure) -> UInt32 {
        guard remaining >= 4 else { throw .truncated(at: position) }
        let b = bytes
        let p = position
        position += 4
        return UInt32(b[p]) << 24 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 8 | UInt32(b[p + 3])
    }

    mutating func be64() throws(Failure) -> UInt64 {
        let high = try be32(), low = try be32()
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func byte() throws(Failure) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(at: position) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uvarint() throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < end else { throw .truncated(at: start) }
            let b = bytes[position]
            position += 1
            if shift == 63 && b > 1 { throw .overflow(at: start) }
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
            if shift > 63 { throw .overflow(at: start) }
        }
    }

    mutating func varint() throws(Failure) -> Int64 {
        let u = try uvarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func uvarintInt() throws(Failure) -> Int {
        let start = position
        let v = try uvarint()
        guard v <= UInt64(Int.max) else { throw .overflow(at: start) }
        return Int(v)
    }

    /// `uvarint length` then that many bytes.
    mutating func uvarintBytes() throws(Failure) -> UnsafeBufferPointer<UInt8> {
        let start = position
        let n = try uvarintInt()
        guard n <= remaining else { throw .truncated(at: start) }
        defer { position += n }
        return UnsafeBufferPointer(rebasing: bytes[position..<(position + n)])
    }

    mutating func skip(_ n: Int) throws(Failure) {
        guard n >= 0, n <= remaining else { throw .truncated(at: position) }
        position += n
    }
}
