/// An immutable, sorted set of labels identifying a series.
///
/// Labels are kept sorted by name (byte order) with unique names, and carry a stable
/// 64-bit hash computed once, so equality and hashing are cheap on hot paths. The hash
/// is the same on every run and machine (unlike Swift's seeded `Hasher`), which keeps
/// anything derived from it deterministic.
public struct Labels: Sendable, Hashable, Comparable, RandomAccessCollection, CustomStringConvertible {
    @usableFromInline let storage: [Label]
    /// A stable hash of all names and values (FNV-1a over `name 0xff value 0xff`).
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

    static func hash(_ labels: [Label]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        for label in labels {
            for byte in label.name.utf8 { mix(byte) }
            mix(0xff)
            for byte in label.value.utf8 { mix(byte) }
            mix(0xff)
        }
        return h
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
