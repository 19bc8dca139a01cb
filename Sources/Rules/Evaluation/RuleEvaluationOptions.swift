import Model
import PromQL

/// Settings shared by every group: the PromQL engine, the global interval and query
/// offset, and what templates see as external labels and URL.
public struct RuleEvaluationOptions: Sendable {
    public var engine: Engine
    /// `global.evaluation_interval` in ms, for groups without their own interval.
    public var defaultInterval: Int64
    /// `global.rule_query_offset` in ms, for groups without `query_offset`.
    public var defaultQueryOffset: Int64
    public var externalLabels: Labels
    public var externalURL: String
    /// How long a resolved alert is kept (and reported) before it is forgotten: 15 minutes.
    public var resolvedRetention: Int64
    /// `--rules.alert.resend-delay`: the least time between two notifications of an alert, ms.
    public var resendDelay: Int64

    public init(
        engine: Engine = Engine(), defaultInterval: Int64 = 60_000, defaultQueryOffset: Int64 = 0,
        externalLabels: Labels = .empty, externalURL: String = "", resolvedRetention: Int64 = 15 * 60_000,
        resendDelay: Int64 = 60_000
    ) {
        self.engine = engine
        self.defaultInterval = defaultInterval
        self.defaultQueryOffset = defaultQueryOffset
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.resolvedRetention = resolvedRetention
        self.resendDelay = resendDelay
    }
}
