import Model
import PromQL
import Rules
import TSDB

/// What the value plot of one alerting rule shows: the expression's series over the range,
/// evaluated at the rule group's slots, over the replay's storage (history plus rule outputs).
///
/// When the expression is a filtering comparison with a number (`expr > 0.9`, `0.9 < expr`),
/// the plot shows the compared side over the whole range and the threshold as a line, which
/// says more than the filtered values alone.
struct AlertPlot {
    struct Series {
        var labels: Labels
        var samples: [Sample]
    }

    /// The expression plotted, as printed.
    var query: String
    /// The threshold of a filtering comparison, with its operator, when the plot shows its side.
    var threshold: (op: String, value: Double)?
    /// The series drawn, at most ``maxSeries``.
    var series: [Series]
    /// Series the query returned in all.
    var totalSeries: Int
    /// The step of the points (ms): the group's interval, coarser when the range is long.
    var step: Int64
    /// Why there is no plot (a query error), if so.
    var error: String?

    /// The most evaluation points per series; beyond it the step grows by whole intervals.
    static let maxPoints: Int64 = 4000

    /// Evaluates `rule`'s expression for the plot. `first` is the group's first slot at or
    /// after `from`; points are placed at slots, the expression evaluated at slot − offset.
    static func evaluate(
        _ rule: AlertingRule, interval: Int64, queryOffset: Int64, first: Int64, to: Int64, lookbackDelta: Int64,
        episodes: [AlertEpisode], storage: OverlayStorage?, maxSeries: Int
    ) -> AlertPlot {
        var expr = rule.expr
        var threshold: (op: String, value: Double)?
        if let split = splitThreshold(rule.expr) {
            expr = split.side
            threshold = (split.op, split.value)
        }
        let query = expr.description
        var plot = AlertPlot(query: query, threshold: threshold, series: [], totalSeries: 0, step: interval, error: nil)
        guard let storage else {
            plot.error = "the report holds no storage to query"
            return plot
        }
        guard first <= to, interval > 0 else { return plot }
        var step = interval
        let points = (to - first) / interval + 1
        if points > maxPoints { step = interval * ((points + maxPoints - 1) / maxPoints) }
        plot.step = step
        let last = first + (to - first) / step * step
        var options = EngineOptions()
        options.lookbackDelta = lookbackDelta
        options.timeout = nil
        let result: QueryResult
        do {
            result = try Engine(options: options).rangeQuery(
                expr, query: query, start: first - queryOffset, end: last - queryOffset, step: step, on: storage)
        } catch {
            plot.error = error.description
            return plot
        }
        var matrix: [Series] = []
        switch result.value {
        case .matrix(let m):
            matrix = m.map { Series(labels: $0.labels, samples: $0.samples) }
        case .vector(let v):
            matrix = v.map { Series(labels: $0.labels, samples: [Sample(timestamp: $0.timestamp, value: $0.value)]) }
        case .scalar(let t, let v):
            matrix = [Series(labels: .empty, samples: [Sample(timestamp: t, value: v)])]
        case .string:
            break
        }
        if queryOffset != 0 {
            for i in matrix.indices {
                matrix[i].samples = matrix[i].samples.map { Sample(timestamp: $0.timestamp + queryOffset, value: $0.value) }
            }
        }
        plot.totalSeries = matrix.count
        // Series behind an alert first, then the rest; each part in label order.
        let alerting = episodes.map(\.labels)
        func behindAlert(_ labels: Labels) -> Bool {
            let own = labels.droppingMetricName
            return alerting.contains { alert in own.allSatisfy { alert[$0.name] == $0.value } }
        }
        let ranked = matrix.map { (behindAlert($0.labels) ? 0 : 1, $0) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.labels < $1.1.labels }
        plot.series = ranked.prefix(maxSeries).map(\.1)
        return plot
    }

    /// `side op number` or `number op side` with a filtering comparison (no `bool`): the
    /// side, and the operator as it reads with the side on the left.
    static func splitThreshold(_ expr: Expr) -> (side: Expr, op: String, value: Double)? {
        guard case .binary(let binary) = unparen(expr), binary.op.isComparison, !binary.returnBool else { return nil }
        let op = binary.op.rawValue
        if let value = number(binary.rhs), binary.lhs.type == .vector {
            return (binary.lhs, op, value)
        }
        if let value = number(binary.lhs), binary.rhs.type == .vector {
            let flipped = ["<": ">", ">": "<", "<=": ">=", ">=": "<="][op] ?? op
            return (binary.rhs, flipped, value)
        }
        return nil
    }

    private static func unparen(_ expr: Expr) -> Expr {
        if case .paren(let p) = expr { return unparen(p.expr) }
        return expr
    }

    private static func number(_ expr: Expr) -> Double? {
        switch unparen(expr) {
        case .number(let n): return n.value
        case .unary(let u):
            guard let v = number(u.expr) else { return nil }
            return u.op == .minus ? -v : v
        default: return nil
        }
    }
}
