import Model

/// One series as the evaluator passes it between nodes: labels, whether Prometheus 3's
/// delayed name removal will drop `__name__` at the end, and points in time order.
///
/// For instant-vector and scalar nodes the points sit at the evaluation steps; for
/// range-vector nodes (selectors, subqueries) they are the raw samples.
struct EvalSeries {
    var labels: Labels
    var dropName: Bool
    var points: [Sample]

    init(labels: Labels, dropName: Bool = false, points: [Sample] = []) {
        self.labels = labels
        self.dropName = dropName
        self.points = points
    }
}

/// The value of a node over all steps of an evaluation.
enum EvalValue {
    /// Instant vectors (one point per step a series has a value), scalars (one series with
    /// no labels) or a range vector (raw samples).
    case matrix([EvalSeries])
    case string(String)

    var matrix: [EvalSeries] {
        if case .matrix(let m) = self { return m }
        return []
    }
}

/// Reads, step by step in increasing time, the point each series of a matrix has at that
/// step; steps must be asked for in increasing order.
struct StepCursor {
    private(set) var series: [EvalSeries]
    private var positions: [Int]

    init(_ series: [EvalSeries]) {
        self.series = series
        self.positions = Array(repeating: 0, count: series.count)
    }

    /// The vector of `ts`: every series with a point at exactly `ts`.
    mutating func vector(at ts: Int64) -> Vector {
        var out: Vector = []
        out.reserveCapacity(series.count)
        for i in series.indices {
            let points = series[i].points
            var p = positions[i]
            while p < points.count, points[p].timestamp < ts { p += 1 }
            positions[i] = p
            if p < points.count, points[p].timestamp == ts {
                out.append(VectorSample(labels: series[i].labels, timestamp: ts, value: points[p].value, dropName: series[i].dropName))
            }
        }
        return out
    }

    /// The value of a scalar (the first series' point at `ts`), NaN when absent.
    mutating func scalar(at ts: Int64) -> Double {
        guard !series.isEmpty else { return .nan }
        let points = series[0].points
        var p = positions[0]
        while p < points.count, points[p].timestamp < ts { p += 1 }
        positions[0] = p
        return p < points.count && points[p].timestamp == ts ? points[p].value : .nan
    }
}

/// Gathers per-step output vectors into series keyed by their labels, in first-seen order.
struct SeriesAccumulator {
    private(set) var series: [EvalSeries] = []
    private var indexByLabels: [Labels: Int] = [:]

    mutating func add(_ sample: VectorSample, at ts: Int64) {
        if let i = indexByLabels[sample.labels] {
            series[i].points.append(Sample(timestamp: ts, value: sample.value))
            if sample.dropName { series[i].dropName = true }
        } else {
            indexByLabels[sample.labels] = series.count
            series.append(EvalSeries(labels: sample.labels, dropName: sample.dropName, points: [Sample(timestamp: ts, value: sample.value)]))
        }
    }
}
