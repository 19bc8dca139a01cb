import Model

/// How evaluation timestamps are chosen for each group.
public enum ReplayAlignment: String, Sendable, Hashable, CaseIterable {
    /// Live Prometheus's slots: multiples of the group's interval shifted by the hash of
    /// its file and name (`RuleGroup.slot(atOrBefore:)`).
    case prometheus
    /// `from` plus multiples of the interval, as promtool's rule unit tests evaluate.
    case start
}

/// What a replay needs besides the rules and the data. Times and durations in ms.
public struct ReplayConfiguration: Sendable {
    /// The reported range, both ends included.
    public var from: Int64
    public var to: Int64
    public var alignment: ReplayAlignment
    /// Overrides every group's interval when set.
    public var evaluationInterval: Int64?
    /// `global.evaluation_interval` for groups without their own interval.
    public var defaultInterval: Int64
    public var lookbackDelta: Int64
    public var externalLabels: Labels
    public var externalURL: String
    /// An alert that fires again within this long after it resolved counts as a flap.
    public var flapWindow: Int64
    /// The oldest sample of the data, when known: warm-up never starts before it.
    public var dataStart: Int64?
    /// Evaluate window by window, rule expressions as range queries, where that gives
    /// live Prometheus's results (``ReplayPlan``); false evaluates strictly in live order,
    /// every expression at every slot (slower; the results are the same).
    public var windowed = true
    /// The simulated time one window spans (at least 60 of the longest group interval).
    public var windowLength: Int64 = 2 * 3_600_000

    public init(
        from: Int64, to: Int64, alignment: ReplayAlignment = .prometheus, evaluationInterval: Int64? = nil,
        defaultInterval: Int64 = 60_000, lookbackDelta: Int64 = 5 * 60_000, externalLabels: Labels = .empty,
        externalURL: String = "", flapWindow: Int64 = 15 * 60_000, dataStart: Int64? = nil
    ) {
        self.from = from
        self.to = to
        self.alignment = alignment
        self.evaluationInterval = evaluationInterval
        self.defaultInterval = defaultInterval
        self.lookbackDelta = lookbackDelta
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.flapWindow = flapWindow
        self.dataStart = dataStart
    }
}

/// Where a replay stands, for progress reports: simulated time only.
public struct ReplayProgress: Sendable {
    /// The simulated time just evaluated (ms).
    public var time: Int64
    /// The share of simulated time done, 0…1 (warm-up included).
    public var fraction: Double
    /// Group evaluations done so far.
    public var evaluations: Int
    /// Samples of the history read so far.
    public var samples: Int = 0
}
