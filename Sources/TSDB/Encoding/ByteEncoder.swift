/// Appends the integer encodings of Prometheus's TSDB files to a byte buffer: big-endian
/// fixed width, Go's `uvarint` and zig-zag `varint`, and uvarint-prefixed strings.
struct ByteEncoder {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func be32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    mutating func be64(_ v: UInt64) {
        be32(UInt32(truncatingIfNeeded: v >> 32))
        be32(UInt32(truncatingIfNeeded: v))
    }

    mutating func uvarint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    mutating func varint(_ v: Int64) {
        uvarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    mutating func uvarintString(_ s: String) {
        uvarint(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// Zero bytes up to the next multiple of `alignment`.
    mutating func pad(to alignment: Int) {
        let remainder = bytes.count % alignment
        if remainder != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - remainder)) }
    }

    mutating func crc32(of range: Range<Int>) {
        let crc = bytes.withUnsafeBufferPointer { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[range])) }
        be32(crc)
    }
}
