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
///
/// The parser owns the table for its lifetime; scanners look strings up through its
/// ``Slots``, a plain pointer, so that a lookup costs no reference counting.
final class StringTable {
    /// The cache itself; valid while the table lives.
    let slots: Slots

    init(slotCount: Int = 1024) {
        slots = Slots(count: slotCount)
    }

    deinit {
        slots.free()
    }

    /// A view of the table's slots (`count` a power of two).
    struct Slots {
        private let base: UnsafeMutablePointer<String?>
        private let mask: Int

        fileprivate init(count: Int) {
            precondition(count > 0 && count & (count - 1) == 0, "slot count must be a power of two")
            base = .allocate(capacity: count)
            base.initialize(repeating: nil, count: count)
            mask = count - 1
        }

        fileprivate func free() {
            base.deinitialize(count: mask + 1)
            base.deallocate()
        }

        /// The string for `bytes`, which the caller has checked are valid UTF-8.
        @inline(__always)
        func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            let n = bytes.count
            guard n >= 16, let start = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
            let raw = UnsafeRawPointer(start)
            var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
            h ^= raw.loadUnaligned(as: UInt64.self) &* 0xC2B2_AE3D_27D4_EB4F
            h ^= raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) &* 0x1656_67B1_9E37_79F9
            h ^= h >> 29
            let slot = base + (Int(truncatingIfNeeded: h) & mask)
            if let cached = slot.pointee, cached.utf8.count == n,
               UTF8Bytes.with(cached, { memcmp($0.baseAddress!, start, n) == 0 }) {
                return cached
            }
            return Slots.insert(bytes, at: slot)
        }

        @inline(never)
        private static func insert(_ bytes: UnsafeBufferPointer<UInt8>, at slot: UnsafeMutablePointer<String?>) -> String {
            let created = String(decoding: bytes, as: UTF8.self)
            slot.pointee = created
            return created
        }
    }
}
