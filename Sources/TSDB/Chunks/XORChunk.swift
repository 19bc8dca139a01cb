import Model

/// A float chunk in Prometheus's XOR (Gorilla) encoding, as the raw bytes that follow the
/// encoding byte in a chunk segment file: a big-endian `u16` sample count, then an
/// MSB-first bitstream, zero-padded (sometimes with a whole zero byte, see ``BitWriter``).
///
/// Keeping the exact bytes lets blocks be read and written without re-encoding, and lets
/// the same bytes go into a `chunks/` file byte-for-byte as Prometheus writes them.
///
/// The bitstream layout: sample 0 is a varint timestamp and the 64 raw bits of the value;
/// sample 1 a uvarint time delta and an XOR-encoded value; every later sample a
/// delta-of-delta of the timestamp (`0`, `10`+14 bits, `110`+17, `1110`+20, `1111`+64)
/// and an XOR-encoded value (`0` same value; `10` XOR bits in the previous window;
/// `11` + 5-bit leading zeros + 6-bit significant bit count + the bits).
public struct XORChunk: Sendable, Hashable {
    /// Size of the sample count header in front of the bitstream.
    public static let headerSize = 2
    /// The most samples a chunk can hold (the header is 16 bits).
    public static let maxSampleCount = Int(UInt16.max)

    /// The chunk data: `u16 numSamples` (big-endian) followed by the bitstream.
    public private(set) var bytes: [UInt8]

    /// Wraps chunk data read from disk. Only the header is checked here; the bitstream is
    /// checked as it is decoded, and the iterator reports damage as ``ChunkError``.
    public init(bytes: [UInt8]) throws(ChunkError) {
        guard bytes.count >= Self.headerSize else {
            throw .missingHeader(byteCount: bytes.count, headerSize: Self.headerSize)
        }
        self.bytes = bytes
    }

    /// Wraps bytes known to hold a header (from ``XORAppender``).
    init(validated bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Encodes `samples` in order into one chunk (at most ``maxSampleCount`` of them).
    public init<S: Sequence>(samples: S) where S.Element == Sample {
        var appender = XORAppender()
        for sample in samples { appender.append(sample.timestamp, sample.value) }
        self = appender.chunk
    }

    /// The number of samples, from the header.
    public var sampleCount: Int { Int(bytes[0]) << 8 | Int(bytes[1]) }

    /// An iterator over the samples, from the first.
    public func makeIterator() -> XORIterator { XORIterator(self) }

    /// Decodes every sample.
    public func samples() throws(ChunkError) -> [Sample] {
        var result: [Sample] = []
        result.reserveCapacity(sampleCount)
        var iterator = makeIterator()
        while let sample = try iterator.next() { result.append(sample) }
        return result
    }
}

/// Builds an ``XORChunk`` one sample at a time, producing exactly the bytes Prometheus's
/// `xorAppender` produces for the same samples (so chunks we write are bit-identical to
/// chunks Prometheus writes, and compare equal when checked against its output).
///
/// Appending gathers a sample's fields in registers and writes them to one growing array at
/// once; the array grows by amortized doubling from an initial 128 bytes, so appends do not
/// allocate on their own.
public struct XORAppender: Sendable {
    private(set) var writer: BitWriter
    /// Samples appended so far.
    public private(set) var count: Int = 0
    private var t: Int64 = 0
    private var vbits: UInt64 = 0
    private var tDelta: UInt64 = 0
    /// The current XOR window; `leading == 0xff` means none has been written yet.
    private var leading: UInt8 = 0xFF
    private var trailing: UInt8 = 0

    /// Starts an empty chunk.
    public init() {
        // The sample count header, then the bitstream from the next byte on.
        writer = BitWriter(bytes: [0, 0], reservingCapacity: 128)
    }

    /// The chunk so far, with its sample count header up to date. It shares storage with
    /// the appender, so the next append copies the bytes once (copy-on-write).
    public var chunk: XORChunk { XORChunk(validated: writer.bytes) }

    /// The size of the chunk data so far (header included), for cutting chunks by size.
    public var byteCount: Int { writer.bytes.count }

    /// Whether the chunk holds ``XORChunk/maxSampleCount`` samples and takes no more.
    public var isFull: Bool { count >= XORChunk.maxSampleCount }

    /// Appends a sample. Timestamps are expected in increasing order (as Prometheus's
    /// head guarantees) but any order round-trips: deltas use wrapping arithmetic like Go.
    ///
    /// - Precondition: the chunk is not full (``isFull``); the 16-bit header cannot count more.
    public mutating func append(_ t: Timestamp, _ v: Double) {
        precondition(!isFull, "XORAppender: a chunk holds at most \(XORChunk.maxSampleCount) samples")
        let bits = v.bitPattern
        var newDelta: UInt64 = 0
        // The sample's fields are gathered first and written at once.
        var batch = writer.batch()
        switch count {
        case 0:
            batch.addVarint(t)
            batch.add(bits, count: 64)
        case 1:
            newDelta = UInt64(bitPattern: t &- self.t)
            batch.addUvarint(newDelta)
            addValue(bits, to: &batch)
        default:
            newDelta = UInt64(bitPattern: t &- self.t)
            Self.addTimestamp(Int64(bitPattern: newDelta &- tDelta), to: &batch)
            addValue(bits, to: &batch)
        }
        self.t = t
        vbits = bits
        tDelta = newDelta
        count += 1
        writer.write(batch, replacingFirstBytes: (UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)))
    }

    /// The timestamp's delta of delta: `0`, or a prefix and 14, 17, 20 or 64 bits.
    @inline(__always)
    private static func addTimestamp(_ dod: Int64, to batch: inout BitBatch) {
        let raw = UInt64(bitPattern: dod)
        if dod == 0 {
            batch.add(0, count: 1)
        } else if fits(dod, bits: 14) {
            batch.add(0b10, count: 2)
            batch.add(raw, count: 14)
        } else if fits(dod, bits: 17) {
            batch.add(0b110, count: 3)
            batch.add(raw, count: 17)
        } else if fits(dod, bits: 20) {
            batch.add(0b1110, count: 4)
            batch.add(raw, count: 20)
        } else {
            batch.add(0b1111, count: 4)
            batch.add(raw, count: 64)
        }
    }

    /// Prometheus's `bitRange`: whether `x` is in −(2^(n−1)−1) … 2^(n−1), the range an
    /// `n`-bit field holds (see docs/tsdb-format/bstream.md).
    @inline(__always)
    static func fits(_ x: Int64, bits n: Int) -> Bool {
        let half = Int64(1) << (n - 1)
        return -(half - 1) <= x && x <= half
    }

    /// The value as the XOR with the previous one.
    @inline(__always)
    private mutating func addValue(_ bits: UInt64, to batch: inout BitBatch) {
        let delta = bits ^ vbits
        if delta == 0 {
            batch.add(0, count: 1)
            return
        }
        // Clamp to 31 so the count fits in 5 bits; the extra zeros just become significant bits.
        let newLeading = UInt8(min(delta.leadingZeroBitCount, 31))
        let newTrailing = UInt8(delta.trailingZeroBitCount)
        if leading != 0xFF && newLeading >= leading && newTrailing >= trailing {
            // The delta fits in the previous window: `10` and the window's bits.
            batch.add(0b10, count: 2)
            batch.add(delta >> trailing, count: 64 - Int(leading) - Int(trailing))
            return
        }
        leading = newLeading
        trailing = newTrailing
        let significant = 64 - Int(newLeading) - Int(newTrailing)
        batch.add(0b11, count: 2)
        batch.add(UInt64(newLeading), count: 5)
        // 64 significant bits do not fit in 6 bits; 0 never occurs otherwise, so it stands for 64.
        batch.add(UInt64(significant & 0x3F), count: 6)
        batch.add(delta >> newTrailing, count: significant)
    }
}

/// Decodes the samples of an ``XORChunk`` in order.
///
/// Each ``next()`` decodes one sample straight from the chunk's bytes with a 64-bit bit
/// register: no allocation per sample. Damaged data (a bitstream shorter than the header's
/// sample count, an overlong varint, an impossible value window) throws ``ChunkError``;
/// the error is sticky, so later calls throw it again. Decoding is bounded by the 16-bit
/// sample count, so corrupt input can never loop forever.
public struct XORIterator: SampleIterator, Sendable {
    private var reader: BitReader
    private let total: Int
    private var index = 0
    private var t: Int64 = 0
    private var vbits: UInt64 = 0
    private var tDelta: UInt64 = 0
    private var leading = 0
    private var trailing = 0
    /// The sample last returned, for ``seek(to:)``; nil before the first and after the last.
    private var current: Sample?
    private var failure: ChunkError?

    /// Starts before the first sample of `chunk`.
    public init(_ chunk: XORChunk) {
        reader = BitReader(chunk.bytes, byteOffset: XORChunk.headerSize)
        total = chunk.sampleCount
    }

    /// The next sample, or nil after the last one.
    public mutating func next() throws(ChunkError) -> Sample? {
        if let failure { throw failure }
        guard index < total else {
            current = nil
            return nil
        }
        do throws(ChunkError) {
            try decode()
        } catch {
            throw fail(error)
        }
        index += 1
        let sample = Sample(timestamp: t, value: Double(bitPattern: vbits))
        current = sample
        return sample
    }

    /// Decodes the next samples into `buffer` (from its start) and returns how many; 0
    /// after the last. The decoding loop runs here, with no per-sample call overhead.
    public mutating func next(into buffer: UnsafeMutableBufferPointer<Sample>) throws(ChunkError) -> Int {
        if let failure { throw failure }
        let limit = Swift.min(buffer.count, total - index)
        guard limit > 0 else {
            current = nil
            return 0
        }
        var n = 0
        do throws(ChunkError) {
            // The first two samples use varints: the general path.
            while n < limit && index < 2 {
                try decode()
                index += 1
                buffer[n] = Sample(timestamp: t, value: Double(bitPattern: vbits))
                n += 1
            }
            if n < limit { n = try decodeRun(into: buffer, from: n, to: limit) }
        } catch {
            throw fail(error)
        }
        current = buffer[n - 1]
        return n
    }

    /// Records a decoding error (an early end of the bits means the chunk is truncated),
    /// so later calls throw it again, and returns it.
    private mutating func fail(_ error: ChunkError) -> ChunkError {
        let mapped: ChunkError
        switch error {
        case .endOfStream: mapped = .truncated(sampleIndex: index, sampleCount: total, byteCount: reader.bytes.count)
        default: mapped = error
        }
        failure = mapped
        current = nil
        return mapped
    }

    /// Decodes samples 2… into `buffer[from..<to]` with the reader's state in registers;
    /// returns the new fill level.
    private mutating func decodeRun(into buffer: UnsafeMutableBufferPointer<Sample>, from: Int, to: Int) throws(ChunkError) -> Int {
        var t = self.t, tDelta = self.tDelta, vbits = self.vbits
        var leading = self.leading, trailing = self.trailing
        var n = from
        var index = self.index
        defer {
            self.t = t
            self.tDelta = tDelta
            self.vbits = vbits
            self.leading = leading
            self.trailing = trailing
            self.index = index
        }
        let end = BitReader.endOfStreamMarker
        try reader.withCursor { (c: inout BitReader.Cursor) throws(ChunkError) in
            while n < to {
                // Delta of delta: `0`, or `10`/`110`/`1110`/`1111` and 14/17/20/64 bits.
                guard let b0 = c.bit() else { throw end }
                if b0 {
                    let size: Int
                    guard let b1 = c.bit() else { throw end }
                    if !b1 {
                        size = 14
                    } else {
                        guard let b2 = c.bit() else { throw end }
                        if !b2 {
                            size = 17
                        } else {
                            guard let b3 = c.bit() else { throw end }
                            size = b3 ? 64 : 20
                        }
                    }
                    guard var raw = c.bits(size) else { throw end }
                    if size < 64 && raw > UInt64(1) << (size - 1) { raw = raw &- (UInt64(1) << size) }
                    tDelta = tDelta &+ raw
                }
                t = t &+ Int64(bitPattern: tDelta)
                // Value: `0` same, `10` previous window, `11` new window.
                guard let v0 = c.bit() else { throw end }
                if v0 {
                    guard let v1 = c.bit() else { throw end }
                    if v1 {
                        guard let window = c.bits(11) else { throw end }
                        let newLeading = Int(window >> 6)
                        var significant = Int(window & 0x3F)
                        if significant == 0 { significant = 64 }
                        guard newLeading + significant <= 64 else {
                            throw .invalidValueWindow(sampleIndex: index, leading: newLeading, significantBits: significant)
                        }
                        leading = newLeading
                        trailing = 64 - newLeading - significant
                    }
                    let significant = 64 - leading - trailing
                    guard let bits = c.bits(significant) else { throw end }
                    vbits ^= bits << UInt64(trailing)
                }
                index += 1
                buffer[n] = Sample(timestamp: t, value: Double(bitPattern: vbits))
                n += 1
            }
        }
        return n
    }

    /// The first sample at or after `t`, or nil when there is none. Never moves backwards:
    /// when the current sample is already at or after `t`, it is returned again.
    public mutating func seek(to t: Timestamp) throws(ChunkError) -> Sample? {
        if let current, current.timestamp >= t { return current }
        while let sample = try next() {
            if sample.timestamp >= t { return sample }
        }
        return nil
    }

    /// Decodes sample `index` into `t` and `vbits`.
    @inline(__always)
    private mutating func decode() throws(ChunkError) {
        switch index {
        case 0:
            t = try reader.readVarint()
            vbits = try reader.readBits(64)
            return
        case 1:
            tDelta = try reader.readUvarint()
        default:
            // Prefix: up to four 1-bits, ended by a 0-bit (or by the fourth 1).
            var dod: Int64 = 0
            if try reader.readBit() {
                let size: Int
                if !(try reader.readBit()) {
                    size = 14
                } else if !(try reader.readBit()) {
                    size = 17
                } else if !(try reader.readBit()) {
                    size = 20
                } else {
                    size = 64
                }
                var raw = try reader.readBits(size)
                if size < 64 && raw > UInt64(1) << (size - 1) {
                    // The upper part of the range holds the negative numbers (docs/tsdb-format/bstream.md).
                    raw = raw &- (UInt64(1) << size)
                }
                dod = Int64(bitPattern: raw)
            }
            tDelta = tDelta &+ UInt64(bitPattern: dod)
        }
        t = t &+ Int64(bitPattern: tDelta)
        try decodeValue()
    }

    /// Decodes an XOR-encoded value into `vbits`.
    @inline(__always)
    private mutating func decodeValue() throws(ChunkError) {
        guard try reader.readBit() else { return }  // `0`: same value
        if try reader.readBit() {
            // `11`: a new window.
            let newLeading = Int(try reader.readBits(5))
            var significant = Int(try reader.readBits(6))
            if significant == 0 { significant = 64 }
            guard newLeading + significant <= 64 else {
                throw .invalidValueWindow(sampleIndex: index, leading: newLeading, significantBits: significant)
            }
            leading = newLeading
            trailing = 64 - newLeading - significant
        }
        // `10` reuses the window. Before any window was set it is 0/0, i.e. 64 bits, as in Prometheus.
        let significant = 64 - leading - trailing
        let bits = try reader.readBits(significant)
        vbits ^= bits << trailing
    }
}
