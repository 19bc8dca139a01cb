import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// `Block.verify`: promtool's blocks pass with the counts of their meta.json, in both
/// depths; damage anywhere in a chunk, the index or the statistics is found and named.
@Suite(.serialized, .enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
struct BlockVerificationTests {
    @Test func promtoolBlocksPassWithTheirStatistics() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try CorruptBlockTests.blocks(in: dir)
        for path in blocks {
            let block = try Block(directory: path)
            let shallow = try block.verify()
            let deep = try block.verify(decodingSamples: true)
            #expect(shallow == deep)
            #expect(UInt64(shallow.samples) == block.meta.stats?.numSamples)
            #expect(UInt64(shallow.series) == block.meta.stats?.numSeries)
            #expect(UInt64(shallow.chunks) == block.meta.stats?.numChunks)
            #expect(shallow.samples > 0)
        }
    }

    /// A flipped bit in any chunk byte breaks its checksum; index damage is found too.
    @Test func damageIsFound() throws {
        let dir = try TemporaryDirectory()
        let (_, blocks) = try CorruptBlockTests.blocks(in: dir)
        let segment = blocks[0] + "/chunks/000001"
        let size = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        for offset in stride(from: 9, to: size, by: max(1, size / 7)) {
            try CorruptBlockTests.mutate(segment) { $0[offset] ^= 0x20 }
            #expect(throws: TSDBError.self, "flipped byte \(offset) of \(size)") { try Block(directory: blocks[0]).verify() }
            try CorruptBlockTests.mutate(segment) { $0[offset] ^= 0x20 }
        }
        #expect(throws: Never.self) { try Block(directory: blocks[0]).verify() }

        var meta = try String(contentsOfFile: blocks[1] + "/meta.json", encoding: .utf8)
        let samples = try #require(try Block(directory: blocks[1]).meta.stats?.numSamples)
        meta = meta.replacingOccurrences(of: "\"numSamples\": \(samples)", with: "\"numSamples\": \(samples + 1)")
        try meta.write(toFile: blocks[1] + "/meta.json", atomically: true, encoding: .utf8)
        let error = try #require(throws: TSDBError.self) { try Block(directory: blocks[1]).verify() }
        #expect("\(error)".contains("numSamples"))
    }
}
