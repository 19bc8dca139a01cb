/// One label: a name and a value.
public struct Label: Hashable, Comparable, Sendable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Labels sort by name, then by value (byte order, as Prometheus compares Go strings).
    public static func < (lhs: Label, rhs: Label) -> Bool {
        if lhs.name != rhs.name { return ByteOrder.less(lhs.name, rhs.name) }
        return ByteOrder.less(lhs.value, rhs.value)
    }
}

/// Well-known label names.
public enum LabelName {
    /// The label that holds the metric name.
    public static let metricName = "__name__"
    /// The histogram bucket upper bound label.
    public static let bucket = "le"
    /// The summary quantile label.
    public static let quantile = "quantile"
    /// The alert name label.
    public static let alertName = "alertname"
}

/// Byte-wise (UTF-8) string ordering, the order Go and Prometheus use everywhere.
///
/// Swift's `<` on `String` compares by Unicode canonical ordering, which differs from
/// Go's byte order for some inputs; sorted label sets must match Prometheus exactly.
public enum ByteOrder {
    @inlinable
    public static func less(_ a: String, _ b: String) -> Bool {
        UTF8Bytes.with(a) { ab in
            UTF8Bytes.with(b) { bb in
                compare(ab, bb) < 0
            }
        }
    }

    /// Three-way comparison of two byte buffers.
    @inlinable
    public static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = Swift.min(a.count, b.count)
        var i = 0
        while i < n {
            let x = a[i], y = b[i]
            if x != y { return x < y ? -1 : 1 }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
