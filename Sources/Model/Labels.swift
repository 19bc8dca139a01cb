/// An immutable, sorted set of labels identifying a series.
///
/// Labels are kept sorted by name (byte order) with unique names, packed into one byte
/// buffer (`len name len value …`, lengths as LEB128 varints) as Prometheus's
/// `stringlabels` does: one allocation per label set instead of one per string, cheap
/// to copy, compare and hash. A stable 64-bit hash is computed once; it is the same on
/// every run and machine (unlike Swift's seeded `Hasher`), which keeps anything derived
/// from it deterministic. Hot paths read names and values as bytes
/// (``forEachLabelBytes(_:)``, ``withValueBytes(of:_:)``); the `String` API decodes on use.
public struct Labels: Sendable, Hashable, Comparable, Collection, CustomStringConvertible {
    /// The packed labels.
    @usableFromInline let data: [UInt8]
    /// The number of labels.
    public let count: Int
    /// A stable hash of all names and values, the same on every run and machine.
    public let stableHash: UInt64

    /// The empty label set.
    public static let empty = Labels(packed: [], count: 0)

    /// Creates labels from packed bytes (see ``LabelsPacker``), already sorted and unique.
    package init(packed data: [UInt8], count: Int) {
        self.data = data
        self.count = count
        self.stableHash = StableHash.hash(data)
    }

    /// Creates labels from an array that is already sorted by name with unique names.
    /// Callers that cannot guarantee this use ``init(_:)`` or ``Builder``.
    public init(sortedUnique labels: [Label]) {
        var packer = LabelsPacker()
        for label in labels { packer.append(label.name, label.value) }
        self.init(packed: packer.bytes, count: labels.count)
    }

    /// Creates labels from pairs in any order. A name given twice keeps its last value;
    /// empty values are kept (use ``Builder`` for Prometheus's "empty removes" rule).
    public init(_ labels: [Label]) {
        var sorted = labels.enumerated().sorted { a, b in
            a.element.name == b.element.name ? a.offset < b.offset : ByteOrder.less(a.element.name, b.element.name)
        }.map(\.element)
        var i = sorted.count - 1
        while i > 0 {
            if sorted[i - 1].name == sorted[i].name { sorted.remove(at: i - 1) }
            i -= 1
        }
        self.init(sortedUnique: sorted)
    }

    /// Creates labels from name/value pairs in any order. A name given twice keeps its last value.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Label($0.key, $0.value) })
    }

    // MARK: Collection

    /// A position in the packed buffer.
    public struct Index: Comparable, Hashable, Sendable {
        @usableFromInline let offset: Int
        @usableFromInline init(_ offset: Int) { self.offset = offset }
        public static func < (a: Index, b: Index) -> Bool { a.offset < b.offset }
    }

    public var startIndex: Index { Index(0) }
    public var endIndex: Index { Index(data.count) }
    public var isEmpty: Bool { count == 0 }

    public func index(after i: Index) -> Index {
        data.withUnsafeBufferPointer { buffer in
            var cursor = LabelsCursor(buffer, at: i.offset)
            _ = cursor.next()
            return Index(cursor.offset)
        }
    }

    public subscript(position: Index) -> Label {
        data.withUnsafeBufferPointer { buffer in
            var cursor = LabelsCursor(buffer, at: position.offset)
            guard let (name, value) = cursor.next() else { return Label("", "") }
            return Label(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
    }

    // MARK: Byte access

    /// Calls `body` with each label's name and value bytes, in order, without allocating.
    @inlinable
    public func forEachLabelBytes(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try data.withUnsafeBufferPointer { buffer in
            var cursor = LabelsCursor(buffer, at: 0)
            while let (name, value) = cursor.next() { try body(name, value) }
        }
    }

    /// Calls `body` with the value bytes of `name`, or nil when absent.
    @inlinable
    public func withValueBytes<R>(of name: String, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        try UTF8Bytes.with(name) { wanted in
            try data.withUnsafeBufferPointer { buffer in
                var cursor = LabelsCursor(buffer, at: 0)
                while let (n, v) = cursor.next() {
                    if UTF8Bytes.equal(n, wanted) { return try body(v) }
                }
                return try body(nil)
            }
        }
    }

    // MARK: Lookup

    /// The value of the label `name`, or nil when absent.
    public subscript(name: String) -> String? {
        withValueBytes(of: name) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The value of `name`, or "" when absent: Prometheus treats a missing label as empty.
    public func value(of name: String) -> String { self[name] ?? "" }

    /// Whether a label named `name` exists.
    public func contains(name: String) -> Bool { withValueBytes(of: name) { $0 != nil } }

    /// The metric name (`__name__`), if any.
    public var metricName: String? { self[LabelName.metricName] }

    /// The label names in order.
    public var names: [String] {
        var names: [String] = []
        names.reserveCapacity(count)
        forEachLabelBytes { name, _ in names.append(String(decoding: name, as: UTF8.self)) }
        return names
    }

    // MARK: Derived sets

    /// These labels with `name` set to `value` (an empty value removes the label, as in Prometheus).
    public func setting(_ name: String, to value: String) -> Labels {
        var builder = Builder(self)
        builder.set(name, value)
        return builder.build()
    }

    /// These labels without the given names.
    public func removing(_ names: Set<String>) -> Labels {
        filtered { !names.contains(String(decoding: $0, as: UTF8.self)) }
    }

    /// These labels without `__name__`.
    public var droppingMetricName: Labels {
        guard contains(name: LabelName.metricName) else { return self }
        return filtered { !UTF8Bytes.equal($0, LabelName.metricName) }
    }

    /// Only the labels whose names are in `names`.
    public func keeping(_ names: Set<String>) -> Labels {
        filtered { names.contains(String(decoding: $0, as: UTF8.self)) }
    }

    /// The labels whose name bytes satisfy `include`, still sorted.
    private func filtered(_ include: (UnsafeBufferPointer<UInt8>) -> Bool) -> Labels {
        var packer = LabelsPacker()
        var kept = 0
        forEachLabelBytes { name, value in
            if include(name) {
                packer.append(name, value)
                kept += 1
            }
        }
        return kept == count ? self : Labels(packed: packer.bytes, count: kept)
    }

    // MARK: Equality, order, hashing

    public static func == (lhs: Labels, rhs: Labels) -> Bool {
        // Copies of one label set (the usual case on hot paths) share their buffer: equal
        // without reading it, which for a cold buffer would be a cache miss.
        if lhs.sharesStorage(with: rhs) { return true }
        return lhs.stableHash == rhs.stableHash && lhs.count == rhs.count && lhs.data == rhs.data
    }

    /// Whether both label sets are backed by the same packed buffer, decided from the
    /// references alone (`Array ==` reads both buffers' lengths before comparing them).
    @inlinable @inline(__always)
    package func sharesStorage(with other: Labels) -> Bool {
        storageIdentity == other.storageIdentity
    }

    /// The address of the packed buffer: label sets with the same identity are equal (the
    /// converse need not hold). Reading it neither retains nor touches the buffer, so a
    /// writer can recognise label sets it handed over before without reading them.
    @inlinable
    package var storageIdentity: UnsafeRawPointer {
        // An array is a single reference to its buffer (the empty one included).
        unsafeBitCast(data, to: UnsafeRawPointer.self)
    }

    /// Calls `body` with the packed form of the label set, which identifies it: two label
    /// sets are equal exactly when their packed bytes are (e.g. to keep many label sets in
    /// one buffer and compare against them without a buffer per set).
    @inlinable
    public func withPackedBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer(body)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(stableHash)
    }

    /// Prometheus's `labels.Compare`: label by label (name, then value), a prefix sorts first.
    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        lhs.data.withUnsafeBufferPointer { a in
            rhs.data.withUnsafeBufferPointer { b in
                var x = LabelsCursor(a, at: 0), y = LabelsCursor(b, at: 0)
                while true {
                    guard let (an, av) = x.next() else { return y.next() != nil }
                    guard let (bn, bv) = y.next() else { return false }
                    let byName = ByteOrder.compare(an, bn)
                    if byName != 0 { return byName < 0 }
                    let byValue = ByteOrder.compare(av, bv)
                    if byValue != 0 { return byValue < 0 }
                }
            }
        }
    }

    // MARK: Printing

    /// Prometheus's rendering: `{a="b", c="d"}`, values quoted as Go quotes strings,
    /// names that are not legacy-valid quoted too (Prometheus 3).
    public var description: String {
        var out = "{"
        var first = true
        for label in self {
            if !first { out += ", " }
            first = false
            if MetricNames.isValidLegacyLabelName(label.name) {
                out += label.name
            } else {
                out += GoString.quote(label.name)
            }
            out += "="
            out += GoString.quote(label.value)
        }
        out += "}"
        return out
    }
}

/// Reads the packed label buffer: `varint len, name, varint len, value`, repeated.
@usableFromInline
struct LabelsCursor {
    @usableFromInline let buffer: UnsafeBufferPointer<UInt8>
    @usableFromInline var offset: Int

    @inlinable init(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int) {
        self.buffer = buffer
        self.offset = offset
    }

    @inlinable mutating func next() -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)? {
        guard offset < buffer.count else { return nil }
        let name = field()
        let value = field()
        return (name, value)
    }

    @inlinable mutating func field() -> UnsafeBufferPointer<UInt8> {
        var length = 0, shift = 0
        while offset < buffer.count {
            let b = buffer[offset]
            offset += 1
            length |= Int(b & 0x7f) << shift
            if b < 0x80 { break }
            shift += 7
        }
        let end = Swift.min(offset + length, buffer.count)
        defer { offset = end }
        return UnsafeBufferPointer(rebasing: buffer[offset..<end])
    }
}

/// Appends labels to a packed buffer, in the caller's (sorted) order.
package struct LabelsPacker {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    package mutating func append(_ name: String, _ value: String) {
        UTF8Bytes.with(name) { n in UTF8Bytes.with(value) { v in append(n, v) } }
    }

    package mutating func append(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        appendField(name)
        appendField(value)
    }

    private mutating func appendField(_ field: UnsafeBufferPointer<UInt8>) {
        LabelsPacker.appendVarint(field.count, to: &bytes)
        bytes.append(contentsOf: field)
    }

    /// The bytes a field of `length` bytes takes, its varint included.
    package static func fieldSize(_ length: Int) -> Int {
        var n = length, size = 1
        while n >= 0x80 { n >>= 7; size += 1 }
        return size + length
    }

    package static func appendVarint(_ value: Int, to bytes: inout [UInt8]) {
        var n = value
        while n >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        bytes.append(UInt8(n))
    }
}

extension Labels: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label($0.0, $0.1) })
    }
}

extension Labels {
    /// Builds a label set incrementally: set and remove names, then ``build()`` sorts once.
    ///
    /// As in Prometheus's `labels.Builder`, setting an empty value removes the label.
    public struct Builder: Sendable {
        private var labels: [Label]

        public init() { labels = [] }

        public init(_ base: Labels) { labels = Array(base) }

        /// Sets `name` to `value`; an empty value removes `name`.
        public mutating func set(_ name: String, _ value: String) {
            if let i = labels.firstIndex(where: { $0.name == name }) {
                if value.isEmpty {
                    labels.remove(at: i)
                } else {
                    labels[i] = Label(name, value)
                }
            } else if !value.isEmpty {
                labels.append(Label(name, value))
            }
        }

        /// Removes `name` if present.
        public mutating func remove(_ name: String) {
            labels.removeAll { $0.name == name }
        }

        /// The sorted label set.
        public func build() -> Labels {
            Labels(sortedUnique: labels.sorted { ByteOrder.less($0.name, $1.name) })
        }
    }
}

/// A fast, seedless 64-bit string hash whose value is fixed across runs and machines.
enum StableHash {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    @inline(__always)
    private static func round(_ h: UInt64, _ word: UInt64) -> UInt64 {
        var x = h ^ (word &* p2)
        x = (x << 31) | (x >> 33)
        return x &* p1
    }

    /// Hashes a whole buffer, eight bytes at a time.
    static func hash(_ data: [UInt8]) -> UInt64 {
        data.withUnsafeBufferPointer { bytes -> UInt64 in
            let n = bytes.count
            var h = round(0x9E37_79B9_7F4A_7C15, UInt64(truncatingIfNeeded: n))
            guard let base = bytes.baseAddress else { return finalize(h) }
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i &+ 8 <= n {
                h = round(h, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i &+= 8
            }
            if i < n {
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while i < n {
                    tail |= UInt64(base[i]) &<< shift
                    shift &+= 8
                    i &+= 1
                }
                h = round(h, tail ^ 0xFF)
            }
            return finalize(h)
        }
    }

    static func finalize(_ h: UInt64) -> UInt64 {
        var x = h
        x ^= x >> 33
        x &*= p2
        x ^= x >> 29
        x &*= 0x1656_67B1_9E37_79F9
        x ^= x >> 32
        return x
    }
}
