import PromQL
import Rules

/// How far before `from` evaluation must start so that alert state at `from` is what live
/// Prometheus would have: an alert pending at `from` became pending up to `for` earlier,
/// one held by `keep_firing_for` resolved up to that much later, and its expression looked
/// back over its longest range or subquery window (offsets included).
enum WarmUp {
    /// The warm-up for a set of groups: the largest need of any alerting rule, plus one
    /// interval of the slowest group so that a slot before the window is evaluated too.
    static func duration(of groups: [RuleGroup]) -> Int64 {
        var longest: Int64 = 0
        var hasAlerts = false
        for group in groups {
            for rule in group.alertingRules {
                hasAlerts = true
                longest = max(longest, rule.holdDuration + rule.keepFiringFor + lookback(of: rule.expr) + group.queryOffset)
            }
        }
        guard hasAlerts else { return 0 }
        return longest + (groups.map(\.interval).max() ?? 0)
    }

    /// The longest time an expression reads before its evaluation time: range and
    /// subquery windows, nested subqueries adding up, plus positive offsets.
    static func lookback(of expr: Expr) -> Int64 {
        switch expr {
        case .vectorSelector(let selector):
            return max(0, selector.offset)
        case .matrixSelector(let matrix):
            return matrix.range + max(0, matrix.vectorSelector.offset)
        case .subquery(let subquery):
            return subquery.range + max(0, subquery.offset) + lookback(of: subquery.expr)
        default:
            return expr.children.map(lookback(of:)).max() ?? 0
        }
    }
}
