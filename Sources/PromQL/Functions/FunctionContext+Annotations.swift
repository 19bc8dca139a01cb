import Model

/// Recording Prometheus's function annotations with the position of the expression they
/// are about, and the message texts (from Prometheus's `util/annotations`).
extension FunctionContext {
    /// Where argument `index` is written, or the call itself when it has no such argument.
    func position(ofArgument index: Int) -> PositionRange {
        index >= 0 && index < argumentPositions.count ? argumentPositions[index] : callPosition
    }

    /// Records `PromQL warning: <message> (line:col)` about argument `index`.
    mutating func warn(_ message: String, argument index: Int) {
        annotations.warn("PromQL warning: \(message) \(positionSuffix(position(ofArgument: index)))")
    }

    /// Records `PromQL info: <message> (line:col)` about argument `index`.
    mutating func info(_ message: String, argument index: Int) {
        annotations.info("PromQL info: \(message) \(positionSuffix(position(ofArgument: index)))")
    }
}

/// The message bodies of the annotations functions emit.
enum FunctionMessages {
    /// `quantile value should be between 0 and 1, got 1.5`
    static func invalidQuantile(_ q: Double) -> String {
        "quantile value should be between 0 and 1, got \(GoFloat.format(q))"
    }

    /// `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "foo"`
    static func possibleNonCounter(_ metricName: String) -> String {
        "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \(GoString.quote(metricName))"
    }

    /// `bucket label "le" is missing or has a malformed value of "x" for metric name "foo"`
    static func badBucketLabel(metricName: String, value: String) -> String {
        withMetricName("bucket label \"le\" is missing or has a malformed value of \(GoString.quote(value))", metricName)
    }

    /// The base text of the forced-monotonicity info (without the detail suffix).
    static func forcedMonotonicity(metricName: String) -> String {
        withMetricName(
            "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)",
            metricName)
    }

    /// Prometheus's `maybeAddMetricName`.
    static func withMetricName(_ message: String, _ metricName: String) -> String {
        metricName.isEmpty ? message : "\(message) for metric name \(GoString.quote(metricName))"
    }
}
