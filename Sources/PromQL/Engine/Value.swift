import Model

/// One sample of an instant vector: a series' labels, a time and a value.
public struct VectorSample: Sendable, Hashable {
    public var labels: Labels
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var value: Double
    /// Prometheus 3's delayed name removal: the `__name__` label is still present but will
    /// be dropped before the result leaves the engine.
    public var dropName: Bool

    public init(labels: Labels, timestamp: Int64, value: Double, dropName: Bool = false) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
        self.dropName = dropName
    }

    public static func == (a: VectorSample, b: VectorSample) -> Bool {
        a.labels == b.labels && a.timestamp == b.timestamp && a.value.bitPattern == b.value.bitPattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
        hasher.combine(timestamp)
    }
}

/// An instant vector.
public typealias Vector = [VectorSample]

/// One series of a range vector (a matrix): labels and float samples in time order.
public struct MatrixSeries: Sendable, Hashable {
    public var labels: Labels
    public var samples: [Sample]
    public var dropName: Bool

    public init(labels: Labels, samples: [Sample], dropName: Bool = false) {
        self.labels = labels
        self.samples = samples
        self.dropName = dropName
    }
}

/// A range vector: series in label order.
public typealias Matrix = [MatrixSeries]

/// The value of a query.
public enum QueryValue: Sendable, Hashable {
    /// A scalar at a time (ms).
    case scalar(timestamp: Int64, value: Double)
    case string(timestamp: Int64, value: String)
    case vector(Vector)
    case matrix(Matrix)

    public var type: ValueType {
        switch self {
        case .scalar: .scalar
        case .string: .string
        case .vector: .vector
        case .matrix: .matrix
        }
    }
}

/// The warnings and infos Prometheus attaches to a query result, in the order first seen,
/// without duplicates. Each message ends with the `(line:col)` of the subexpression.
public struct Annotations: Sendable, Hashable {
    public private(set) var warnings: [String] = []
    public private(set) var infos: [String] = []

    public init() {}

    public mutating func warn(_ message: String) {
        if !warnings.contains(message) { warnings.append(message) }
    }

    public mutating func info(_ message: String) {
        if !infos.contains(message) { infos.append(message) }
    }

    public mutating func merge(_ other: Annotations) {
        for w in other.warnings { warn(w) }
        for i in other.infos { info(i) }
    }

    public var isEmpty: Bool { warnings.isEmpty && infos.isEmpty }
}

/// A query's value with its annotations.
public struct QueryResult: Sendable, Hashable {
    public var value: QueryValue
    public var annotations: Annotations

    public init(value: QueryValue, annotations: Annotations = Annotations()) {
        self.value = value
        self.annotations = annotations
    }
}
