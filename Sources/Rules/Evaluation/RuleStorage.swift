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

/// What storage made of one rule's outputs.
public struct RuleAppendResult: Sendable, Hashable {
    /// Samples refused (out of order, duplicate timestamp, out of bounds).
    public var rejected: Int
    /// Storage's message for the last refused sample that was not a stale marker, in
    /// Prometheus's words; Prometheus makes it the rule's last error.
    public var lastError: String?

    public init(rejected: Int = 0, lastError: String? = nil) {
        self.rejected = rejected
        self.lastError = lastError
    }
}

/// Storage that rules query and write to: the live head, or replay's overlay over
/// historical blocks. Rules see it only through this protocol.
public protocol RuleStorage: Queryable {
    /// Appends one rule's outputs as one transaction, so the next rule sees them; the
    /// samples storage refuses are reported, the rest are kept.
    func appendRuleOutputs(_ samples: [RuleOutputSample]) throws -> RuleAppendResult

    /// The same, for a writer that appends to mostly the same series every time (a rule):
    /// `handles` holds what this storage remembered of the series of the writer's previous
    /// call, and is updated for the next. Storage that has no use for them ignores them.
    func appendRuleOutputs(_ samples: [RuleOutputSample], handles: inout HeadSeriesHandles) throws -> RuleAppendResult
}

extension RuleStorage {
    public func appendRuleOutputs(_ samples: [RuleOutputSample], handles: inout HeadSeriesHandles) throws -> RuleAppendResult {
        try appendRuleOutputs(samples)
    }
}

extension Head: RuleStorage {
    public func appendRuleOutputs(_ samples: [RuleOutputSample]) throws -> RuleAppendResult {
        var handles = HeadSeriesHandles()
        return try appendRuleOutputs(samples, handles: &handles)
    }

    /// One transaction without WAL, each series found through `handles` when they still
    /// hold it (no label hashing or lookup for outputs that repeat).
    public func appendRuleOutputs(_ samples: [RuleOutputSample], handles: inout HeadSeriesHandles) throws -> RuleAppendResult {
        // The outputs' labels are usually the very values the series were created with.
        let refused = append(
            count: samples.count, handles: &handles, labelsIdentity: { samples[$0].labels.storageIdentity },
            labels: { samples[$0].labels }, timeAndValue: { (samples[$0].timestamp, samples[$0].value) })
        var result = RuleAppendResult(rejected: refused.count)
        for (index, error) in refused where !StaleMarker.isStale(samples[index].value) {
            result.lastError = Self.prometheusMessage(error)
        }
        return result
    }

    /// An append error as Prometheus's storage words it (without series and time).
    static func prometheusMessage(_ error: Head.AppendError) -> String {
        switch error {
        case .duplicateSampleForTimestamp: "duplicate sample for timestamp"
        case .outOfOrder: "out of order sample"
        case .outOfBounds: "out of bounds"
        default: "\(error)"
        }
    }
}
