/// Appends bits, most significant bit first, to a growable byte array: the bit layout of
/// Prometheus's `bstream`, which all chunk encodings are built on.
///
/// Byte lengths follow `bstream` exactly, because chunk bytes must be identical to
/// Prometheus's: writing whole bytes (``writeByte(_:)``, or the 8-bit groups of
/// ``writeBits(_:count:)``) leaves an empty byte at the end of the stream that the next
/// bits go into. So a stream may end in a zero byte; readers ignore it like any padding.
/// Unwritten bits are always zero. Growth is the array's amortized doubling; no write
/// allocates on its own.
public struct BitWriter: Sendable, Hashable {
    /// The stream so far, including zero padding.
    public private(set) var bytes: [UInt8]
    /// How many low bits of the last byte are still free (0…8; 8 only after whole bytes).
    private var free: Int

    /// Starts an empty stream with room for `capacity` bytes before the first reallocation.
    public init(reservingCapacity capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
        free = 0
    }

    /// Continues after `bytes`, treating them as whole bytes (the next bit starts a new
    /// byte), with room for `capacity` bytes in all.
    public init(bytes: [UInt8], reservingCapacity capacity: Int = 0) {
        self.bytes = bytes
        self.bytes.reserveCapacity(capacity)
        free = 0
    }

    /// Bits written so far, including any bytes the writer was started with.
    public var bitCount: Int { bytes.count &* 8 &- free }

    /// Writes one bit.
    @inlinable
    public mutating func writeBit(_ bit: Bool) {
        writeBits(bit ? 1 : 0, count: 1)
    }

    /// Writes the low `count` bits of `value` (0…64 bits), most significant first.
    ///
    /// As in `bstream.writeBits`, the leading `count / 8` bytes' worth are written as whole
    /// bytes (which keep an empty byte at the end) and the rest bit by bit.
    public mutating func writeBits(_ value: UInt64, count: Int) {
        precondition(count >= 0 && count <= 64, "BitWriter.writeBits: count \(count) is outside 0...64")
        let rest = count & 7
        if count >= 8 {
            if free == 0 {
                bytes.append(0)
                free = 8
            }
            let before = free
            append(value >> rest, count: count - rest)
            if before == 8 {
                // Whole bytes written into an empty byte leave an empty byte behind.
                bytes.append(0)
                free = 8
            }
        }
        if rest > 0 { append(value, count: rest) }
    }

    /// Appends the low `count` bits of `value` as a plain bitstream, filling the free bits
    /// of the last byte first.
    @inline(__always)
    private mutating func append(_ value: UInt64, count: Int) {
        var remaining = count
        // Keep only the bits to write (smart shift: 64 - 64 == 0 keeps everything, 64 - 0 clears all).
        var v = value & (UInt64.max >> (64 - remaining))
        if free > 0 {
            let take = min(free, remaining)
            let top = v >> (remaining - take)  // the first `take` bits
            bytes[bytes.count - 1] |= UInt8(truncatingIfNeeded: top << (free - take))
            free -= take
            remaining -= take
            v &= UInt64.max >> (64 - remaining)
        }
        while remaining >= 8 {
            remaining -= 8
            bytes.append(UInt8(truncatingIfNeeded: v >> remaining))
        }
        if remaining > 0 {
            bytes.append(UInt8(truncatingIfNeeded: v << (8 - remaining)))
            free = 8 - remaining
        }
    }

    /// Writes 8 bits (not necessarily byte-aligned).
    @inlinable
    public mutating func writeByte(_ byte: UInt8) {
        writeBits(UInt64(byte), count: 8)
    }

    /// Writes Go's `binary.PutUvarint` encoding of `x` (LEB128, 1–10 bytes).
    public mutating func writeUvarint(_ x: UInt64) {
        var x = x
        while x >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        writeByte(UInt8(x))
    }

    /// Writes Go's `binary.PutVarint` encoding of `x` (zig-zag, then uvarint).
    public mutating func writeVarint(_ x: Int64) {
        var ux = UInt64(bitPattern: x) << 1
        if x < 0 { ux = ~ux }
        writeUvarint(ux)
    }

    /// Overwrites a whole byte already written, e.g. a header in front of the bitstream.
    public mutating func replaceByte(at index: Int, with byte: UInt8) {
        bytes[index] = byte
    }

    /// A batch of ``writeBits(_:count:)`` calls gathered in registers, to be written with
    /// ``write(_:replacingFirstBytes:)``: the caller starts it at this stream's position.
    func batch() -> BitBatch { BitBatch(startingAt: bitCount) }

    /// Writes `batch` (started at this stream's current position) and replaces the stream's
    /// first bytes with `prefix`, with the same result as the batch's calls made one by one
    /// followed by ``replaceByte(at:with:)`` for each prefix byte, but with one access to
    /// the array for the partial last byte and the prefix and one append for the rest.
    mutating func write(_ batch: BitBatch, replacingFirstBytes prefix: (UInt8, UInt8)) {
        // Where the batch's first byte goes: into the partly filled (or empty) last byte.
        let first = free > 0 ? bytes.count - 1 : bytes.count
        let total = batch.bitCount
        let count = (total + 7) >> 3
        let (w0, w1, w2) = (batch.words.0.bigEndian, batch.words.1.bigEndian, batch.words.2.bigEndian)
        withUnsafeBytes(of: (w0, w1, w2)) { raw in
            bytes.withUnsafeMutableBufferPointer { buffer in
                buffer[0] = prefix.0
                buffer[1] = prefix.1
                if first < buffer.count { buffer[first] |= raw[0] }
            }
            let skip = first < bytes.count ? 1 : 0
            if count > skip { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[skip..<count])) }
        }
        if batch.leavesEmptyByte {
            bytes.append(0)
            free = 8
        } else {
            free = (8 - (total & 7)) & 7
        }
    }
}

/// Bits of several ``BitWriter/writeBits(_:count:)`` calls gathered in three registers
/// (up to 192 bits, counted from the start of the stream's byte they begin in), so that a
/// chunk appender touches the byte array once per sample instead of once per field.
struct BitBatch {
    /// The bits, most significant first: the stream byte the batch starts in is bits 0…7.
    fileprivate(set) var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
    /// Bits used, including the ones before the batch's start in its first byte.
    fileprivate(set) var bitCount: Int
    /// Whether the last call leaves an empty byte behind, as ``BitWriter/writeBits(_:count:)``
    /// does after writing whole bytes from a byte boundary.
    fileprivate(set) var leavesEmptyByte = false

    fileprivate init(startingAt streamBits: Int) {
        bitCount = streamBits & 7
    }

    /// Adds a `writeBits(value, count:)` call (count 1…64; at most 192 bits in all).
    @inline(__always)
    mutating func add(_ value: UInt64, count: Int) {
        leavesEmptyByte = count >= 8 && count & 7 == 0 && bitCount & 7 == 0
        let v = value & (UInt64.max >> UInt64(64 &- count))
        let offset = bitCount & 63
        let room = 64 &- offset
        // The bits going into the current word, and those spilling into the next.
        let high = count <= room ? v << UInt64(room &- count) : v >> UInt64(count &- room)
        let low = count <= room ? 0 : v << UInt64(64 &- (count &- room))
        switch bitCount >> 6 {
        case 0: words.0 |= high; words.1 |= low
        case 1: words.1 |= high; words.2 |= low
        default: words.2 |= high
        }
        bitCount &+= count
    }

    /// Adds ``BitWriter/writeUvarint(_:)``'s calls (one 8-bit write per byte).
    @inline(__always)
    mutating func addUvarint(_ x: UInt64) {
        var x = x
        while x >= 0x80 {
            add(x & 0x7F | 0x80, count: 8)
            x >>= 7
        }
        add(x, count: 8)
    }

    /// Adds ``BitWriter/writeVarint(_:)``'s calls (zig-zag, then uvarint).
    @inline(__always)
    mutating func addVarint(_ x: Int64) {
        var ux = UInt64(bitPattern: x) << 1
        if x < 0 { ux = ~ux }
        addUvarint(ux)
    }
}

/// Reads bits, most significant bit first, from a byte array (the reading side of
/// Prometheus's `bstream`).
///
/// It keeps up to 64 bits in a register and refills it 8 bytes at a time, so a read is
/// a shift and a mask. Reading past the end throws ``ChunkError/endOfStream(bitOffset:byteCount:)``;
/// it never traps.
public struct BitReader: Sendable {
    /// The whole byte array (reading starts at the offset given to `init`).
    public let bytes: [UInt8]
    /// The next byte to load into `buffer`.
    private var nextByte: Int
    /// The low `valid` bits are the next unread bits, most significant first.
    private var buffer: UInt64 = 0
    private var valid: Int = 0

    /// Reads `bytes` starting at byte `byteOffset` (clamped to the array).
    public init(_ bytes: [UInt8], byteOffset: Int = 0) {
        self.bytes = bytes
        nextByte = min(max(byteOffset, 0), bytes.count)
    }

    /// The position of the next bit to read, counted from the start of `bytes`.
    public var bitOffset: Int { nextByte &* 8 &- valid }

    /// Bits left to read.
    public var bitsRemaining: Int { (bytes.count &- nextByte) &* 8 &+ valid }

    /// Loads the next up to 8 bytes into the register; `valid` must be 0.
    private mutating func refill() throws(ChunkError) {
        let available = bytes.count - nextByte
        if available >= 8 {
            // One unaligned big-endian load instead of eight byte loads.
            let at = nextByte
            buffer = bytes.withUnsafeBytes { raw in UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            valid = 64
            nextByte += 8
        } else if available > 0 {
            var word: UInt64 = 0
            for i in 0..<available { word = word << 8 | UInt64(bytes[nextByte + i]) }
            buffer = word
            valid = available * 8
            nextByte += available
        } else {
            throw .endOfStream(bitOffset: bitOffset, byteCount: bytes.count)
        }
    }

    /// Reads one bit.
    @inline(__always)
    public mutating func readBit() throws(ChunkError) -> Bool {
        if valid == 0 { try refill() }
        valid -= 1
        return (buffer >> valid) & 1 != 0
    }

    /// Reads `count` bits (0…64) as the low bits of the result.
    @inline(__always)
    public mutating func readBits(_ count: Int) throws(ChunkError) -> UInt64 {
        precondition(count >= 0 && count <= 64, "BitReader.readBits: count \(count) is outside 0...64")
        if count <= valid {
            valid -= count
            return (buffer >> valid) & (UInt64.max >> (64 - count))
        }
        return try readBitsSlow(count)
    }

    /// The refill path of ``readBits(_:)``: the bits straddle the register.
    private mutating func readBitsSlow(_ count: Int) throws(ChunkError) -> UInt64 {
        let head = valid
        let high = buffer & (UInt64.max >> (64 - head))
        let need = count - head
        valid = 0
        try refill()
        guard need <= valid else {
            // Leave the reader at the end so that repeated calls keep failing.
            valid = 0
            throw .endOfStream(bitOffset: bitOffset, byteCount: bytes.count)
        }
        valid -= need
        let low = (buffer >> valid) & (UInt64.max >> (64 - need))
        return high << need | low  // smart shift: `high << 64` is 0 when head == 0
    }

    /// The reader's state held in local variables, for tight decoding loops: the compiler
    /// can keep it in registers. Reads return nil at the end of the bytes instead of throwing.
    struct Cursor {
        let base: UnsafePointer<UInt8>
        let count: Int
        var position: Int
        var buffer: UInt64
        var valid: Int

        @inline(__always)
        mutating func refill() -> Bool {
            let available = count &- position
            if available >= 8 {
                buffer = UInt64(bigEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                valid = 64
                position &+= 8
                return true
            }
            guard available > 0 else { return false }
            var word: UInt64 = 0
            for i in 0..<available { word = word << 8 | UInt64(base[position &+ i]) }
            buffer = word
            valid = available &* 8
            position &+= available
            return true
        }

        @inline(__always)
        mutating func bit() -> Bool? {
            if valid == 0 && !refill() { return nil }
            valid &-= 1
            return (buffer >> UInt64(valid)) & 1 != 0
        }

        /// `count` bits (1…64), or nil when the bytes end first.
        @inline(__always)
        mutating func bits(_ count: Int) -> UInt64? {
            if count <= valid {
                valid &-= count
                return (buffer >> UInt64(valid)) & (UInt64.max >> UInt64(64 &- count))
            }
            return bitsAcrossRefill(count)
        }

        /// The bits straddle the register: the rest of it, then the start of the next load.
        @inline(never)
        mutating func bitsAcrossRefill(_ count: Int) -> UInt64? {
            let head = valid
            let high = head == 0 ? 0 : buffer & (UInt64.max >> UInt64(64 &- head))
            let need = count &- head
            valid = 0
            guard refill(), need <= valid else {
                valid = 0
                position = self.count
                return nil
            }
            valid &-= need
            let low = (buffer >> UInt64(valid)) & (UInt64.max >> UInt64(64 &- need))
            return need == 64 ? low : (high << UInt64(need)) | low
        }
    }

    /// What a cursor loop throws when the bytes end; callers map it to their own error.
    static let endOfStreamMarker = ChunkError.endOfStream(bitOffset: -1, byteCount: -1)

    /// Runs `body` with a ``Cursor`` over the unread bits and keeps where it stopped.
    @inline(__always)
    mutating func withCursor<R>(_ body: (inout Cursor) throws(ChunkError) -> R) throws(ChunkError) -> R {
        let bytes = self.bytes
        let start = (nextByte, buffer, valid)
        let (result, end): (Result<R, ChunkError>, (Int, UInt64, Int)) = bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else {
                return (.failure(.endOfStream(bitOffset: 0, byteCount: 0)), start)
            }
            var cursor = Cursor(base: base, count: b.count, position: start.0, buffer: start.1, valid: start.2)
            do throws(ChunkError) {
                let r = try body(&cursor)
                return (.success(r), (cursor.position, cursor.buffer, cursor.valid))
            } catch {
                return (.failure(error), (cursor.position, cursor.buffer, cursor.valid))
            }
        }
        (nextByte, buffer, valid) = end
        return try result.get()
    }

    /// Reads 8 bits (not necessarily byte-aligned).
    @inline(__always)
    public mutating func readByte() throws(ChunkError) -> UInt8 {
        UInt8(truncatingIfNeeded: try readBits(8))
    }

    /// Reads Go's `binary.ReadUvarint` encoding; more than 64 bits is an error.
    public mutating func readUvarint() throws(ChunkError) -> UInt64 {
        let start = bitOffset / 8
        var x: UInt64 = 0
        var shift: UInt64 = 0
        for i in 0..<10 {
            let b = try readByte()
            if b < 0x80 {
                if i == 9 && b > 1 { throw .varintOverflow(byteOffset: start) }
                return x | UInt64(b) << shift
            }
            x |= UInt64(b & 0x7F) << shift
            shift += 7
        }
        throw .varintOverflow(byteOffset: start)
    }

    /// Reads Go's `binary.ReadVarint` encoding (zig-zag).
    public mutating func readVarint() throws(ChunkError) -> Int64 {
        let ux = try readUvarint()
        var x = Int64(bitPattern: ux >> 1)
        if ux & 1 != 0 { x = ~x }
        return x
    }
}
