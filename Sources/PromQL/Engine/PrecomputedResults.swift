/// Results of instant queries worked out ahead of time, which ``Engine`` returns instead of
/// evaluating.
///
/// A replay asks the same rule expression at thousands of consecutive evaluation times;
/// evaluating it once as a range query over a window of them and serving each time's
/// vector from the result does the selection, decoding and grouping once per window
/// instead of once per time. A range query at a step gives what an instant query at that
/// time gives (Prometheus defines range queries so), so the answers are the same.
public protocol PrecomputedResults: AnyObject, Sendable {
    /// The result of `query` (the exact text the caller passes) at `time`, or nil to
    /// evaluate it normally.
    func result(for query: String, at time: Int64) -> QueryResult?
}
