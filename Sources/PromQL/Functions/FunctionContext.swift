import Model

/// What a function implementation may know about the call it serves: when it is
/// evaluated, where it is written (for annotation positions), and where to record
/// warnings and infos.
struct FunctionContext {
    /// The evaluation time of this step in ms (the `@` time when the call is pinned).
    var evaluationTime: Int64
    /// The query text, to turn positions into `(line:col)`.
    var query: String
    /// Where the call is written.
    var callPosition: PositionRange
    /// Where each argument is written.
    var argumentPositions: [PositionRange]
    /// Annotations collected so far.
    var annotations: Annotations
    /// Per call, across steps: a bucket series' labels without `le` and its parsed upper
    /// bound (nil when `le` is missing or malformed), so each series is split once.
    var bucketCache: [Labels: (labels: Labels, upperBound: Double?)] = [:]

    /// `(LINE:COL)` for a position, as annotation messages end.
    func positionSuffix(_ position: PositionRange) -> String {
        position.annotationSuffix(in: query)
    }
}

/// An evaluated argument of an instant-vector function.
enum FunctionArgument {
    case scalar(Double)
    case vector(Vector)
    case string(String)
}

/// The samples of one series inside one range-function window.
struct RangeWindow {
    /// Float samples with `rangeStart < t <= rangeEnd` (wider when `anchored` or `smoothed`),
    /// in time order; stale markers removed.
    var samples: ArraySlice<Sample>
    /// Exclusive start of the window (ms): evaluation time − offset − range.
    var rangeStart: Int64
    /// Inclusive end of the window (ms): evaluation time − offset.
    var rangeEnd: Int64
    /// The series' metric name (`__name__`), for annotations; nil when it has none.
    var metricName: String?
    /// Whether that name does not look like a counter's (`Rates.mightNotBeCounter`), when
    /// the caller worked it out once for all of the series' windows.
    var nameMayNotBeCounter: Bool?
    /// The selector is `anchored`: `samples` also hold those of the lookback delta before
    /// the window, the last of which anchors it.
    var anchored = false
    /// The selector is `smoothed`: `samples` also hold those of the lookback delta before
    /// and after the window, to interpolate its edges.
    var smoothed = false
}
