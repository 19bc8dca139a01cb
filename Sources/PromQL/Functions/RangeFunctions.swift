import Model

/// The functions over range vectors (`rate`, `*_over_time`, …), evaluated once per series
/// per step. (Stub: implementations land in their own change.)
enum RangeFunctions {
    /// Names this type implements.
    static let names: Set<String> = []

    /// The value of function `name` over one series' window, or nil for no output sample.
    /// `scalarArgs` are the function's scalar arguments in order (e.g. the quantile of
    /// `quantile_over_time`, the seconds of `predict_linear`).
    static func evaluate(_ name: String, window: RangeWindow, scalarArgs: [Double], context: inout FunctionContext) -> Double? {
        nil
    }
}
