import PromQL

/// Durations in rule files (`interval`, `query_offset`, `for`, `keep_firing_for`) use
/// Prometheus's `model.Duration` syntax: number-unit pairs from the largest unit down,
/// each unit at most once (`1h30m`, `90s`, `1w2d`, `500ms`), or a bare `0`. Units: `y`
/// (365 days), `w`, `d`, `h`, `m`, `s`, `ms`. No sign, no fractions, no spaces; at most
/// about 292 years (Go's `time.Duration`).
enum RuleDuration {
    /// Milliseconds of `text`, or Prometheus's message for why it is not a duration
    /// (`not a valid duration string: "1h30"`, `unknown unit "x" in duration "5x"`,
    /// `empty duration string`, `duration out of range`).
    static func milliseconds(_ text: String) -> Result<Int64, DurationError> {
        // PromQL's duration literals and model.ParseDuration are one syntax; the PromQL
        // module owns the one implementation.
        do {
            return .success(try PromQLParser.parseDuration(text))
        } catch {
            return .failure(DurationError(message: error.message))
        }
    }

    struct DurationError: Error {
        var message: String
    }
}
