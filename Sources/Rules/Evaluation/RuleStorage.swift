import Model
import TSDB

/// One sample a rule writes: a recording rule's output, an `ALERTS`/`ALERTS_FOR_STATE`
/// sample, or a stale marker for a series that vanished.
public struct RuleOutputSample: Sendable, Hashable {
    public var labels: Labels
    /// Milliseconds.
    public var timestamp: Int64
    public var value: Double

    public init(labels: Labels, timestamp: Int64, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }
}

/// Storage that rules query and write to: the live head, or replay's overlay over
/// historical blocks. Rules see it only through this protocol.
public protocol RuleStorage: Queryable {
    /// Appends one rule's outputs as one transaction, so the next rule sees them.
    /// Returns how many samples were rejected (out of order, duplicate timestamps), which
    /// Prometheus counts and logs but does not treat as a rule failure.
    func appendRuleOutputs(_ samples: [RuleOutputSample]) throws -> Int
}

extension Head: RuleStorage {
    public func appendRuleOutputs(_ samples: [RuleOutputSample]) throws -> Int {
        var appender = appender()
        let rejected = appender.append(contentsOf: samples.map { ($0.labels, $0.timestamp, $0.value) }).count
        try appender.commit()
        return rejected
    }
}
