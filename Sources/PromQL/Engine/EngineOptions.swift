/// Settings of a query engine, with Prometheus's defaults.
public struct EngineOptions: Sendable, Hashable {
    /// How far back an instant selector looks for a sample (`--query.lookback-delta`), ms.
    public var lookbackDelta: Int64 = 5 * 60_000
    /// The most samples a query may hold at once (`--query.max-samples`).
    public var maxSamples: Int = 50_000_000
    /// The longest a query may run (`--query.timeout`); nil: no limit.
    public var timeout: Duration? = .seconds(120)
    /// The step of a subquery written without one (`[5m:]`), ms: the global evaluation interval.
    public var subqueryDefaultStep: Int64 = 60_000
    /// Experimental functions and operators (`limitk`, `sort_by_label`, `mad_over_time`, …).
    public var enableExperimentalFunctions: Bool = true

    public init() {}
}
