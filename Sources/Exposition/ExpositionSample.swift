import Model

/// An exemplar attached to a sample (OpenMetrics): a reference such as a trace ID.
public struct Exemplar: Sendable, Hashable {
    public var labels: Labels
    public var value: Double
    /// Milliseconds since the epoch, when the exposition gave one.
    public var timestamp: Timestamp?

    public init(labels: Labels, value: Double, timestamp: Timestamp? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (lhs: Exemplar, rhs: Exemplar) -> Bool {
        lhs.labels == rhs.labels && lhs.value.bitPattern == rhs.value.bitPattern && lhs.timestamp == rhs.timestamp
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
        hasher.combine(value.bitPattern)
        hasher.combine(timestamp)
    }
}

/// One sample line of an exposition.
public struct ExpositionSample: Sendable, Hashable {
    /// The metric name (`__name__`), or "" when missing.
    public let name: String
    /// All labels, including `__name__`.
    public let labels: Labels
    public var value: Double
    /// Milliseconds since the epoch, when the line carried a timestamp.
    public var timestamp: Timestamp?
    /// Defaults to nil through its declaration, not an assignment in an initialiser: an
    /// initialiser that assigns it leaves the value in a stack slot that is copied out
    /// and destroyed (a retain and release of every field per sample).
    public var exemplar: Exemplar? = nil

    public init(labels: Labels, value: Double, timestamp: Timestamp? = nil, exemplar: Exemplar? = nil) {
        self.init(name: labels.metricName ?? "", labels: labels, value: value, timestamp: timestamp)
        self.exemplar = exemplar
    }

    /// For parsers, which know the name already: `name` must be `labels`' `__name__`.
    /// No exemplar (set it afterwards): see ``exemplar``. Inlined, so that the parser
    /// builds the sample in place in the entry it returns.
    @inline(__always)
    init(name: String, labels: Labels, value: Double, timestamp: Timestamp?) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// Bitwise value comparison, so that NaN samples equal themselves.
    public static func == (lhs: ExpositionSample, rhs: ExpositionSample) -> Bool {
        lhs.labels == rhs.labels && lhs.value.bitPattern == rhs.value.bitPattern
            && lhs.timestamp == rhs.timestamp && lhs.exemplar == rhs.exemplar
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
        hasher.combine(value.bitPattern)
        hasher.combine(timestamp)
    }
}

/// What a parser yields: metadata, a comment, or a sample.
public enum ExpositionEntry: Sendable, Hashable {
    /// `# HELP name text` (text unescaped).
    case help(family: String, text: String)
    /// `# TYPE name type`.
    case type(family: String, MetricType)
    /// `# UNIT name unit` (OpenMetrics only).
    case unit(family: String, unit: String)
    /// A comment line (text format only; OpenMetrics has none).
    case comment
    /// A sample line.
    case sample(ExpositionSample)
}
