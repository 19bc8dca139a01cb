import Model

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reuses the `String`s a parser creates for names and label values.
///
/// An exposition repeats the same metric names, label names and most label values on
/// line after line; strings of 16 bytes or more need a heap allocation each, so a small
/// direct-mapped cache keyed by the bytes saves most of them. Shorter strings are stored
/// inline by Swift and are created directly.
final class StringTable {
    private let slots: UnsafeMutablePointer<String?>
    private let slotCount: Int

    init(slotCount: Int = 1024) {
        self.slotCount = slotCount
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: nil, count: slotCount)
    }

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    /// The string for `bytes`, which the caller has checked are valid UTF-8.
    @inline(__always)
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        guard n >= 16, let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        let raw = UnsafeRawPointer(base)
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        h ^= raw.loadUnaligned(as: UInt64.self) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 29
        let slot = slots + (Int(truncatingIfNeeded: h) & (slotCount - 1))
        if let cached = slot.pointee, cached.utf8.count == n,
           UTF8Bytes.with(cached, { memcmp($0.baseAddress!, base, n) == 0 }) {
            return cached
        }
        return insert(bytes, at: slot)
    }

    @inline(never)
    private func insert(_ bytes: UnsafeBufferPointer<UInt8>, at slot: UnsafeMutablePointer<String?>) -> String {
        let created = String(decoding: bytes, as: UTF8.self)
        slot.pointee = created
        return created
    }
}
