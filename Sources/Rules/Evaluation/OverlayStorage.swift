import Model
import TSDB

/// Read-only history with rule outputs laid over it: queries see both, writes go to an
/// in-memory head only. Replay and benchmarks evaluate rules on it without touching the
/// data directory. A class, so that passing it as `any RuleStorage` (once per rule write)
/// copies a reference, not the base's existential.
public final class OverlayStorage: RuleStorage, Sendable {
    public let base: any Queryable
    public let overlay: Head

    public init(base: any Queryable, overlay: Head = Head()) {
        self.base = base
        self.overlay = overlay
    }

    public func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier {
        MergeQuerier([try base.querier(mint: mint, maxt: maxt), try overlay.querier(mint: mint, maxt: maxt)])
    }

    public func appendRuleOutputs(_ samples: [RuleOutputSample]) throws -> RuleAppendResult {
        try overlay.appendRuleOutputs(samples)
    }

    public func appendRuleOutputs(_ samples: [RuleOutputSample], handles: inout HeadSeriesHandles) throws -> RuleAppendResult {
        try overlay.appendRuleOutputs(samples, handles: &handles)
    }
}
