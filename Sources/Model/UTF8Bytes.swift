#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-wise (UTF-8) string tests, as Go's `strings` package does them.
///
/// Swift's `String.hasPrefix`/`contains` compare grapheme clusters and are slow on hot
/// paths; Prometheus compares bytes. These work on the contiguous UTF-8 storage.
public enum UTF8Bytes {
    /// Calls `body` with the UTF-8 bytes of `s` without copying a native string.
    @inlinable
    public static func with<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        return try copy.withUTF8(body)
    }

    /// Whether two byte buffers hold the same bytes.
    @inlinable
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let ab = a.baseAddress, let bb = b.baseAddress else { return true }
        return memcmp(ab, bb, a.count) == 0
    }

    /// Byte equality of two strings (not Swift's canonical equivalence).
    @inlinable
    public static func equal(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && with(a) { ab in with(b) { equal(ab, $0) } }
    }

    /// Whether `s` is exactly the bytes `literal`.
    @inlinable
    public static func equal(_ s: String, _ literal: [UInt8]) -> Bool {
        s.utf8.count == literal.count && with(s) { sb in literal.withUnsafeBufferPointer { equal(sb, $0) } }
    }

    /// Whether `bytes` hold exactly the UTF-8 of `s`.
    @inlinable
    public static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ s: String) -> Bool {
        with(s) { equal(bytes, $0) }
    }

    public static func hasPrefix(_ s: String, _ prefix: String) -> Bool {
        with(s) { a in with(prefix) { p in a.count >= p.count && equal(a, 0, p) } }
    }

    public static func hasSuffix(_ s: String, _ suffix: String) -> Bool {
        with(s) { a in with(suffix) { p in a.count >= p.count && equal(a, a.count - p.count, p) } }
    }

    public static func contains(_ s: String, _ needle: String) -> Bool {
        with(s) { a in
            with(needle) { p in
                if p.isEmpty { return true }
                guard a.count >= p.count else { return false }
                let first = p[0]
                var i = 0
                let last = a.count - p.count
                while i <= last {
                    if a[i] == first && equal(a, i, p) { return true }
                    i += 1
                }
                return false
            }
        }
    }

    @usableFromInline @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ offset: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !p.isEmpty else { return true }
        guard let ab = a.baseAddress, let pb = p.baseAddress else { return false }
        return memcmp(ab + offset, pb, p.count) == 0
    }
}
