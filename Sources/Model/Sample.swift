/// Milliseconds since the Unix epoch, as Prometheus stores them.
public typealias Timestamp = Int64

/// One float sample of a series: a value at a time.
public struct Sample: Hashable, Sendable {
    /// Milliseconds since the Unix epoch.
    public var timestamp: Timestamp
    /// The sample value; may be the stale marker (see ``StaleMarker``).
    public var value: Double

    public init(timestamp: Timestamp, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }

    /// Bitwise equality, so that NaN samples (and the stale marker) compare equal to themselves.
    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.timestamp == rhs.timestamp && lhs.value.bitPattern == rhs.value.bitPattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestamp)
        hasher.combine(value.bitPattern)
    }
}

/// The staleness marker: a NaN with a special bit pattern that ends a series.
///
/// Prometheus writes it when a target or series disappears; it is distinct from an
/// ordinary NaN value, which is kept as data.
public enum StaleMarker {
    /// The bit pattern Prometheus uses for stale NaN.
    public static let bitPattern: UInt64 = 0x7ff0_0000_0000_0002
    /// The stale NaN value itself.
    public static let value = Double(bitPattern: bitPattern)

    /// Whether `value` is the stale marker (an ordinary NaN is not).
    @inlinable
    public static func isStale(_ value: Double) -> Bool {
        value.bitPattern == 0x7ff0_0000_0000_0002
    }
}

/// The NaN Prometheus uses for ordinary NaN values (Go's `math.NaN()`).
public let normalNaN = Double(bitPattern: 0x7ff8_0000_0000_0001)
