import Foundation
import Model
import TestSupport
import Testing
import TSDB

/// The XOR float chunk: encoding is byte-for-byte Prometheus's, decoding round-trips every
/// bit pattern, and damaged chunks throw instead of trapping or looping.
@Suite
struct XORChunkTests {
    // MARK: Helpers

    /// Encodes `samples` with a fresh appender.
    static func encode(_ samples: [Sample]) -> XORChunk {
        var appender = XORAppender()
        for sample in samples { appender.append(sample.timestamp, sample.value) }
        return appender.chunk
    }

    /// Decodes everything the iterator yields, stopping at the first error. Bounded, so a
    /// decoder that looped would be reported instead of hanging the suite.
    static func drain(_ chunk: XORChunk) -> (samples: [Sample], error: ChunkError?) {
        var iterator = chunk.makeIterator()
        var samples: [Sample] = []
        do throws(ChunkError) {
            while let sample = try iterator.next() {
                samples.append(sample)
                if samples.count > XORChunk.maxSampleCount {
                    Issue.record("iterator yielded more samples than a chunk can hold")
                    break
                }
            }
        } catch {
            return (samples, error)
        }
        return (samples, nil)
    }

    /// Expects `decoded` to equal `expected` timestamp for timestamp and bit for bit.
    static func expectSameBits(_ decoded: [Sample], _ expected: [Sample], _ what: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(decoded.count == expected.count, "\(what): sample count", sourceLocation: sourceLocation)
        for (i, (a, b)) in zip(decoded, expected).enumerated()
        where a.timestamp != b.timestamp || a.value.bitPattern != b.value.bitPattern {
            Issue.record("""
                \(what): sample \(i) decoded as (\(a.timestamp), 0x\(String(a.value.bitPattern, radix: 16))), \
                expected (\(b.timestamp), 0x\(String(b.value.bitPattern, radix: 16)))
                """, sourceLocation: sourceLocation)
            return
        }
    }

    /// Encodes, decodes and re-encodes `samples`, checking every bit survives.
    static func roundTrip(_ samples: [Sample], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var appender = XORAppender()
        for sample in samples { appender.append(sample.timestamp, sample.value) }
        let chunk = appender.chunk
        #expect(appender.count == samples.count, sourceLocation: sourceLocation)
        #expect(chunk.sampleCount == samples.count, "\(what)", sourceLocation: sourceLocation)
        #expect(appender.byteCount == chunk.bytes.count, sourceLocation: sourceLocation)
        let reopened = try XORChunk(bytes: chunk.bytes)
        let (decoded, error) = drain(reopened)
        #expect(error == nil, "\(what): \(error.map(String.init(describing:)) ?? "")", sourceLocation: sourceLocation)
        expectSameBits(decoded, samples, what, sourceLocation: sourceLocation)
        #expect(encode(decoded).bytes == chunk.bytes, "\(what): re-encoding differs", sourceLocation: sourceLocation)
    }

    /// A reader positioned on the first bit after `samples`' first `bytes` bytes of data.
    static func reader(_ chunk: XORChunk, skippingBytes bytes: Int) -> BitReader {
        BitReader(chunk.bytes, byteOffset: XORChunk.headerSize + bytes)
    }

    static func varintSize(_ x: Int64) -> Int {
        var w = BitWriter()
        w.writeVarint(x)
        return w.bitCount / 8
    }

    static func uvarintSize(_ x: UInt64) -> Int {
        var w = BitWriter()
        w.writeUvarint(x)
        return w.bitCount / 8
    }

    /// Series of many shapes, each a list of samples.
    static func shapes() -> [(name: String, samples: [Sample])] {
        var rng = SplitMix64(state: 0x5EED)
        var shapes: [(String, [Sample])] = []
        let start: Int64 = 1_700_000_000_000

        shapes.append(("empty", []))
        shapes.append(("one sample", [Sample(timestamp: start, value: 42)]))
        shapes.append(("two samples", [Sample(timestamp: start, value: 1), Sample(timestamp: start + 15_000, value: 2)]))
        shapes.append(("constant", (0..<240).map { Sample(timestamp: start + Int64($0) * 15_000, value: 7) }))

        var counter: [Sample] = []
        var total = 0.0
        var t = start
        for i in 0..<500 {
            t += 15_000 + Int64.random(in: -50...50, using: &rng)
            total += Double(Int.random(in: 0...100, using: &rng))
            if i == 300 { total = 3 }  // a counter reset
            counter.append(Sample(timestamp: t, value: total))
        }
        shapes.append(("counter with jitter", counter))

        var gauge: [Sample] = []
        t = start
        for i in 0..<500 {
            t += 10_000 + Int64.random(in: -2_000...2_000, using: &rng)
            let noise = Double(Int64.random(in: -1_000_000...1_000_000, using: &rng)) / 1e7
            gauge.append(Sample(timestamp: t, value: 20 + 5 * sin(Double(i) / 20) + noise))
        }
        shapes.append(("gauge with noise", gauge))

        let special: [Double] = [
            .nan, normalNaN, StaleMarker.value, .infinity, -.infinity, -0.0, 0.0,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Double(bitPattern: 0x000F_FFFF_FFFF_FFFF),
            .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, 1.0.nextUp, -1,
            Double(bitPattern: 0xBFF0_0000_0000_0001), StaleMarker.value, StaleMarker.value, 3.5, StaleMarker.value,
            Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFFF_FFFF_FFFF_FFFF), 0,
        ]
        shapes.append(("special values", special.enumerated().map { Sample(timestamp: start + Int64($0.offset) * 1000, value: $0.element) }))

        // Each dod bucket boundary, on both sides, once in a row and once each as its own series.
        let dods: [Int64] = [
            0, 1, -1, 8191, -8191, 8192, -8192, 8193, 65535, -65535, 65536, -65536, 65537,
            524287, -524287, 524288, -524288, 524289, 1 << 32, -(1 << 32), 1 << 45, -(1 << 45),
        ]
        var jumps: [Sample] = [Sample(timestamp: start, value: 1), Sample(timestamp: start + 2_000_000, value: 2)]
        var delta: Int64 = 2_000_000
        for (i, dod) in dods.enumerated() {
            delta += dod
            jumps.append(Sample(timestamp: jumps.last!.timestamp + delta, value: Double(i)))
        }
        shapes.append(("every dod bucket boundary", jumps))
        for dod in dods {
            let t1 = start + 1_000_000
            shapes.append(("dod \(dod)", [
                Sample(timestamp: start, value: 1), Sample(timestamp: t1, value: 1),
                Sample(timestamp: t1 + 1_000_000 + dod, value: 1), Sample(timestamp: t1 + 2_000_000 + 2 * dod, value: 2),
            ]))
        }

        shapes.append(("timestamp extremes", [
            Sample(timestamp: .min, value: 1), Sample(timestamp: .max, value: 2), Sample(timestamp: 0, value: 3),
            Sample(timestamp: -1, value: 4), Sample(timestamp: .min, value: 5), Sample(timestamp: .max, value: 6),
        ]))
        shapes.append(("negative and decreasing timestamps", [-5_000, -4_000, -4_500, -10_000_000, 3, 3, 3, 2].map {
            Sample(timestamp: $0, value: Double($0))
        }))

        // Random mixtures: steps, values and special values drawn at random.
        for series in 0..<50 {
            var samples: [Sample] = []
            var t = Int64.random(in: -(1 << 40)...(1 << 41), using: &rng)
            var v = Double(Int.random(in: -1000...1000, using: &rng))
            for _ in 0..<Int.random(in: 1...400, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: t += Int64.random(in: 0...(1 << 24), using: &rng)
                case 1: t += Int64.random(in: -(1 << 20)...(1 << 20), using: &rng)
                default: t += 15_000
                }
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: v = Double(bitPattern: rng.next())
                case 1: v = StaleMarker.value
                case 2: v = special[Int.random(in: 0..<special.count, using: &rng)]
                case 3, 4: break
                case 5: v = Double(Int.random(in: 0...1_000_000, using: &rng))
                default: v = (v.isFinite ? v : 0) + Double(Int.random(in: -100...100, using: &rng)) / 8
                }
                samples.append(Sample(timestamp: t, value: v))
            }
            shapes.append(("random \(series)", samples))
        }
        return shapes
    }

    // MARK: Round trips

    @Test("every series shape round-trips bit for bit")
    func roundTripShapes() throws {
        for (name, samples) in Self.shapes() {
            try Self.roundTrip(samples, name)
        }
    }

    /// Prometheus's `xorAppender.Append` as its sequence of `bstream` calls, made one by
    /// one on a ``BitWriter``: the oracle for the appender, which gathers a sample's fields
    /// and writes them at once.
    struct CallByCallAppender {
        var writer = BitWriter(bytes: [0, 0])
        var count = 0
        var t: Int64 = 0, vbits: UInt64 = 0, tDelta: UInt64 = 0
        var leading: UInt8 = 0xFF, trailing: UInt8 = 0

        mutating func append(_ t: Int64, _ v: Double) {
            let bits = v.bitPattern
            var newDelta: UInt64 = 0
            if count == 0 {
                writer.writeVarint(t)
                writer.writeBits(bits, count: 64)
            } else {
                newDelta = UInt64(bitPattern: t &- self.t)
                if count == 1 {
                    writer.writeUvarint(newDelta)
                } else {
                    let dod = Int64(bitPattern: newDelta &- tDelta)
                    func fits(_ n: Int64) -> Bool { -(n / 2 - 1) <= dod && dod <= n / 2 }
                    if dod == 0 {
                        writer.writeBit(false)
                    } else if fits(1 << 14) {
                        writer.writeBits(0b10, count: 2); writer.writeBits(UInt64(bitPattern: dod), count: 14)
                    } else if fits(1 << 17) {
                        writer.writeBits(0b110, count: 3); writer.writeBits(UInt64(bitPattern: dod), count: 17)
                    } else if fits(1 << 20) {
                        writer.writeBits(0b1110, count: 4); writer.writeBits(UInt64(bitPattern: dod), count: 20)
                    } else {
                        writer.writeBits(0b1111, count: 4); writer.writeBits(UInt64(bitPattern: dod), count: 64)
                    }
                }
                let delta = bits ^ vbits
                if delta == 0 {
                    writer.writeBit(false)
                } else {
                    let newLeading = UInt8(min(delta.leadingZeroBitCount, 31)), newTrailing = UInt8(delta.trailingZeroBitCount)
                    if leading != 0xFF && newLeading >= leading && newTrailing >= trailing {
                        writer.writeBits(0b10, count: 2)
                        writer.writeBits(delta >> trailing, count: 64 - Int(leading) - Int(trailing))
                    } else {
                        (leading, trailing) = (newLeading, newTrailing)
                        let significant = 64 - Int(newLeading) - Int(newTrailing)
                        writer.writeBits(0b11, count: 2)
                        writer.writeBits(UInt64(newLeading), count: 5)
                        writer.writeBits(UInt64(significant & 0x3F), count: 6)
                        writer.writeBits(delta >> newTrailing, count: significant)
                    }
                }
            }
            (self.t, vbits, tDelta) = (t, bits, newDelta)
            count += 1
            writer.replaceByte(at: 0, with: UInt8(truncatingIfNeeded: count >> 8))
            writer.replaceByte(at: 1, with: UInt8(truncatingIfNeeded: count))
        }
    }

    @Test("appending gives, after every sample, the bytes of Prometheus's bstream calls made one by one")
    func sameBytesAsCallByCall() throws {
        var rng = SplitMix64(state: 26)
        var shapes = Self.shapes()
        // Fields of every width at every bit offset: random deltas and values of all kinds.
        for series in 0..<200 {
            var samples: [Sample] = []
            var t = Int64.random(in: -1 << 40 ... 1 << 40, using: &rng)
            for _ in 0..<Int.random(in: 1...300, using: &rng) {
                switch rng.next() % 6 {
                case 0: t &+= 15_000
                case 1: t &+= Int64.random(in: -600_000...600_000, using: &rng)
                case 2: t &+= Int64.random(in: -1 << 45 ... 1 << 45, using: &rng)
                default: t &+= Int64.random(in: 14_000...16_000, using: &rng)
                }
                let v: Double = switch rng.next() % 5 {
                case 0: Double(bitPattern: rng.next())
                case 1: Double(Int.random(in: -3...3, using: &rng))
                case 2: samples.last?.value ?? 0
                case 3: StaleMarker.value
                default: Double.random(in: -1e6...1e6, using: &rng)
                }
                samples.append(Sample(timestamp: t, value: v))
            }
            shapes.append(("random \(series)", samples))
        }
        for (name, samples) in shapes {
            var appender = XORAppender(), oracle = CallByCallAppender()
            for (i, sample) in samples.enumerated() {
                appender.append(sample.timestamp, sample.value)
                oracle.append(sample.timestamp, sample.value)
                guard appender.chunk.bytes == oracle.writer.bytes else {
                    Issue.record("\(name): bytes differ after sample \(i)")
                    break
                }
            }
        }
    }

    @Test("a full chunk of 65535 samples round-trips, and isFull says so")
    func fullChunk() throws {
        var rng = SplitMix64(state: 3)
        var samples: [Sample] = []
        var t: Int64 = 0
        for _ in 0..<XORChunk.maxSampleCount {
            t += Int64.random(in: 1...30_000, using: &rng)
            samples.append(Sample(timestamp: t, value: Double(Int.random(in: 0...9, using: &rng))))
        }
        var appender = XORAppender()
        for sample in samples { appender.append(sample.timestamp, sample.value) }
        #expect(appender.isFull)
        #expect(appender.chunk.sampleCount == 65535)
        Self.expectSameBits(try appender.chunk.samples(), samples, "full chunk")
    }

    @Test("a chunk taken in the middle of appending holds the samples so far")
    func snapshotsWhileAppending() throws {
        let samples = Self.shapes().first { $0.name == "gauge with noise" }!.samples
        var appender = XORAppender()
        for (i, sample) in samples.enumerated() {
            appender.append(sample.timestamp, sample.value)
            if i % 37 == 0 {
                let snapshot = appender.chunk
                Self.expectSameBits(try snapshot.samples(), Array(samples[...i]), "snapshot after \(i + 1)")
            }
        }
        #expect(XORChunk(samples: samples) == appender.chunk)
    }

    @Test("the dod prefix and field width follow Prometheus's bitRange, boundaries included")
    func dodBuckets() throws {
        // (dod, prefix bits, field width): ranges are −(2^(n−1)−1) … 2^(n−1).
        let table: [(Int64, [Bool], Int)] = [
            (0, [false], 0),
            (1, [true, false], 14), (-1, [true, false], 14),
            (8192, [true, false], 14), (-8191, [true, false], 14),
            (8193, [true, true, false], 17), (-8192, [true, true, false], 17),
            (65536, [true, true, false], 17), (-65535, [true, true, false], 17),
            (65537, [true, true, true, false], 20), (-65536, [true, true, true, false], 20),
            (524288, [true, true, true, false], 20), (-524287, [true, true, true, false], 20),
            (524289, [true, true, true, true], 64), (-524288, [true, true, true, true], 64),
            (1 << 50, [true, true, true, true], 64), (-(1 << 50), [true, true, true, true], 64),
        ]
        let t0: Int64 = 0, delta: Int64 = 100_000
        for (dod, prefix, width) in table {
            let chunk = Self.encode([
                Sample(timestamp: t0, value: 5), Sample(timestamp: t0 + delta, value: 5),
                Sample(timestamp: t0 + 2 * delta + dod, value: 5),
            ])
            var r = Self.reader(chunk, skippingBytes: Self.varintSize(t0) + 8 + Self.uvarintSize(UInt64(delta)))
            #expect(try r.readBit() == false, "sample 1 repeats the value")
            var read: [Bool] = []
            for _ in prefix { read.append(try r.readBit()) }
            #expect(read == prefix, "dod \(dod): prefix")
            if width > 0 {
                let field = try r.readBits(width)
                let mask = width == 64 ? UInt64.max : (UInt64(1) << width) - 1
                #expect(field == UInt64(bitPattern: dod) & mask, "dod \(dod): field")
            }
            #expect(try r.readBit() == false, "dod \(dod): sample 2 repeats the value")
            #expect(r.bitsRemaining < 8, "dod \(dod): only padding is left")
            #expect(try chunk.samples().last?.timestamp == t0 + 2 * delta + dod)
        }
    }

    @Test("value XOR: leading zeros clamp to 31, 64 significant bits are written as 0, windows are reused")
    func valueWindows() throws {
        let skip = Self.varintSize(0) + 8 + Self.uvarintSize(1000)

        // 1.0 → nextUp(1.0): 63 leading zeros, clamped to 31, so 33 significant bits.
        var r = Self.reader(Self.encode([Sample(timestamp: 0, value: 1), Sample(timestamp: 1000, value: 1.0.nextUp)]), skippingBytes: skip)
        #expect(try r.readBits(2) == 0b11)
        #expect(try r.readBits(5) == 31)
        #expect(try r.readBits(6) == 33)
        #expect(try r.readBits(33) == 1)

        // A delta with both the top and the bottom bit set: 64 significant bits, stored as 0.
        let wide = Double(bitPattern: 0xBFF0_0000_0000_0001)
        r = Self.reader(Self.encode([Sample(timestamp: 0, value: 1), Sample(timestamp: 1000, value: wide)]), skippingBytes: skip)
        #expect(try r.readBits(2) == 0b11)
        #expect(try r.readBits(5) == 0)
        #expect(try r.readBits(6) == 0)
        #expect(try r.readBits(64) == 0x8000_0000_0000_0001)
        #expect(try Self.encode([Sample(timestamp: 0, value: 1), Sample(timestamp: 1000, value: wide)]).samples()[1].value.bitPattern
                == wide.bitPattern)

        // 1 → 1.5 → 1: the second delta fits the first window (12 leading, 51 trailing): `10` + 1 bit.
        r = Self.reader(Self.encode([
            Sample(timestamp: 0, value: 1), Sample(timestamp: 1000, value: 1.5), Sample(timestamp: 2000, value: 1),
        ]), skippingBytes: skip)
        #expect(try r.readBits(2) == 0b11)
        #expect(try r.readBits(5) == 12)
        #expect(try r.readBits(6) == 1)
        #expect(try r.readBits(1) == 1)
        #expect(try r.readBit() == false, "dod 0")
        #expect(try r.readBits(2) == 0b10, "window reused")
        #expect(try r.readBits(1) == 1)
        #expect(r.bitsRemaining < 8)

        // A delta with more trailing but fewer leading zeros opens a new window.
        r = Self.reader(Self.encode([
            Sample(timestamp: 0, value: Double(bitPattern: 0)), Sample(timestamp: 1000, value: Double(bitPattern: 0xF0)),
            Sample(timestamp: 2000, value: Double(bitPattern: 0xF0 ^ 0x0100_0000_0000_0000)),
        ]), skippingBytes: skip)
        #expect(try r.readBits(2) == 0b11)
        #expect(try r.readBits(5) == 31, "56 leading zeros clamp to 31")
        #expect(try r.readBits(6) == 29)
        #expect(try r.readBits(29) == 0xF)
        #expect(try r.readBit() == false)
        #expect(try r.readBits(2) == 0b11, "new window")
        #expect(try r.readBits(5) == 7)
        #expect(try r.readBits(6) == 1)
    }

    @Test("stale markers and NaN payloads keep their exact bits")
    func staleMarkers() throws {
        let values = [1.0, StaleMarker.value, 2.0, normalNaN, StaleMarker.value, StaleMarker.value, .nan, -0.0]
        let chunk = XORChunk(samples: values.enumerated().map { Sample(timestamp: Int64($0.offset) * 15_000, value: $0.element) })
        let decoded = try chunk.samples()
        #expect(decoded.map(\.value.bitPattern) == values.map(\.bitPattern))
        #expect(decoded.map { StaleMarker.isStale($0.value) } == [false, true, false, false, true, true, false, false])
    }

    // MARK: Bit streams

    @Test("BitWriter and BitReader agree on random fields, and reading past the end throws")
    func bitStreams() throws {
        var rng = SplitMix64(state: 11)
        for _ in 0..<200 {
            var writer = BitWriter()
            var fields: [(UInt64, Int)] = []
            for _ in 0..<Int.random(in: 0...300, using: &rng) {
                let width = Int.random(in: 0...64, using: &rng)
                let value = width == 0 ? 0 : rng.next() >> (64 - width)
                fields.append((value, width))
                writer.writeBits(value | (width < 64 ? rng.next() << width : 0), count: width)  // junk above `width` is ignored
            }
            let bits = fields.reduce(0) { $0 + $1.1 }
            #expect(writer.bitCount == bits)
            #expect((0...8).contains(writer.bytes.count * 8 - bits))
            var reader = BitReader(writer.bytes)
            for (value, width) in fields {
                #expect(try reader.readBits(width) == value)
            }
            #expect(reader.bitsRemaining == writer.bytes.count * 8 - bits)
            #expect(try reader.readBits(reader.bitsRemaining) == 0, "padding is zero")
            #expect(throws: ChunkError.endOfStream(bitOffset: writer.bytes.count * 8, byteCount: writer.bytes.count)) {
                try reader.readBit()
            }
            #expect(throws: ChunkError.self) { try reader.readBits(64) }
        }
        var reader = BitReader([0xAB], byteOffset: 0)
        #expect(throws: ChunkError.self) { try reader.readBits(9) }
        reader = BitReader([1, 2, 3], byteOffset: 7)
        #expect(reader.bitsRemaining == 0)
        #expect(throws: ChunkError.self) { try reader.readByte() }
    }

    @Test("varints use Go's encoding; overlong ones throw")
    func varints() throws {
        let cases: [(Int64, [UInt8])] = [(0, [0]), (1, [2]), (-1, [1]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]),
                                         (.max, [0xFE] + Array(repeating: 0xFF, count: 8) + [0x01]),
                                         (.min, Array(repeating: 0xFF, count: 9) + [0x01])]
        for (value, bytes) in cases {
            var w = BitWriter()
            w.writeVarint(value)
            // Like Go's bstream, whole bytes leave an empty byte at the end.
            #expect(w.bytes == bytes + [0], "varint \(value)")
            #expect(w.bitCount == bytes.count * 8)
            var r = BitReader(bytes)
            #expect(try r.readVarint() == value)
        }
        var w = BitWriter()
        w.writeUvarint(300)
        #expect(w.bytes == [0xAC, 0x02, 0])
        w.writeBit(true)
        #expect(w.bytes == [0xAC, 0x02, 0x80], "the next bit goes into the empty byte")
        var r = BitReader(Array(repeating: 0xFF, count: 10) + [0x01])
        #expect(throws: ChunkError.varintOverflow(byteOffset: 0)) { try r.readUvarint() }
        r = BitReader(Array(repeating: 0xFF, count: 9) + [0x02])
        #expect(throws: ChunkError.varintOverflow(byteOffset: 0)) { try r.readUvarint() }
        r = BitReader([0x80, 0x80])
        #expect(throws: ChunkError.self) { try r.readUvarint() }
    }

    // MARK: Seek

    @Test("seek: before the first, exact, between, after the last, and never backwards")
    func seek() throws {
        let chunk = XORChunk(samples: [10, 20, 30, 40].map { Sample(timestamp: $0, value: Double($0) / 10) })
        let single: [(Timestamp, Timestamp?)] = [(.min, 10), (5, 10), (10, 10), (11, 20), (15, 20), (30, 30), (39, 40), (40, 40), (41, nil), (.max, nil)]
        for (target, expected) in single {
            var it = chunk.makeIterator()
            #expect(try it.seek(to: target)?.timestamp == expected, "seek(\(target)) on a fresh iterator")
        }

        var it = chunk.makeIterator()
        #expect(try it.next()?.timestamp == 10)
        #expect(try it.seek(to: 5)?.timestamp == 10, "seeking before the current sample returns it")
        #expect(try it.seek(to: 10)?.timestamp == 10)
        #expect(try it.seek(to: 25)?.timestamp == 30)
        #expect(try it.seek(to: 10)?.timestamp == 30, "seek never moves backwards")
        #expect(try it.seek(to: 30)?.timestamp == 30)
        #expect(try it.next()?.timestamp == 40)
        #expect(try it.seek(to: 35)?.timestamp == 40)
        #expect(try it.seek(to: .min)?.timestamp == 40)
        #expect(try it.seek(to: 41) == nil)
        #expect(try it.next() == nil)
        #expect(try it.seek(to: 0) == nil, "an exhausted iterator stays exhausted")

        it = chunk.makeIterator()
        while try it.next() != nil {}
        #expect(try it.seek(to: .min) == nil)
        #expect(try it.next() == nil)

        var empty = XORChunk(samples: []).makeIterator()
        #expect(try empty.seek(to: 0) == nil)
        #expect(try empty.next() == nil)

        // The values come with the timestamps.
        it = chunk.makeIterator()
        #expect(try it.seek(to: 21) == Sample(timestamp: 30, value: 3))
    }

    // MARK: Corrupt input

    /// Chunks to damage: the synthetic shapes plus, when available, the real ones.
    static func damageCorpus() throws -> [(name: String, chunk: XORChunk)] {
        var corpus = shapes().prefix(8).map { ($0.name, encode($0.samples)) }
        if Conformance.directory != nil {
            let segment = try Conformance.bytes("tsdb-blocks/index_format_v1/chunks/000001")
            for (i, c) in try SegmentFile.chunks(segment).prefix(3).enumerated() {
                corpus.append(("conformance chunk \(i)", try XORChunk(bytes: c.data)))
            }
        }
        return corpus
    }

    /// Every strict prefix of `chunk` fails with `.truncated` after yielding a prefix of its
    /// samples, except that cutting a trailing empty byte (see `BitWriter`) loses nothing.
    static func checkTruncations(_ chunk: XORChunk, _ name: String) throws {
        let original = try chunk.samples()
        for length in 0..<chunk.bytes.count {
            let prefix = Array(chunk.bytes[..<length])
            guard length >= XORChunk.headerSize else {
                #expect(throws: ChunkError.missingHeader(byteCount: length, headerSize: 2)) { try XORChunk(bytes: prefix) }
                continue
            }
            let (samples, error) = drain(try XORChunk(bytes: prefix))
            if error == nil && length == chunk.bytes.count - 1 && chunk.bytes.last == 0 {
                expectSameBits(samples, original, "\(name) without its empty last byte")
                continue
            }
            #expect(error == .truncated(sampleIndex: samples.count, sampleCount: original.count, byteCount: length),
                    "\(name) cut to \(length) bytes")
            expectSameBits(samples, Array(original.prefix(samples.count)), "\(name) cut to \(length) bytes")
        }
    }

    @Test("truncation at every length throws .truncated after a correct prefix")
    func truncations() throws {
        for (name, chunk) in try Self.damageCorpus() {
            try Self.checkTruncations(chunk, name)
        }
    }

    @Test("random bit flips never trap or loop: an error or at most the announced samples")
    func bitFlips() throws {
        var rng = SplitMix64(state: 99)
        for (name, chunk) in try Self.damageCorpus() {
            for _ in 0..<300 {
                var bytes = chunk.bytes
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let bit = Int.random(in: 0..<(bytes.count * 8), using: &rng)
                    bytes[bit / 8] ^= 0x80 >> UInt8(bit % 8)
                }
                let damaged = try XORChunk(bytes: bytes)
                let (samples, error) = Self.drain(damaged)
                if error == nil {
                    #expect(samples.count == damaged.sampleCount, "\(name)")
                } else {
                    #expect(samples.count < damaged.sampleCount, "\(name)")
                }
                // Seeking through damage behaves the same way.
                var it = damaged.makeIterator()
                var seeks = 0
                do throws(ChunkError) {
                    while let s = try it.seek(to: Int64.random(in: -(1 << 62)...(1 << 62), using: &rng)), seeks < 100_000 {
                        _ = s
                        seeks += 1
                        if try it.next() == nil { break }
                    }
                } catch {
                    _ = error.description
                }
            }
        }
    }

    @Test("a header announcing more samples than the data holds throws; errors are sticky")
    func countLargerThanData() throws {
        for (name, chunk) in try Self.damageCorpus() where chunk.sampleCount > 0 {
            var bytes = chunk.bytes
            bytes[0] = 0xFF
            bytes[1] = 0xFF
            let (samples, error) = Self.drain(try XORChunk(bytes: bytes))
            guard case .truncated(let index, 65535, bytes.count)? = error else {
                Issue.record("\(name): expected .truncated, got \(String(describing: error))")
                continue
            }
            #expect(index >= chunk.sampleCount && samples.count == index, "\(name)")
            var it = try XORChunk(bytes: bytes).makeIterator()
            var first: ChunkError?
            do throws(ChunkError) { while try it.next() != nil {} } catch { first = error }
            #expect(first != nil)
            #expect(throws: first!) { _ = try it.next() }
            #expect(throws: first!) { _ = try it.seek(to: .max) }
        }
        #expect(throws: ChunkError.missingHeader(byteCount: 0, headerSize: 2)) { try XORChunk(bytes: []) }
        #expect(throws: ChunkError.missingHeader(byteCount: 1, headerSize: 2)) { try XORChunk(bytes: [0]) }
        let (samples, error) = Self.drain(try XORChunk(bytes: [0, 0]))
        #expect(samples.isEmpty && error == nil)
        // An impossible value window (leading 31 + 64 significant bits, i.e. sigbits field 0).
        var w = BitWriter()
        w.writeBits(2, count: 16)
        w.writeVarint(0)
        w.writeBits(0, count: 64)
        w.writeUvarint(10)
        w.writeBits(0b11, count: 2)
        w.writeBits(31, count: 5)
        w.writeBits(0, count: 6)
        w.writeBits(0, count: 64)
        #expect(throws: ChunkError.invalidValueWindow(sampleIndex: 1, leading: 31, significantBits: 64)) {
            _ = try XORChunk(bytes: w.bytes).samples()
        }
    }

    @Test("errors explain themselves")
    func errorMessages() {
        #expect(ChunkError.unsupportedEncoding(4).description.contains("XOR2"))
        #expect(ChunkError.truncated(sampleIndex: 3, sampleCount: 120, byteCount: 40).description.contains("120 samples"))
        #expect(ChunkEncoding(rawValue: 1) == .xor)
        #expect(ChunkEncoding(rawValue: 3) == .floatHistogram)
        #expect(ChunkEncoding(rawValue: 4) == nil)
        #expect(ChunkEncoding(rawValue: 0) == nil)
        #expect(ChunkEncoding.histogram.description == "histogram")
    }
}

// MARK: - Real Prometheus output

extension XORChunkTests {
    /// Walks a chunk segment file (`chunks/000001`…) independently of the TSDB module.
    enum SegmentFile {
        struct Chunk {
            let offset: Int
            let encoding: UInt8
            let data: [UInt8]
            let crcMatches: Bool
        }

        struct FormatError: Error, CustomStringConvertible {
            let description: String
        }

        /// CRC-32C (Castagnoli), bit by bit: slow and obviously right.
        static func crc32c(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }

        static func chunks(_ file: [UInt8]) throws -> [Chunk] {
            guard file.count >= 8, Array(file[0..<5]) == [0x85, 0xBD, 0x40, 0xDD, 0x01] else {
                throw FormatError(description: "bad segment header \(file.prefix(8).map { String($0, radix: 16) })")
            }
            var chunks: [Chunk] = []
            var position = 8
            while position < file.count {
                let offset = position
                var length = 0, shift = 0
                while true {
                    guard position < file.count, shift < 35 else { throw FormatError(description: "bad length at \(offset)") }
                    let b = file[position]
                    position += 1
                    length |= Int(b & 0x7F) << shift
                    if b < 0x80 { break }
                    shift += 7
                }
                let end = position + 1 + length
                guard end + 4 <= file.count else { throw FormatError(description: "chunk at \(offset) runs past the end") }
                let stored = file[end..<(end + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                chunks.append(Chunk(offset: offset, encoding: file[position], data: Array(file[(position + 1)..<end]),
                                    crcMatches: stored == crc32c(file[position..<end])))
                position = end + 4
            }
            return chunks
        }

        /// Decodes and re-encodes every XOR chunk of `file`; returns the number of samples and
        /// chunks, the largest |delta-of-delta| seen and the number of NaN values.
        static func checkRoundTrip(_ file: [UInt8], _ name: String) throws -> (samples: Int, chunks: Int, maxDod: Int64, nans: Int) {
            var total = 0, nans = 0
            var maxDod: Int64 = 0
            let chunks = try chunks(file)
            for c in chunks {
                #expect(c.crcMatches, "\(name) @\(c.offset): CRC")
                #expect(c.encoding == ChunkEncoding.xor.rawValue, "\(name) @\(c.offset): encoding \(c.encoding)")
                guard c.encoding == ChunkEncoding.xor.rawValue else { continue }
                let chunk = try XORChunk(bytes: c.data)
                let samples = try chunk.samples()
                #expect(samples.count == chunk.sampleCount)
                let again = XORChunkTests.encode(samples)
                #expect(again.bytes == c.data, "\(name) @\(c.offset): re-encoding \(samples.count) samples differs from Prometheus")
                total += samples.count
                nans += samples.filter(\.value.isNaN).count
                for i in samples.indices.dropFirst(2) {
                    let dod = (samples[i].timestamp - samples[i - 1].timestamp) - (samples[i - 1].timestamp - samples[i - 2].timestamp)
                    maxDod = max(maxDod, abs(dod))
                }
            }
            return (total, chunks.count, maxDod, nans)
        }
    }
}

@Suite(.enabled(if: Conformance.shouldRun))
struct XORChunkConformanceTests {
    @Test("chunks written by Prometheus decode and re-encode to the same bytes")
    func prometheusSegment() throws {
        let file = try Conformance.bytes("tsdb-blocks/index_format_v1/chunks/000001")
        let (samples, chunks, _, _) = try XORChunkTests.SegmentFile.checkRoundTrip(file, "index_format_v1/chunks/000001")
        #expect(samples == 102, "meta.json says numSamples 102")
        #expect(chunks == 102, "meta.json says numChunks 102")
    }
}

@Suite(.enabled(if: Subprocess.which("promtool") != nil))
struct XORChunkPromtoolTests {
    /// A few series with thousands of samples: counters with resets, noisy gauges with NaN and
    /// ±Inf, irregular (millisecond) timestamps and long gaps.
    static func openMetrics() -> (text: String, samples: Int) {
        var rng = SplitMix64(state: 2024)
        var lines: [String] = []
        var count = 0
        let start: Int64 = 1_600_000_000_000
        func stamp(_ t: Int64) -> String {
            let ms = String(t % 1000)
            return "\(t / 1000)." + String(repeating: "0", count: 3 - ms.count) + ms
        }

        lines.append("# TYPE xor_requests counter")
        for code in ["200", "500"] {
            var t = start, v = 0.0
            for i in 0..<3000 {
                t += 15_000 + Int64.random(in: -40...40, using: &rng)
                if code == "200" { v += Double(Int.random(in: 0...30, using: &rng)) } else if i % 50 == 0 { v += 1 }
                if i == 1700 { v = 0 }
                lines.append("xor_requests_total{code=\"\(code)\"} \(GoFloat.format(v)) \(stamp(t))")
                count += 1
            }
        }
        lines.append("# TYPE xor_temperature gauge")
        for room in ["a", "b"] {
            var t = start + 7
            for i in 0..<2500 {
                t += Int64.random(in: 5_000...25_000, using: &rng)
                if i % 400 == 399 { t += Int64.random(in: 600_000...3_000_000, using: &rng) }  // scrape outage
                let value: String
                switch i % 211 {
                case 17: value = "NaN"
                case 18: value = "+Inf"
                case 19: value = "-Inf"
                default:
                    let noise = Double(Int.random(in: -99_999...99_999, using: &rng)) / 1e5
                    value = GoFloat.format(18 + 4 * sin(Double(i) / 50) + noise)
                }
                lines.append("xor_temperature{room=\"\(room)\"} \(value) \(stamp(t))")
                count += 1
            }
        }
        lines.append("# TYPE xor_tiny gauge")
        var t = start
        for i in 0..<2000 {
            t += 30_000
            let values = ["5e-324", "-0", "0", "1e+300", "2.2250738585072014e-308", GoFloat.format(Double(i) * 0.1)]
            lines.append("xor_tiny \(values[Int.random(in: 0..<values.count, using: &rng)]) \(stamp(t))")
            count += 1
        }
        lines.append("# EOF")
        return (lines.joined(separator: "\n") + "\n", count)
    }

    @Test("chunks written by promtool decode and re-encode to the same bytes")
    func promtoolBlocks() throws {
        let promtool = try #require(Subprocess.which("promtool"))
        let dir = NSTemporaryDirectory() + "hindsight-xor-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (text, expectedSamples) = Self.openMetrics()
        try text.write(toFile: dir + "/input.om", atomically: true, encoding: .utf8)
        let out = dir + "/blocks"
        let result = try Subprocess.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", dir + "/input.om", out])
        try #require(result.status == 0, "promtool failed: \(result.stderr)")

        var samples = 0, chunkCount = 0, segments = 0
        var truncationChecks = 0, nans = 0
        var maxDod: Int64 = 0
        for block in try FileManager.default.contentsOfDirectory(atPath: out).sorted() {
            let chunksDir = out + "/" + block + "/chunks"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: chunksDir) else { continue }
            for name in names.sorted() {
                let file = Array(try Data(contentsOf: URL(fileURLWithPath: chunksDir + "/" + name)))
                let (n, c, dod, nan) = try XORChunkTests.SegmentFile.checkRoundTrip(file, "\(block)/chunks/\(name)")
                samples += n
                chunkCount += c
                maxDod = max(maxDod, dod)
                nans += nan
                segments += 1
                // Real chunks also survive truncation at every length.
                for chunk in try XORChunkTests.SegmentFile.chunks(file).prefix(2) {
                    try XORChunkTests.checkTruncations(try XORChunk(bytes: chunk.data), "\(block)/\(name)@\(chunk.offset)")
                    truncationChecks += 1
                }
            }
        }
        #expect(segments >= 2, "several blocks")
        #expect(chunkCount > 50)
        #expect(truncationChecks > 0)
        #expect(samples == expectedSamples, "every sample written is in some chunk")
        #expect(maxDod > 524_289, "some chunk needs the 64-bit delta-of-delta")
        #expect(nans > 0, "NaN values made it into chunks")
    }
}
