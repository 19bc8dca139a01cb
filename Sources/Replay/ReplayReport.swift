import Model
import Rules

/// What a replay found over [from, to]: the alert timeline and a summary per rule.
public struct ReplayReport: Sendable {
    /// The reported range (ms).
    public var from: Int64
    public var to: Int64
    /// Where evaluation really started (ms): `from` minus the warm-up, bounded by the data.
    public var evaluationStart: Int64
    /// Every episode active at some point in [from, to], by pending time, then labels.
    public var alerts: [AlertEpisode]
    /// One summary per rule, in file, group and rule order.
    public var rules: [RuleSummary]
    /// Group evaluations run (warm-up included).
    public var evaluations: Int
    /// The history with every rule output the replay wrote laid over it (recording rules,
    /// `ALERTS`, `ALERTS_FOR_STATE`): for plots, block export, further queries.
    public var storage: OverlayStorage?
}

/// A rule's figures over [from, to].
public struct RuleSummary: Sendable {
    public enum Kind: String, Sendable, Hashable {
        case alerting
        case recording
    }

    /// One distinct error message of the rule.
    public struct ErrorCount: Sendable, Hashable {
        public var message: String
        public var count: Int
        /// The first evaluation (ms) that failed with it.
        public var firstAt: Int64
    }

    public var name: String
    public var kind: Kind
    public var group: String
    public var file: String
    /// Alerting: episodes that were firing at some point in the range.
    public var fired = 0
    /// Alerting: firing time inside the range, summed and the longest episode's (ms).
    public var totalFiring: Int64 = 0
    public var longestFiring: Int64 = 0
    /// Alerting: mean time from firing to resolved over the episodes that resolved in the
    /// range (ms), nil when none did.
    public var meanTimeToResolve: Int64?
    /// Alerting: episodes that fired within the flap window after the same instance resolved.
    public var flaps = 0
    /// Alerting: episodes in the timeline (fired or not).
    public var episodes = 0
    /// Failed evaluations in the range, and the distinct errors by first occurrence.
    public var errorCount = 0
    public var errors: [ErrorCount] = []
    /// Recording: samples written in the range (stale markers not counted) and distinct series.
    public var samples = 0
    public var series = 0

    /// The most distinct error messages kept per rule.
    public static let maxDistinctErrors = 5
}
