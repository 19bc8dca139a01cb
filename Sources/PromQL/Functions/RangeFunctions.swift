import Model

/// The functions over range vectors (`rate`, `*_over_time`, …), evaluated once per series
/// per step. The engine owns `absent_over_time` (it synthesizes labels across series).
enum RangeFunctions {
    /// Names this type implements.
    static let names: Set<String> = [
        "rate", "increase", "delta", "irate", "idelta",
        "avg_over_time", "sum_over_time", "count_over_time", "min_over_time", "max_over_time",
        "last_over_time", "first_over_time", "present_over_time",
        "stddev_over_time", "stdvar_over_time", "quantile_over_time", "mad_over_time",
        "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time",
        "deriv", "predict_linear", "double_exponential_smoothing", "changes", "resets",
    ]

    /// The value of function `name` over one series' window, or nil for no output sample.
    /// `scalarArgs` are the function's scalar arguments in order (e.g. the quantile of
    /// `quantile_over_time`, the seconds of `predict_linear`).
    ///
    /// `context.evaluationTime` must be the step's time (Prometheus's `enh.Ts`), which
    /// `predict_linear` extrapolates from; the other functions only use the window bounds.
    /// Annotations name the matrix argument's position, except for `quantile_over_time`
    /// whose warning names the quantile (its first argument), as Prometheus does.
    static func evaluate(_ name: String, window: RangeWindow, scalarArgs: [Double], context: inout FunctionContext) -> Double? {
        switch name {
        case "rate", "increase":
            let value = window.anchored || window.smoothed
                ? Rates.extended(window, isCounter: true, isRate: name == "rate")
                : Rates.extrapolated(window, isCounter: true, isRate: name == "rate")
            if value != nil, window.nameMayNotBeCounter ?? Rates.mightNotBeCounter(window.metricName), let metricName = window.metricName {
                context.info(FunctionMessages.possibleNonCounter(metricName), argument: 0)
            }
            return value
        case "delta":
            if window.anchored || window.smoothed { return Rates.extended(window, isCounter: false, isRate: false) }
            return Rates.extrapolated(window, isCounter: false, isRate: false)
        case "irate": return Rates.instant(window, isRate: true)
        case "idelta": return Rates.instant(window, isRate: false)
        case "avg_over_time": return OverTime.average(window)
        case "sum_over_time": return OverTime.sum(window)
        case "count_over_time": return OverTime.count(window)
        case "min_over_time": return OverTime.extreme(window, max: false)
        case "max_over_time": return OverTime.extreme(window, max: true)
        case "last_over_time": return OverTime.last(window)
        case "first_over_time": return OverTime.first(window)
        case "present_over_time": return window.samples.isEmpty ? nil : 1
        case "stddev_over_time": return OverTime.variance(window, squareRoot: true)
        case "stdvar_over_time": return OverTime.variance(window, squareRoot: false)
        case "quantile_over_time":
            guard let q = scalarArgs.first else { return nil }
            return OverTime.quantile(q, window, context: &context)
        case "mad_over_time": return OverTime.medianAbsoluteDeviation(window)
        case "ts_of_first_over_time": return OverTime.timestampOfFirst(window)
        case "ts_of_last_over_time": return OverTime.timestampOfLast(window)
        case "ts_of_max_over_time": return OverTime.timestampOfExtreme(window, max: true)
        case "ts_of_min_over_time": return OverTime.timestampOfExtreme(window, max: false)
        case "deriv": return Regression.derivative(window)
        case "predict_linear":
            guard let seconds = scalarArgs.first else { return nil }
            return Regression.predict(window, seconds: seconds, evaluationTime: context.evaluationTime)
        case "double_exponential_smoothing":
            guard scalarArgs.count >= 2 else { return nil }
            return Smoothing.doubleExponential(window, smoothingFactor: scalarArgs[0], trendFactor: scalarArgs[1])
        case "changes": return Changes.changes(window)
        case "resets": return Changes.resets(window)
        default: return nil
        }
    }

    /// The error Prometheus raises for invalid scalar arguments of a range function, checked
    /// whenever the function is about to be evaluated over a non-empty window (so a query over
    /// no data does not fail). Today only `double_exponential_smoothing`'s factors can fail:
    /// `invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000`.
    static func validate(_ name: String, scalarArgs: [Double]) throws(QueryError) {
        if name == "double_exponential_smoothing", scalarArgs.count >= 2 {
            try Smoothing.validate(smoothingFactor: scalarArgs[0], trendFactor: scalarArgs[1])
        }
    }
}
