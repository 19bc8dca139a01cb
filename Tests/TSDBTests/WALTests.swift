import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// The write-ahead log: Prometheus's record encodings, the page/fragment layout, segment
/// cutting, torn-tail repair, mid-log corruption errors and checkpoints.
@Suite struct WALTests {
    // MARK: Helpers


    static let page = WALFormat.pageSize

    /// A recognizable payload without zero bytes (so a damaged type byte never reads as valid padding).
    static func payload(_ size: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(state: seed)
        return (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) | 0x01 }
    }

    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    static func segmentFiles(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }.sorted()
    }

    /// Every record with the file and offset it was read from.
    static func locatedRecords(_ directory: String) throws -> [(file: String, offset: Int, bytes: [UInt8])] {
        var reader = try WALReader(directory: directory)
        var result: [(file: String, offset: Int, bytes: [UInt8])] = []
        while let record = try reader.next() { result.append((reader.file, reader.offset, record)) }
        return result
    }

    static func corruption(_ body: () throws(TSDBError) -> Void) -> (file: String, offset: Int, reason: String)? {
        do {
            try body()
            return nil
        } catch {
            if case let .corrupt(file, offset, reason) = error { return (file, offset, reason) }
            Issue.record("expected a corrupt error, got \(error)")
            return nil
        }
    }

    // MARK: Records

    @Test func seriesRoundTripWithUTF8Labels() throws {
        let series: [(ref: UInt64, labels: Labels)] = [
            (1, Labels(["__name__": "http_requests_total", "job": "api", "path": "/ü/日本語"])),
            (UInt64.max, Labels(["__name__": "température_°C", "emoji": "🚀✨", "empty": ""])),
            (42, Labels.empty),
        ]
        let record = WALRecord.series(series)
        let decoded = try WALRecord.decode(record.encoded())
        #expect(decoded == record)
        guard case let .series(back) = decoded else { Issue.record("not a series record"); return }
        #expect(back[1].labels["emoji"] == "🚀✨")
        #expect(back[0].labels["path"] == "/ü/日本語")

        // By hand: type 1 | ref 7 (u64 BE) | 1 label | "a" | "b".
        let small = WALRecord.series([(7, Labels(["a": "b"]))])
        #expect(small.encoded() == [1, 0, 0, 0, 0, 0, 0, 0, 7, 1, 1, 0x61, 1, 0x62])
    }

    @Test func seriesLabelsOutOfOrderAreSorted() throws {
        // Prometheus sorts labels on decode; a writer that did not sort must still give valid labels.
        let bytes: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 9, 2, 1, 0x7A, 1, 0x31, 1, 0x61, 1, 0x32]
        guard case let .series(series) = try WALRecord.decode(bytes) else { Issue.record("not series"); return }
        #expect(series.count == 1)
        #expect(series[0].ref == 9)
        #expect(series[0].labels == Labels(["a": "2", "z": "1"]))
    }

    @Test func samplesRoundTripNegativeDeltasAndNaNs() throws {
        let stale = Double(bitPattern: 0x7FF0_0000_0000_0002)
        let otherNaN = Double(bitPattern: 0x7FF8_0000_0000_0001)
        let samples: [(ref: UInt64, t: Int64, v: Double)] = [
            (100, 1_700_000_000_000, 1.5),
            (5, 1_699_999_999_000, -0.0),          // negative ref and time deltas
            (UInt64.max, Int64.min, stale),        // wrap-around deltas
            (0, Int64.max, .infinity),
            (100, -5, otherNaN),
            (7, 0, -.greatestFiniteMagnitude),
        ]
        let record = WALRecord.samples(samples)
        let decoded = try WALRecord.decode(record.encoded())
        #expect(decoded == record)
        guard case let .samples(back) = decoded else { Issue.record("not a samples record"); return }
        #expect(back.count == samples.count)
        for (a, b) in zip(samples, back) {
            #expect(a.ref == b.ref)
            #expect(a.t == b.t)
            #expect(a.v.bitPattern == b.v.bitPattern)
        }
        #expect(back[2].v.bitPattern == 0x7FF0_0000_0000_0002)
        #expect(try WALRecord.decode(WALRecord.samples([]).encoded()) == .samples([]))
        #expect(WALRecord.samples([]).encoded() == [2])
    }

    /// Computed by hand from the format: type 2 | first ref u64 BE | first t i64 BE | per
    /// sample zig-zag varint Δref, zig-zag varint Δt, f64 bits BE (the first with 0/0).
    @Test func goldenSamplesRecord() throws {
        let record = WALRecord.samples([(5, 1000, 1.5), (3, 990, -2.0)])
        let expected: [UInt8] = [
            0x02,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  // first ref 5
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8,  // first t 1000
            0x00, 0x00,                                      // Δref 0, Δt 0
            0x3F, 0xF8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 1.5
            0x03,                                            // Δref −2 → zig-zag 3
            0x13,                                            // Δt −10 → zig-zag 19
            0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // −2.0
        ]
        #expect(record.encoded() == expected)
        #expect(try WALRecord.decode(expected) == record)
    }

    @Test func tombstonesRoundTrip() throws {
        let record = WALRecord.tombstones([
            (7, [-10...20, 30...30]),
            (8, [Int64.min...Int64.max]),
            (7, [100...200]),
        ])
        #expect(try WALRecord.decode(record.encoded()) == record)
        // By hand: ref 1, mint −1 (zig-zag 1), maxt 2 (zig-zag 4).
        #expect(WALRecord.tombstones([(1, [-1...2])]).encoded() == [3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 4])
        // An interval with mint > maxt deletes nothing and is dropped instead of trapping.
        let inverted: [UInt8] = [3, 0, 0, 0, 0, 0, 0, 0, 1, 4, 1]
        #expect(try WALRecord.decode(inverted) == .tombstones([]))
    }

    @Test func unknownEmptyAndDamagedRecords() throws {
        #expect(try WALRecord.decode([4, 1, 2, 3]) == .unknown(type: 4))
        #expect(try WALRecord.decode([255]) == .unknown(type: 255))
        #expect(Self.corruption { () throws(TSDBError) in _ = try WALRecord.decode([]) } != nil)
        // A trailing partial sample is an error, not a silently shorter record.
        var bytes = WALRecord.samples([(1, 2, 3)]).encoded()
        bytes.append(0x00)
        let error = Self.corruption { () throws(TSDBError) in _ = try WALRecord.decode(bytes, file: "seg@12") }
        #expect(error?.file == "seg@12")

        // Every prefix of every record, and random bytes, decode or throw — never trap.
        let records: [WALRecord] = [
            .series([(ref: UInt64(1), labels: ["a": "b", "c": "d"] as Labels), (ref: UInt64(2), labels: ["x": "y"] as Labels)]),
            .samples([(1, 2, 3), (4, -5, .nan)]),
            .tombstones([(1, [1...2, 5...9])]),
        ]
        for record in records {
            let encoded = record.encoded()
            for n in 0..<encoded.count { _ = try? WALRecord.decode(Array(encoded[0..<n])) }
        }
        var random = SplitMix64(state: 99)
        for _ in 0..<3000 {
            var bytes = random.bytes(random.below(64))
            if !bytes.isEmpty { bytes[0] = UInt8(1 + random.below(3)) }
            _ = try? WALRecord.decode(bytes)
        }
    }

    // MARK: Layout

    @Test func pageLayoutAndPadding() throws {
        let p = Self.page
        do {
            // A record of exactly page − header fills the page as one full fragment.
            let dir = try TemporaryDirectory(prefix: "hindsight-wal")
            let wal = try WriteAheadLog(directory: dir.path)
            try wal.log([Self.payload(p - 7, seed: 1)])
            try wal.log([Self.payload(1, seed: 2)])
            try wal.close()
            let bytes = try Self.read(dir.path + "/00000000")
            #expect(bytes.count == p + 8)
            #expect(bytes[0] == 1 && Int(bytes[1]) << 8 | Int(bytes[2]) == p - 7)
            #expect(bytes[p] == 1 && bytes[p + 2] == 1)
        }
        do {
            // Less than a header left in the page: zero-filled, the next record starts on the next page.
            let dir = try TemporaryDirectory(prefix: "hindsight-wal")
            let wal = try WriteAheadLog(directory: dir.path)
            try wal.log([Self.payload(p - 7 - 5, seed: 1), Self.payload(10, seed: 2)])
            try wal.close()
            let bytes = try Self.read(dir.path + "/00000000")
            #expect(bytes.count == p + 17)
            #expect(bytes[(p - 5)..<p].allSatisfy { $0 == 0 })
            #expect(bytes[p] == 1)
        }
        do {
            // A record that does not fit is split first/middle/last across pages.
            let dir = try TemporaryDirectory(prefix: "hindsight-wal")
            let wal = try WriteAheadLog(directory: dir.path)
            let big = Self.payload(2 * p + 100, seed: 3)
            try wal.log([Self.payload(100, seed: 4), big])
            try wal.close()
            let bytes = try Self.read(dir.path + "/00000000")
            let firstLength = p - 107 - 7
            #expect(bytes[107] == 2 && Int(bytes[108]) << 8 | Int(bytes[109]) == firstLength)
            #expect(bytes[p] == 3 && Int(bytes[p + 1]) << 8 | Int(bytes[p + 2]) == p - 7)
            #expect(bytes[2 * p] == 4 && Int(bytes[2 * p + 1]) << 8 | Int(bytes[2 * p + 2]) == big.count - firstLength - (p - 7))
            #expect(try WriteAheadLog.readRecords(directory: dir.path) == [Self.payload(100, seed: 4), big])
        }
    }

    @Test func logVariedSizesReopenAndCutSegments() throws {
        let p = Self.page
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let segmentSize = 64 << 10
        let sizes = [0, 1, 7, 100, p - 7, p - 8, p - 6, p, p + 1, 2 * p, 3 * p + 5, 2 * (p - 7), 2 * (p - 7) + 1,
                     100_000, 10, 20, 5000, 31_000, 31_000, 31_000, 300, 3 * p, 1]
        let records = sizes.enumerated().map { Self.payload($1, seed: UInt64($0)) }
        do {
            let wal = try WriteAheadLog(directory: dir.path, segmentSize: segmentSize)
            #expect(wal.repairWarnings.isEmpty)
            for record in records[0..<10] { try wal.log([record]) }
            try wal.log(Array(records[10..<14]))
            try wal.log(Array(records[14...]))
            try wal.close()
            #expect(throws: TSDBError.self) { try wal.log([[1]]) }
        }
        let files = try Self.segmentFiles(dir.path)
        #expect(files.count > 5)
        for (i, name) in files.enumerated() {
            let size = try Self.read(dir.path + "/" + name).count
            if i < files.count - 1 { #expect(size % p == 0, "\(name) is cut at a page boundary") }
            // Only a segment holding a record larger than a segment may exceed the size.
            if size > segmentSize {
                let inside = try Self.locatedRecords(dir.path).filter { $0.file.hasSuffix(name) }
                #expect(inside.count == 1 && inside[0].bytes.count > 2 * (p - 7))
            }
        }
        #expect(try WriteAheadLog.readRecords(directory: dir.path) == records)
        #expect(try WriteAheadLog.readRecords(directory: dir.path, fromSegment: 1) != records)

        // Reopening continues in a new segment and reads everything back.
        let wal = try WriteAheadLog(directory: dir.path, segmentSize: segmentSize)
        #expect(wal.repairWarnings.isEmpty)
        #expect(wal.segmentRange?.first == 0)
        #expect(wal.segmentRange?.last == files.count)
        try wal.log([[9, 9, 9]])
        try wal.close()
        #expect(try WriteAheadLog.readRecords(directory: dir.path) == records + [[9, 9, 9]])
    }

    @Test func invalidSegmentSizeIsRejected() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        #expect(throws: TSDBError.self) { _ = try WriteAheadLog(directory: dir.path, segmentSize: 1000) }
        #expect(throws: TSDBError.self) { _ = try WriteAheadLog(directory: dir.path, segmentSize: 40_000) }
    }

    @Test func concurrentWriters() async throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let wal = try WriteAheadLog(directory: dir.path, segmentSize: 64 << 10)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<40 {
                        let record = [UInt8(task), UInt8(i), 0x00] + Self.payload((task * 997 + i * 131) % 3000, seed: UInt64(i))
                        try? wal.log([record, [UInt8(task), UInt8(i), 0xFF]])
                    }
                }
            }
        }
        try wal.close()
        let records = try WriteAheadLog.readRecords(directory: dir.path)
        #expect(records.count == 8 * 40 * 2)
        for task in 0..<8 {
            // Each task's records in its order.
            #expect(records.filter { $0[0] == UInt8(task) }.map { Int($0[1]) } == (0..<40).flatMap { [$0, $0] })
        }
        // The records of one call stay together.
        for (a, b) in zip(records, records.dropFirst()) where a[2] == 0x00 {
            #expect(b == [a[0], a[1], 0xFF])
        }
    }

    // MARK: Torn tail repair

    /// A WAL whose last segment ends with a small record, a record spanning pages and two
    /// small records; returns all records with their file, start and end offsets.
    static func tornTailFixture(_ dir: String) throws -> [(file: String, start: Int, end: Int, bytes: [UInt8])] {
        let wal = try WriteAheadLog(directory: dir, segmentSize: 64 << 10)
        for i in 0..<30 { try wal.log([payload(3000 + i, seed: UInt64(i))]) }
        try wal.cutSegment()
        try wal.log([payload(500, seed: 100), payload(60, seed: 101)])
        try wal.log([payload(40_000, seed: 102)])
        try wal.log([payload(45, seed: 103)])
        try wal.log([payload(70, seed: 104)])
        try wal.close()
        return try locatedRecords(dir).map {
            ($0.file, $0.offset, WALFormat.layoutEnd(from: $0.offset, length: $0.bytes.count), $0.bytes)
        }
    }

    /// Damages the last segment with `damage`, reopens, and checks the repair: no crash, a
    /// warning naming the file when damaged bytes were dropped, exactly the records complete
    /// before `cut` kept, and appending afterwards readable.
    static func checkRepair(
        _ dir: String, records: [(file: String, start: Int, end: Int, bytes: [UInt8])], pristine: [UInt8],
        damaged: [UInt8], cut: Int, expectWarning: Bool?, appendAfter: Bool
    ) throws {
        let last = records.last!.file
        // Reset: remove segments created by a previous round, then write the damaged bytes.
        let lastName = (last as NSString).lastPathComponent
        for name in try segmentFiles(dir) where name > lastName { try FileManager.default.removeItem(atPath: dir + "/" + name) }
        try write(damaged, to: last)

        let expected = records.filter { $0.file != last || $0.end <= cut }.map(\.bytes)
        let wal = try WriteAheadLog(directory: dir, segmentSize: 64 << 10)
        let warned = !wal.repairWarnings.isEmpty
        if let expectWarning {
            #expect(warned == expectWarning, "cut \(cut): warnings \(wal.repairWarnings)")
        }
        if warned {
            #expect(wal.repairWarnings.allSatisfy { $0.contains(lastName) }, "\(wal.repairWarnings)")
            #expect(wal.repairWarnings.contains { $0.contains("offset") })
        }
        let marker = payload(33, seed: UInt64(cut) + 1_000_000)
        if appendAfter {
            try wal.log([marker])
            try wal.close()
        } else {
            try wal.close()
        }
        let read = try WriteAheadLog.readRecords(directory: dir)
        #expect(read == expected + (appendAfter ? [marker] : []), "cut \(cut): \(read.count) records, expected \(expected.count)")
    }

    @Test func tornTailTruncatedAtEveryOffset() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let records = try Self.tornTailFixture(dir.path)
        let last = records.last!.file
        let pristine = try Self.read(last)
        let inLast = records.filter { $0.file == last }
        #expect(inLast.count == 5)
        let firstDamaged = inLast[1].start  // damage the last four records
        // Every byte near fragment headers, page boundaries and the small records; a stride
        // through the data of the large record.
        var cuts = Set<Int>()
        for record in inLast.dropFirst() {
            for c in record.start..<min(record.start + 80, record.end) { cuts.insert(c) }
            for c in max(record.start, record.end - 80)..<record.end { cuts.insert(c) }
        }
        var pageStart = (firstDamaged / Self.page + 1) * Self.page
        while pageStart < pristine.count {
            for c in (pageStart - 20)..<min(pageStart + 20, pristine.count) { cuts.insert(c) }
            pageStart += Self.page
        }
        for c in stride(from: firstDamaged, to: pristine.count, by: 97) { cuts.insert(c) }
        #expect(cuts.count > 600)
        for cut in cuts.sorted() where cut >= firstDamaged && cut < pristine.count {
            let keptEnd = inLast.filter { $0.end <= cut }.map(\.end).max() ?? 0
            let dropsData = pristine[keptEnd..<cut].contains { $0 != 0 }
            try Self.checkRepair(
                dir.path, records: records, pristine: pristine, damaged: Array(pristine[0..<cut]), cut: cut,
                expectWarning: dropsData, appendAfter: cut % 3 == 0)
        }
    }

    @Test func tornTailGarbageAndFlippedBits() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let records = try Self.tornTailFixture(dir.path)
        let last = records.last!.file
        let pristine = try Self.read(last)
        let inLast = records.filter { $0.file == last }
        var random = SplitMix64(state: 5)

        // Garbage from an offset to the end (and beyond it).
        var offsets = Array(stride(from: inLast[1].start, to: pristine.count, by: 211))
        offsets += inLast.map(\.start) + inLast.map(\.end).filter { $0 < pristine.count }
        for cut in offsets where cut >= inLast[1].start {
            var damaged = Array(pristine[0..<cut])
            damaged += random.bytes(pristine.count - cut + random.below(200))
            try Self.checkRepair(
                dir.path, records: records, pristine: pristine, damaged: damaged, cut: cut,
                expectWarning: true, appendAfter: true)
        }

        // A flipped bit in any byte of the last record (header or data) loses just that record.
        let lastRecord = inLast.last!
        for position in lastRecord.start..<lastRecord.end {
            var damaged = pristine
            damaged[position] ^= 0x01
            try Self.checkRepair(
                dir.path, records: records, pristine: pristine, damaged: damaged, cut: lastRecord.start,
                expectWarning: true, appendAfter: position % 2 == 0)
        }
        // A flipped bit in the first fragment of the last record spanning pages.
        var spanning = Array(pristine[0..<inLast[3].start])
        let big = inLast[2]
        spanning[big.start + 100] ^= 0x80
        try Self.checkRepair(
            dir.path, records: records, pristine: pristine, damaged: spanning, cut: big.start,
            expectWarning: true, appendAfter: true)
    }

    @Test func emptyAndGarbageTrailingSegments() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let wal = try WriteAheadLog(directory: dir.path, segmentSize: 64 << 10)
        try wal.log([[1, 2, 3], Self.payload(5000, seed: 1)])
        try wal.close()
        // A crash can leave a new, empty segment, and one holding only garbage after it.
        try Self.write([], to: dir.path + "/00000001")
        var random = SplitMix64(state: 8)
        try Self.write(random.bytes(300), to: dir.path + "/00000002")
        let reopened = try WriteAheadLog(directory: dir.path, segmentSize: 64 << 10)
        #expect(reopened.repairWarnings.contains { $0.contains("00000002") })
        try reopened.log([[4]])
        try reopened.close()
        #expect(try WriteAheadLog.readRecords(directory: dir.path) == [[1, 2, 3], Self.payload(5000, seed: 1), [4]])
        #expect(try Self.segmentFiles(dir.path) == ["00000000", "00000001"])
    }

    @Test func randomSegmentsNeverCrash() throws {
        var random = SplitMix64(state: 77)
        for round in 0..<60 {
            let dir = try TemporaryDirectory(prefix: "hindsight-wal")
            var bytes: [UInt8] = []
            if round % 2 == 0 {
                let wal = try WriteAheadLog(directory: dir.path)
                try wal.log((0..<5).map { Self.payload(random.below(40_000), seed: UInt64($0)) })
                try wal.close()
                bytes = try Self.read(dir.path + "/00000000")
                for _ in 0..<(1 + random.below(4)) where !bytes.isEmpty {
                    bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                }
                if random.below(2) == 0 { bytes = Array(bytes.prefix(random.below(bytes.count + 1))) }
            } else {
                bytes = random.bytes(random.below(70_000))
                // Plausible fragment headers make the reader go further.
                for i in stride(from: 0, to: bytes.count, by: 1 + random.below(5000)) { bytes[i] = UInt8(1 + random.below(4)) }
            }
            try Self.write(bytes, to: dir.path + "/00000000")
            _ = try? WriteAheadLog.readRecords(directory: dir.path)
            if let wal = try? WriteAheadLog(directory: dir.path) {
                // Whatever the repair kept reads back without errors.
                try wal.log([[1]])
                try wal.close()
                let records = try WriteAheadLog.readRecords(directory: dir.path)
                #expect(records.last == [1])
            }
        }
    }

    // MARK: Corruption inside the log

    @Test func corruptionInTheMiddleIsAnError() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let wal = try WriteAheadLog(directory: dir.path, segmentSize: 64 << 10)
        for i in 0..<60 { try wal.log([Self.payload(2500 + 17 * i, seed: UInt64(i))]) }
        try wal.close()
        let records = try Self.locatedRecords(dir.path)
        let first = records[0].file
        #expect(records.last!.file != first)

        // A flipped data byte in an early record of the first segment.
        let target = records[2]
        let original = try Self.read(first)
        var damaged = original
        damaged[target.offset + 7 + 100] ^= 0x04
        try Self.write(damaged, to: first)
        let error = Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog.readRecords(directory: dir.path) }
        #expect(error?.file == first)
        #expect(error?.offset == target.offset)
        #expect(error?.reason.contains("checksum") == true)
        #expect(Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog.replay(directory: dir.path) }?.offset == target.offset)
        // Opening still works (the tail is intact) and does not touch the damaged segment.
        let reopened = try WriteAheadLog(directory: dir.path, segmentSize: 64 << 10)
        #expect(reopened.repairWarnings.isEmpty)
        try reopened.close()
        #expect(try Self.read(first) == damaged)

        // The last record of the first segment torn, with valid segments after it.
        let lastOfFirst = records.filter { $0.file == first }.last!
        try Self.write(Array(original[0..<(lastOfFirst.offset + 50)]), to: first)
        let torn = Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog.readRecords(directory: dir.path) }
        #expect(torn?.file == first)
        #expect(torn?.offset == lastOfFirst.offset)
        try Self.write(original, to: first)
    }

    @Test func corruptionInTheLastSegmentIsNotRepaired() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let wal = try WriteAheadLog(directory: dir.path)
        try wal.log([Self.payload(100, seed: 1), Self.payload(200, seed: 2), Self.payload(300, seed: 3)])
        try wal.log([Self.payload(40_000, seed: 4), Self.payload(10, seed: 5)])
        try wal.close()
        let records = try Self.locatedRecords(dir.path)
        let path = records[0].file
        let original = try Self.read(path)

        // An early record in the same page as valid ones.
        var damaged = original
        damaged[records[1].offset + 20] ^= 0xFF
        try Self.write(damaged, to: path)
        var error = Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog(directory: dir.path) }
        #expect(error?.file == path)
        #expect(error?.offset == records[1].offset)
        #expect(try Self.read(path) == damaged, "the segment is left untouched")
        error = Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog.readRecords(directory: dir.path) }
        #expect(error?.offset == records[1].offset)

        // A damaged type byte (padding or an invalid type) of a record followed by valid ones.
        for flip: UInt8 in [0x01, 0x04] {
            damaged = original
            damaged[records[2].offset] ^= flip
            try Self.write(damaged, to: path)
            error = Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog(directory: dir.path) }
            #expect(error?.file == path)
            #expect(error != nil && error!.offset >= records[2].offset && error!.offset < records[3].offset)
            #expect(try Self.read(path) == damaged)
        }

        // The first fragment of a record spanning pages, followed by a valid record.
        damaged = original
        damaged[records[3].offset + 7 + 5] ^= 0x01
        try Self.write(damaged, to: path)
        error = Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog.readRecords(directory: dir.path) }
        #expect(error?.file == path)
        #expect(error?.offset == records[3].offset)
        #expect(Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog(directory: dir.path) } != nil)
    }

    /// Prometheus compresses records with snappy by default: they read back decompressed,
    /// also when the compressed record spans pages. zstd is refused with a clear error.
    @Test func snappyRecordsAreReadAndZstdIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        var rng = SplitMix64(state: 3)
        let small = Array("a samples record, say".utf8)
        let large = rng.bytes(50_000)  // incompressible: the compressed record spans two pages
        var segment: [UInt8] = []
        for plain in [small, large] {
            let compressed = Snappy.compress(plain)
            #expect(Snappy.decompress(compressed) == plain)
            var offset = 0
            while offset < compressed.count {
                let room = WALFormat.pageSize - segment.count % WALFormat.pageSize - WALFormat.headerSize
                let n = min(room, compressed.count - offset)
                let first = offset == 0, last = offset + n == compressed.count
                let kind: UInt8 = first && last ? 1 : (first ? 2 : (last ? 4 : 3))
                let part = Array(compressed[offset..<(offset + n)])
                let crc = CRC32C.checksum(part)
                segment += [kind | 0x08, UInt8(n >> 8), UInt8(n & 0xFF),
                            UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)] + part
                offset += n
            }
        }
        try Self.write(segment, to: dir.path + "/00000000")
        #expect(try WriteAheadLog.readRecords(directory: dir.path) == [small, large])

        let data: [UInt8] = Array("compressed?".utf8)
        let crc = CRC32C.checksum(data)
        let zstd: [UInt8] = [0x01 | 0x10, 0, UInt8(data.count),
                             UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)] + data
        try Self.write(zstd, to: dir.path + "/00000000")
        let error = Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog.readRecords(directory: dir.path) }
        #expect(error?.reason.contains("zstd") == true)
        #expect(error?.reason.contains("not supported") == true)
        #expect(error?.offset == 0)
        #expect(try Self.read(dir.path + "/00000000") == zstd, "a compressed WAL is never truncated")
    }

    /// A crash between writing checkpoint N and deleting the segments it covers can leave
    /// an empty segment N behind. Reopening must not write into it: replay skips segments a
    /// checkpoint covers, so those records would be lost (found by the kill -9 test).
    @Test func newRecordsNeverLandInASegmentACheckpointCovers() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let old: [UInt8] = Array("in the checkpoint".utf8)
        try WriteAheadLog.checkpoint(directory: dir.path, through: 3, records: [old])
        try Self.write([], to: dir.path + "/00000003")
        try Self.write([], to: dir.path + "/00000004")
        let wal = try WriteAheadLog(directory: dir.path)
        #expect(wal.segmentRange?.first ?? 0 > 3)
        let fresh: [UInt8] = Array("written after the crash".utf8)
        try wal.log([fresh])
        try wal.close()
        #expect(try WriteAheadLog.replay(directory: dir.path) == [old, fresh])
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/00000003"))
    }

    @Test func segmentGapIsAnError() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let wal = try WriteAheadLog(directory: dir.path)
        try wal.log([[1]])
        try wal.cutSegment()
        try wal.log([[2]])
        try wal.cutSegment()
        try wal.log([[3]])
        try wal.close()
        try FileManager.default.removeItem(atPath: dir.path + "/00000001")
        #expect(Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog.readRecords(directory: dir.path) }?.reason.contains("00000001") == true)
        #expect(Self.corruption { () throws(TSDBError) in _ = try WriteAheadLog(directory: dir.path) } != nil)
    }

    // MARK: Checkpoints

    @Test func checkpointCreateReplayAndRemoveOld() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        let wal = try WriteAheadLog(directory: dir.path, segmentSize: 64 << 10)
        var bySegment: [[[UInt8]]] = []
        for s in 0..<6 {
            let records = (0..<3).map { Self.payload(50 + $0, seed: UInt64(s * 10 + $0)) }
            try wal.log(records)
            bySegment.append(records)
            if s < 5 { #expect(try wal.cutSegment() == s + 1) }
        }
        #expect(wal.segmentRange.map { [$0.first, $0.last] } == [0, 5])
        #expect(WriteAheadLog.lastCheckpoint(directory: dir.path) == nil)
        #expect(try WriteAheadLog.replay(directory: dir.path) == bySegment.flatMap { $0 })

        // A leftover temporary folder from an interrupted checkpoint is ignored, then removed.
        try FileManager.default.createDirectory(atPath: dir.path + "/checkpoint.00000004.tmp", withIntermediateDirectories: true)
        let kept1 = [WALRecord.series([(1, Labels(["__name__": "up"]))]).encoded()]
        try WriteAheadLog.checkpoint(directory: dir.path, through: 1, records: kept1)
        let checkpoint = try #require(WriteAheadLog.lastCheckpoint(directory: dir.path))
        #expect(checkpoint.path == dir.path + "/checkpoint.00000001")
        #expect(checkpoint.index == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/checkpoint.00000004.tmp"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/checkpoint.00000001.tmp"))
        #expect(try WriteAheadLog.readRecords(directory: checkpoint.path) == kept1)
        #expect(try WriteAheadLog.replay(directory: dir.path) == kept1 + bySegment[2...].flatMap { $0 })

        try wal.removeSegments(before: 2)
        #expect(wal.segmentRange.map { [$0.first, $0.last] } == [2, 5])
        #expect(try Self.segmentFiles(dir.path) == ["00000002", "00000003", "00000004", "00000005"])
        #expect(try WriteAheadLog.replay(directory: dir.path) == kept1 + bySegment[2...].flatMap { $0 })

        // A newer checkpoint replaces the old one.
        let kept2 = [Self.payload(70_000, seed: 9), [7]]
        try WriteAheadLog.checkpoint(directory: dir.path, through: 3, records: kept2)
        #expect(WriteAheadLog.lastCheckpoint(directory: dir.path)?.index == 3)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/checkpoint.00000001"))
        #expect(try WriteAheadLog.replay(directory: dir.path) == kept2 + bySegment[4...].flatMap { $0 })
        var reader = try WALReader(replaying: dir.path)
        var count = 0
        while try reader.next() != nil { count += 1 }
        #expect(count == kept2.count + 6)

        // The active segment is never removed.
        try wal.removeSegments(before: 100)
        #expect(wal.segmentRange.map { [$0.first, $0.last] } == [5, 5])
        try wal.log([[8]])
        try wal.close()
        #expect(try WriteAheadLog.replay(directory: dir.path) == kept2 + bySegment[5] + [[8]])
    }

    @Test func freshLogAfterACheckpointNumbersAfterIt() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-wal")
        try WriteAheadLog.checkpoint(directory: dir.path, through: 5, records: [[1], [2]])
        let wal = try WriteAheadLog(directory: dir.path)
        #expect(wal.segmentRange.map { [$0.first, $0.last] } == [6, 6])
        try wal.log([[3]])
        try wal.close()
        #expect(try WriteAheadLog.replay(directory: dir.path) == [[1], [2], [3]])
    }
}
