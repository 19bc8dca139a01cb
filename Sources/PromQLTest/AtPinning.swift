import PromQL

/// Prometheus's step-invariance check of instant evals: the query is re-run with `@ t`
/// added to every selector and subquery that has no fixed `@` yet, at other times, and
/// must give the same result.
///
/// Unlike Prometheus, which prints the rewritten tree and parses it again, the rewritten
/// tree is evaluated directly with the original query text, so annotation positions are
/// those of the query as written.
public enum AtPinning {
    /// Functions whose result depends on the evaluation time even when their arguments do
    /// not; queries calling them skip the check (Prometheus's `AtModifierUnsafeFunctions`,
    /// plus the query-parameter functions).
    public static let timeDependentFunctions: Set<String> = [
        "time", "timestamp", "predict_linear",
        "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year",
        "start", "end", "range", "step",
    ]

    /// `expr` with `@ t` on every outermost vector selector, matrix selector and subquery whose
    /// `@` is absent or `start()`/`end()`; selectors inside a subquery are left alone (the
    /// subquery itself is pinned). nil when the query calls a time-dependent function.
    public static func pin(_ expr: Expr, at t: Int64) -> Expr? {
        if expr.containsCall(where: { timeDependentFunctions.contains($0.function.name) }) { return nil }
        return rewrite(expr, at: t)
    }

    /// The times a pinned query is evaluated at: `-10t, 0, t/5, t, 10t`, or `-1s, 0, 1s` for
    /// `t = 0`.
    public static func evaluationTimes(for t: Int64) -> [Int64] {
        if t == 0 { return [-1000, 0, 1000] }
        return [-10 * t, 0, t / 5, t, 10 * t]
    }

    /// Whether the range-mode check is skipped because the query uses `start()`, `end()`,
    /// `range()` or `step()`, which resolve differently in a range query (the textual test
    /// Prometheus applies).
    public static func usesQueryParameters(_ query: String) -> Bool {
        ["start()", "end()", "range()", "step()"].contains { query.contains($0) }
    }

    private static func pinned(_ at: AtModifier?, _ t: Int64) -> AtModifier {
        if case .timestamp = at { return at! }
        return .timestamp(t)
    }

    private static func rewrite(_ expr: Expr, at t: Int64) -> Expr {
        switch expr {
        case .number, .string:
            return expr
        case .vectorSelector(var vs):
            vs.at = pinned(vs.at, t)
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            ms.vectorSelector.at = pinned(ms.vectorSelector.at, t)
            return .matrixSelector(ms)
        case .subquery(var sq):
            sq.at = pinned(sq.at, t)
            return .subquery(sq)
        case .call(var call):
            call.args = call.args.map { rewrite($0, at: t) }
            return .call(call)
        case .aggregate(var agg):
            agg.expr = rewrite(agg.expr, at: t)
            agg.param = agg.param.map { rewrite($0, at: t) }
            return .aggregate(agg)
        case .binary(var bin):
            bin.lhs = rewrite(bin.lhs, at: t)
            bin.rhs = rewrite(bin.rhs, at: t)
            return .binary(bin)
        case .unary(var un):
            un.expr = rewrite(un.expr, at: t)
            return .unary(un)
        case .paren(var p):
            p.expr = rewrite(p.expr, at: t)
            return .paren(p)
        }
    }
}

extension Expr {
    /// Every vector selector in the tree, including those of matrix selectors.
    var vectorSelectors: [VectorSelector] {
        switch self {
        case .vectorSelector(let vs): [vs]
        case .matrixSelector(let ms): [ms.vectorSelector]
        default: children.flatMap(\.vectorSelectors)
        }
    }
}
