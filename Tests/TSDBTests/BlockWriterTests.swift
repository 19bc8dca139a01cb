import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// Blocks written by `hindsight tsdb create-blocks-from openmetrics` are read by the real
/// promtool exactly as the blocks promtool writes from the same input.
@Suite(.serialized, .enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
struct BlockWriterTests {
    @Test func promtoolReadsOurBlocksLikeItsOwn() throws {
        let dir = try TemporaryDirectory()
        let input = BlockReaderTests.openMetricsInput(seriesPerMetric: 5, hours: 7)
        let theirs = try BlockReaderTests.promtoolBlocks(input, in: dir)
        let ours = dir.path + "/ours"
        let created = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "create-blocks-from", "openmetrics", dir.path + "/input.om", ours])
        #expect(created.status == 0, "\(created.stderr)")
        try FileManager.default.createDirectory(atPath: ours + "/wal", withIntermediateDirectories: true)

        // Same samples, line for line.
        let theirDump = try BlockReaderTests.promtoolDump(theirs)
        let ourDump = try BlockReaderTests.promtoolDump(ours)
        #expect(ourDump == theirDump)
        #expect(!ourDump.isEmpty)

        // Same block layout: ranges, sample and series counts.
        let promtool = try #require(Subprocess.which("promtool"))
        func rows(_ data: String) throws -> [[Substring]] {
            let out = try Subprocess.run(promtool, ["tsdb", "list", data])
            #expect(out.status == 0, "\(out.stderr)")
            // Drop the ULID, chunk count and size columns, which legitimately differ.
            return out.stdout.split(separator: "\n").dropFirst().map { row in
                let cells = row.split(separator: " ", omittingEmptySubsequences: true)
                return [cells[1], cells[2], cells[3], cells[4], cells[6]]
            }
        }
        #expect(try rows(ours) == rows(theirs))

        // promtool analyzes every block without complaint.
        for block in try ReadOnlyDB(directory: ours).blocks {
            let analyze = try Subprocess.run(promtool, ["tsdb", "analyze", ours, block.meta.ulid])
            #expect(analyze.status == 0, "\(analyze.stderr)")
            #expect(analyze.stdout.contains("Block ID: \(block.meta.ulid)"))
        }

        // And we read our own blocks back the same way.
        let ourOwnDump = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "dump", ours])
        #expect(ourOwnDump.stdout == theirDump)
    }

    @Test func refusesSamplesWithoutTimestampsAndOutOfOrderSamples() throws {
        let dir = try TemporaryDirectory()
        let cases: [(String, String)] = [
            ("# TYPE a gauge\na 1\n# EOF\n", "expected timestamp for series {__name__=\"a\"}"),
            ("# TYPE a gauge\na 1 10\na 2 5\n# EOF\n", "out of order sample"),
            ("# TYPE a gauge\na 1 10\na 2 10\n# EOF\n", "duplicate sample for timestamp"),
            ("# TYPE a gauge\na 1 10\n", "expected \"# EOF\""),
        ]
        for (i, (input, message)) in cases.enumerated() {
            let path = dir.path + "/in\(i).om"
            try input.write(toFile: path, atomically: true, encoding: .utf8)
            let out = dir.path + "/out\(i)"
            let result = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "create-blocks-from", "openmetrics", path, out])
            #expect(result.status == 1)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            // Nothing half-written is left behind.
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}

struct ULIDTests {
    @Test func encodesTimeAndEntropyInCrockfordBase32() {
        let ulid = ULID(time: 1_469_918_176_385, entropy: (0, 0))
        #expect(ulid.description == "01ARYZ6S410000000000000000")
        let max = ULID(time: 0xFFFF_FFFF_FFFF, entropy: (.max, .max))
        #expect(max.description == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        let mixed = ULID(time: 0, entropy: (0x0001, 0x8000_0000_0000_0001))
        #expect(mixed.description == "0000000000000R000000000001")
        #expect(ReadOnlyDB.isBlockName(ulid.description))
    }
}

struct ChunkCutterTests {
    @Test func cutsAtRangeEndsPredictedTimesAndTwiceTheTarget() {
        var cutter = ChunkCutter(chunkRange: 7_200_000)
        // The first sample sets the end of its 2 h range.
        let first = cutter.shouldCut(at: 1_000, chunkMinTime: 0, chunkMaxTime: 0, count: 0, bytes: 2)
        #expect(!first)
        #expect(cutter.nextAt == 7_200_000)
        // At 30 samples 15 s apart, the remaining range is split evenly.
        let last: Timestamp = 1_000 + 29 * 15_000
        let atQuarter = cutter.shouldCut(at: last + 15_000, chunkMinTime: 1_000, chunkMaxTime: last, count: 30, bytes: 100)
        #expect(!atQuarter)
        let predicted = ChunkCutter.predictedEnd(start: 1_000, current: last, max: 7_200_000, ratioToFull: 4)
        #expect(cutter.nextAt == predicted)
        #expect(predicted < 7_200_000)
        let atPredicted = cutter.shouldCut(at: predicted, chunkMinTime: 1_000, chunkMaxTime: predicted - 1, count: 100, bytes: 300)
        #expect(atPredicted)

        var dense = ChunkCutter(chunkRange: 7_200_000)
        _ = dense.shouldCut(at: 0, chunkMinTime: 0, chunkMaxTime: 0, count: 0, bytes: 2)
        let full = dense.shouldCut(at: 240, chunkMinTime: 0, chunkMaxTime: 239, count: 240, bytes: 500)
        #expect(full)

        var big = ChunkCutter(chunkRange: 7_200_000)
        _ = big.shouldCut(at: 0, chunkMinTime: 0, chunkMaxTime: 0, count: 0, bytes: 2)
        let large = big.shouldCut(at: 10, chunkMinTime: 0, chunkMaxTime: 9, count: 10, bytes: 1006)
        #expect(large)
    }
}
