import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// Damaged blocks give typed errors naming the file and offset; a data directory with one
/// broken block still serves the healthy ones and reports the broken one.
@Suite(.serialized, .enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
struct CorruptBlockTests {
    /// Two promtool blocks in a fresh directory; returns (data dir, block dirs sorted by time).
    static func blocks(in dir: TemporaryDirectory) throws -> (String, [String]) {
        let data = try BlockReaderTests.promtoolBlocks(BlockReaderTests.openMetricsInput(seriesPerMetric: 2, hours: 3), in: dir)
        let db = try ReadOnlyDB(directory: data)
        #expect(db.blocks.count >= 2)
        return (data, db.blocks.map(\.directory))
    }

    static func mutate(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func openError(_ block: String) -> TSDBError? {
        do {
            _ = try Block(directory: block)
            return nil
        } catch {
            return error
        }
    }

    @Test func badIndexMagic() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try Self.blocks(in: dir)
        try Self.mutate(blocks[0] + "/index") { $0[0] = 0x00 }
        guard case let .corrupt(file, offset, reason)? = Self.openError(blocks[0]) else {
            Issue.record("expected a corrupt-index error"); return
        }
        #expect(file == blocks[0] + "/index")
        #expect(offset == 0)
        #expect(reason.contains("magic"))
    }

    @Test func truncatedIndex() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try Self.blocks(in: dir)
        try Self.mutate(blocks[0] + "/index") { $0.removeLast(20) }
        guard case let .corrupt(file, _, reason)? = Self.openError(blocks[0]) else {
            Issue.record("expected a corrupt-index error"); return
        }
        #expect(file == blocks[0] + "/index")
        #expect(reason.contains("table of contents"))
    }

    @Test func flippedBitInTheSymbolTable() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try Self.blocks(in: dir)
        // The symbol table starts right after the 5-byte header; its body starts at 13.
        try Self.mutate(blocks[0] + "/index") { $0[16] ^= 0x01 }
        guard case let .corrupt(file, offset, reason)? = Self.openError(blocks[0]) else {
            Issue.record("expected a checksum error"); return
        }
        #expect(file == blocks[0] + "/index")
        #expect(offset == 5)
        #expect(reason == "symbol table checksum mismatch")
    }

    @Test func garbageMetaJSON() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try Self.blocks(in: dir)
        try "{ not json".write(toFile: blocks[0] + "/meta.json", atomically: true, encoding: .utf8)
        guard case let .invalidMeta(file, _)? = Self.openError(blocks[0]) else {
            Issue.record("expected an invalid-meta error"); return
        }
        #expect(file == blocks[0] + "/meta.json")
    }

    @Test func flippedBitInChunkData() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try Self.blocks(in: dir)
        try Self.mutate(blocks[0] + "/chunks/000001") { $0[20] ^= 0x10 }
        let block = try Block(directory: blocks[0])
        var set = try block.querier(mint: .min, maxt: .max).select([try LabelMatcher(.regexMatch, "__name__", ".*")], hints: nil)
        var failure: (any Error)?
        do {
            while let series = try set.next() {
                var iterator = series.makeIterator()
                while try iterator.next() != nil {}
            }
        } catch {
            failure = error
        }
        guard case let .corrupt(file, offset, reason)? = failure as? TSDBError else {
            Issue.record("expected a chunk checksum error, got \(String(describing: failure))"); return
        }
        #expect(file == blocks[0] + "/chunks/000001")
        #expect(offset == 8)
        #expect(reason == "chunk checksum mismatch")
    }

    @Test func chunkReferenceOutOfRange() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try Self.blocks(in: dir)
        let block = try Block(directory: blocks[0])
        #expect(throws: TSDBError.self) { _ = try block.chunks.chunk(UInt64(7) << 32 | 8) }
        #expect(throws: TSDBError.self) { _ = try block.chunks.chunk(1 << 30) }
        #expect(throws: TSDBError.self) { _ = try block.chunks.chunk(2) }
    }

    @Test func dataDirectoryServesHealthyBlocksAndReportsTheBrokenOne() throws {
        let dir = try TemporaryDirectory()
        let (data, blocks) = try Self.blocks(in: dir)
        try Self.mutate(blocks[0] + "/index") { $0[0] = 0x00 }
        let db = try ReadOnlyDB(directory: data)
        #expect(db.blocks.map(\.directory) == Array(blocks.dropFirst()))
        #expect(db.brokenBlocks.map(\.directory) == [blocks[0]])
        let result = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "dump", data])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: skipping block \(blocks[0]): \(blocks[0])/index: corrupt at offset 0"))
        #expect(!result.stdout.isEmpty)
    }
}
