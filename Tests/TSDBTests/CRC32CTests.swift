import TestSupport
import Testing
@testable import TSDB

struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    /// The processor's instruction and the tables agree on every length and alignment.
    @Test func hardwareAndSoftwareAgree() {
        var rng = SplitMix64(state: 32)
        let data = rng.bytes(4096)
        data.withUnsafeBufferPointer { all in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4000] where start + length <= all.count {
                    let slice = UnsafeBufferPointer(rebasing: all[start..<(start + length)])
                    #expect(CRC32C.checksum(slice) == CRC32C.software(slice), "start \(start) length \(length)")
                    #expect(CRC32C.checksum(slice, continuing: 0x1234_5678) == CRC32C.software(slice, continuing: 0x1234_5678))
                }
            }
        }
    }
}
