import Model
import TestSupport
import Testing
@testable import TSDB

/// Batch decoding of XOR chunks equals one-by-one decoding, for any buffer size, and
/// damaged chunks fail the same way.
struct XORBatchTests {
    static func chunk(_ count: Int, seed: UInt64) -> XORChunk {
        var rng = SplitMix64(state: seed)
        var appender = XORAppender()
        var t: Int64 = 1_700_000_000_000
        for i in 0..<count {
            t += Int64(rng.below(30_000)) + 1
            appender.append(t, i % 7 == 0 ? .nan : Double(rng.below(1000)) / 8)
        }
        return appender.chunk
    }

    @Test(arguments: [1, 3, 64, 4096])
    func batchesEqualSingleSamples(bufferSize: Int) throws {
        for (count, seed) in [(0, 1), (1, 2), (120, 3), (240, 4), (1000, 5)] as [(Int, UInt64)] {
            let chunk = Self.chunk(count, seed: seed)
            var one = chunk.makeIterator()
            var expected: [Sample] = []
            while let s = try one.next() { expected.append(s) }
            var batched = chunk.makeIterator()
            var actual: [Sample] = []
            let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: bufferSize)
            defer { buffer.deallocate() }
            while true {
                let n = try batched.next(into: buffer)
                if n == 0 { break }
                actual += buffer[0..<n]
            }
            #expect(actual == expected, "\(count) samples, buffer \(bufferSize)")
            #expect(expected.count == count)
        }
    }

    @Test func truncatedChunksFailInBatchesToo() throws {
        let full = Self.chunk(200, seed: 9).bytes
        let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 64)
        defer { buffer.deallocate() }
        for cut in stride(from: 3, to: full.count - 1, by: 7) {
            var iterator = try XORChunk(bytes: Array(full[..<cut])).makeIterator()
            var failed = false
            do {
                while try iterator.next(into: buffer) > 0 {}
            } catch {
                failed = true
                #expect(throws: ChunkError.self) { _ = try iterator.next(into: buffer) }  // sticky
            }
            #expect(failed, "cut at \(cut) of \(full.count)")
        }
    }
}
