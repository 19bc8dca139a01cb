import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// The writable DB: head compaction into blocks, leveled and vertical compaction,
/// retention, and deletion that survives restarts and compaction.
@Suite(.serialized)
struct DBTests {
    static let hour: Int64 = 3_600_000

    static func fill(_ db: DB, series: Int, from start: Timestamp, hours: Int, step: Int64 = 60_000) throws {
        var t = start
        while t < start + Int64(hours) * hour {
            var app = db.appender()
            for s in 0..<series { try app.append(["__name__": "m", "s": String(s)], t, Double(t / step)) }
            try app.commit()
            t += step
        }
    }

    static func dump(_ querier: any Querier) throws -> [String: [Sample]] {
        var set = try querier.select([try LabelMatcher(.regexMatch, "__name__", ".*")], hints: nil)
        var out: [String: [Sample]] = [:]
        while let series = try set.next() {
            var iterator = series.makeIterator()
            while let sample = try iterator.next() { out[series.labels.description, default: []].append(sample) }
        }
        return out
    }

    @Test func leveledCompactionKeepsEverySample() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-db")
        var options = DB.Options()
        options.retentionDuration = nil
        options.maxBlockDuration = 18 * Self.hour
        let db = try DB(directory: dir.path, options: options)
        try Self.fill(db, series: 3, from: 0, hours: 40)
        let before = try Self.dump(db.querier(mint: .min, maxt: .max))
        try db.compact()
        let blocks = db.blocks.map(\.meta)
        #expect(blocks.contains { $0.maxTime - $0.minTime == 18 * Self.hour && $0.compaction.level >= 3 })
        for (a, b) in zip(blocks, blocks.dropFirst()) { #expect(a.maxTime <= b.minTime, "blocks overlap") }
        for block in blocks {
            let range = block.maxTime - block.minTime
            #expect([2, 6, 18].map { $0 * Self.hour }.contains(range) || block.maxTime - block.minTime < 2 * Self.hour)
            #expect(block.minTime % min(range, 18 * Self.hour) == 0 || range < 2 * Self.hour)
        }
        #expect(try Self.dump(db.querier(mint: .min, maxt: .max)) == before)
        try db.close()
        // Reopened (WAL replayed on top of the blocks), the data is the same.
        let again = try DB(directory: dir.path, options: options)
        #expect(try Self.dump(again.querier(mint: .min, maxt: .max)) == before)
        try again.close()
        if let promtool = Subprocess.which("promtool") {
            let theirs = try Subprocess.run(promtool, ["tsdb", "dump", dir.path])
            let ours = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "dump", dir.path])
            #expect(theirs.status == 0)
            #expect(ours.stdout == theirs.stdout)
        }
    }

    @Test func overlappingBlocksAreMergedVertically() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-db")
        var generator = SplitMix64(state: 1)
        var first = BlockWriter(chunkRange: 2 * Self.hour)
        var second = BlockWriter(chunkRange: 2 * Self.hour)
        for i in 0..<100 {
            let t = Int64(i) * 60_000
            try first.append(["__name__": "a"], t, Double(i))
            if i % 2 == 0 { try second.append(["__name__": "a"], t, Double(i)) }  // duplicates
            try second.append(["__name__": "b"], t + 30_000, Double(-i))
        }
        _ = try first.write(into: dir.path, ulid: ULID(time: 1, using: &generator))
        _ = try second.write(into: dir.path, ulid: ULID(time: 2, using: &generator))
        var options = DB.Options()
        options.retentionDuration = nil
        let db = try DB(directory: dir.path, options: options)
        #expect(db.blocks.count == 2)
        let before = try Self.dump(db.querier(mint: .min, maxt: .max))
        #expect(before["{__name__=\"a\"}"]?.count == 100)
        try db.compactBlocks()
        #expect(db.blocks.count == 1)
        #expect(db.blocks.first?.meta.compaction.level == 2)
        #expect(db.blocks.first?.meta.compaction.parents?.count == 2)
        #expect(try Self.dump(db.querier(mint: .min, maxt: .max)) == before)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { ReadOnlyDB.isBlockName($0) }
        #expect(left.count == 1, "the merged blocks are deleted")
        try db.close()
    }

    @Test func retentionDeletesOldBlocks() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-db")
        var options = DB.Options()
        options.retentionDuration = 6 * Self.hour
        options.maxBlockDuration = 2 * Self.hour
        let db = try DB(directory: dir.path, options: options)
        try Self.fill(db, series: 1, from: 0, hours: 20)
        try db.compact()
        let newest = try #require(db.blocks.map(\.meta.maxTime).max())
        #expect(db.blocks.allSatisfy { $0.meta.maxTime > newest - 6 * Self.hour })
        #expect(db.blocks.count <= 3)
        let samples = try Self.dump(db.querier(mint: .min, maxt: .max))["{__name__=\"m\", s=\"0\"}"] ?? []
        #expect(samples.first?.timestamp ?? 0 >= newest - 6 * Self.hour)
        try db.close()
    }

    @Test func deletionSurvivesRestartAndCompaction() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-db")
        var options = DB.Options()
        options.retentionDuration = nil
        let db = try DB(directory: dir.path, options: options)
        try Self.fill(db, series: 2, from: 0, hours: 5)
        try db.compact()  // the first 2 h go to a block, the rest stays in the head
        #expect(!db.blocks.isEmpty)
        let deleted: ClosedRange<Timestamp> = (1 * Self.hour)...(4 * Self.hour)
        try db.delete([.equal("s", "1")], mint: deleted.lowerBound, maxt: deleted.upperBound)
        func check(_ db: DB, _ stage: String) throws {
            let all = try Self.dump(db.querier(mint: .min, maxt: .max))
            let s1 = all["{__name__=\"m\", s=\"1\"}"] ?? [], s0 = all["{__name__=\"m\", s=\"0\"}"] ?? []
            #expect(!s1.contains { deleted.contains($0.timestamp) }, "\(stage): deleted samples are back")
            #expect(s1.count == s0.count - s0.filter { deleted.contains($0.timestamp) }.count, "\(stage)")
            #expect(s0.count == 5 * 60, "\(stage): the other series is untouched")
        }
        try check(db, "after delete")
        try db.close()
        let reopened = try DB(directory: dir.path, options: options)
        try check(reopened, "after restart")
        try reopened.compactBlocks()  // rewrites the block with tombstones
        #expect(reopened.blocks.allSatisfy { $0.tombstones.isEmpty })
        try check(reopened, "after compaction")
        try reopened.close()
    }

    /// Batch reads give exactly the samples one-by-one reads give, across blocks (chained
    /// and merged parts), time limits and tombstones.
    @Test func batchReadsEqualSampleBySampleReads() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-db")
        var options = DB.Options()
        options.retentionDuration = nil
        let db = try DB(directory: dir.path, options: options)
        try Self.fill(db, series: 3, from: 0, hours: 9)
        try db.compact()
        try db.delete([.equal("s", "2")], mint: 3 * Self.hour, maxt: 3 * Self.hour + 600_000)
        for (mint, maxt) in [(Int64.min, Int64.max), (Self.hour + 1, 5 * Self.hour - 1), (0, 0)] {
            let querier = try db.querier(mint: mint, maxt: maxt)
            var one = try querier.select([.equal("__name__", "m")], hints: nil)
            var batched = try querier.select([.equal("__name__", "m")], hints: nil)
            while let a = try one.next() {
                let b = try #require(try batched.next())
                #expect(a.labels == b.labels)
                var ia = a.makeIterator(), ib = b.makeIterator()
                var expected: [Sample] = []
                while let sample = try ia.next() { expected.append(sample) }
                var actual: [Sample] = []
                while try ib.next(appendingTo: &actual, limit: 7) > 0 {}
                #expect(actual == expected, "\(a.labels) in [\(mint), \(maxt)]")
            }
            #expect(try batched.next() == nil)
        }
        try db.close()
    }

    @Test func labelNamesAndValuesFromHeadAndBlocks() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-db")
        var options = DB.Options()
        options.retentionDuration = nil
        let db = try DB(directory: dir.path, options: options)
        var app = db.appender()
        try app.append(["__name__": "other", "zone": "eu"], 1, 1)
        try app.commit()
        try Self.fill(db, series: 3, from: 0, hours: 5)
        for stage in ["head only", "blocks and head"] {
            if stage == "blocks and head" { try db.compact() }
            let q = try db.querier(mint: .min, maxt: .max)
            #expect(try q.labelNames(matching: []) == ["__name__", "s", "zone"], "\(stage)")
            #expect(try q.labelNames(matching: [.equal("__name__", "m")]) == ["__name__", "s"], "\(stage)")
            #expect(try q.labelNames(matching: [.equal("__name__", "none")]) == [], "\(stage)")
            #expect(try q.labelValues("s", matching: []) == ["0", "1", "2"], "\(stage)")
            #expect(try q.labelValues("s", matching: [try LabelMatcher(.regexMatch, "s", "[12]")]) == ["1", "2"], "\(stage)")
            #expect(try q.labelValues("__name__", matching: [.equal("zone", "eu")]) == ["other"], "\(stage)")
        }
        #expect(!db.blocks.isEmpty)
        try db.close()
    }
}
