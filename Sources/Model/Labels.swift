/// An immutable, sorted set of labels identifying a series.
///
/// Labels are kept sorted by name (byte order) with unique names, and carry a stable
/// 64-bit hash computed once, so equality and hashing are cheap on hot paths. The hash
/// is the same on every run and machine (unlike Swift's seeded `Hasher`), which keeps
/// anything derived from it deterministic.
public struct Labels: Sendable, Hashable, Comparable, RandomAccessCollection, CustomStringConvertible {
    @usableFromInline let storage: [Label]
    /// A stable hash of all names and values, the same on every run and machine.
    public let stableHash: UInt64

    /// The empty label set.
    public static let empty = Labels(sortedUnique: [])

    /// Creates labels from an array that is already sorted by name with unique names.
    /// Callers that cannot guarantee this use ``init(_:)`` or ``Builder``.
    public init(sortedUnique labels: [Label]) {
        self.storage = labels
        self.stableHash = Labels.hash(labels)
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

    public var startIndex: Int { storage.startIndex }
    public var endIndex: Int { storage.endIndex }
    public subscript(position: Int) -> Label { storage[position] }

    // MARK: Lookup

    /// The value of the label `name`, or nil when absent.
    public subscript(name: String) -> String? {
        // Label sets are small; a linear scan beats binary search below ~16 labels.
        for label in storage where label.name == name { return label.value }
        return nil
    }

    /// The value of `name`, or "" when absent: Prometheus treats a missing label as empty.
    public func value(of name: String) -> String { self[name] ?? "" }

    /// Whether a label named `name` exists.
    public func contains(name: String) -> Bool { self[name] != nil }

    /// The metric name (`__name__`), if any.
    public var metricName: String? { self[LabelName.metricName] }

    /// The label names in order.
    public var names: [String] { storage.map(\.name) }

    // MARK: Derived sets

    /// These labels with `name` set to `value` (an empty value removes the label, as in Prometheus).
    public func setting(_ name: String, to value: String) -> Labels {
        var builder = Builder(self)
        builder.set(name, value)
        return builder.build()
    }

    /// These labels without the given names.
    public func removing(_ names: Set<String>) -> Labels {
        Labels(sortedUnique: storage.filter { !names.contains($0.name) })
    }

    /// These labels without `__name__`.
    public var droppingMetricName: Labels {
        guard contains(name: LabelName.metricName) else { return self }
        return removing([LabelName.metricName])
    }

    /// Only the labels whose names are in `names`.
    public func keeping(_ names: Set<String>) -> Labels {
        Labels(sortedUnique: storage.filter { names.contains($0.name) })
    }

    // MARK: Equality, order, hashing

    public static func == (lhs: Labels, rhs: Labels) -> Bool {
        lhs.stableHash == rhs.stableHash && lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(stableHash)
    }

    /// Prometheus's `labels.Compare`: label by label (name, then value), a prefix sorts first.
    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        let n = Swift.min(lhs.count, rhs.count)
        for i in 0..<n {
            let a = lhs.storage[i], b = rhs.storage[i]
            if a.name != b.name { return ByteOrder.less(a.name, b.name) }
            if a.value != b.value { return ByteOrder.less(a.value, b.value) }
        }
        return lhs.count < rhs.count
    }

    // MARK: Printing

    /// Prometheus's rendering: `{a="b", c="d"}`, values quoted as Go quotes strings,
    /// names that are not legacy-valid quoted too (Prometheus 3).
    public var description: String {
        var out = "{"
        for (i, label) in storage.enumerated() {
            if i > 0 { out += ", " }
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

    // MARK: Hash

    /// Mixes every name and value (with their lengths, so boundaries count) eight bytes
    /// at a time. Fixed constants: the result never depends on the process or machine.
    static func hash(_ labels: [Label]) -> UInt64 {
        labels.withUnsafeBufferPointer { buffer in
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: buffer.count)
            for i in buffer.indices {
                h = StableHash.mix(h, buffer[i].name)
                h = StableHash.mix(h, buffer[i].value)
            }
            return StableHash.finalize(h)
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

    @inline(__always)
    static func mix(_ seed: UInt64, _ string: String) -> UInt64 {
        UTF8Bytes.with(string) { bytes -> UInt64 in
            let n = bytes.count
            var h = round(seed, UInt64(truncatingIfNeeded: n))
            guard let base = bytes.baseAddress else { return h }
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
            return h
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

        public init(_ base: Labels) { labels = base.storage }

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
