import Model
import TSDB

/// Evaluates one expression tree over a range of steps (an instant query is one step).
///
/// Every node evaluates for all steps at once and returns series of points, as
/// Prometheus's engine does; a subquery runs a nested evaluator over its own steps.
struct Evaluator {
    /// First and last step (ms, inclusive) and the step width (ms, ≥ 1).
    var start: Int64
    var end: Int64
    var interval: Int64
    /// The outermost query's parameters, for `start()`, `end()`, `range()` and `step()`.
    let query: QueryParameters
    let options: EngineOptions
    let queryable: any Queryable
    let queryText: String
    let limits: QueryLimits
    /// Samples currently held, compared with `options.maxSamples`.
    var currentSamples = 0
    var annotations = Annotations()

    var steps: StrideThrough<Int64> { stride(from: start, through: end, by: Int(interval)) }
    var stepCount: Int { Int((end - start) / interval) + 1 }

    func evaluate(_ expr: Expr) throws(QueryError) -> EvalValue {
        var copy = self
        return try copy.eval(expr)
    }

    mutating func eval(_ expr: Expr) throws(QueryError) -> EvalValue {
        try limits.check()
        switch expr {
        case .number(let literal):
            return .matrix([constantSeries(literal.value)])
        case .string(let literal):
            return .string(literal.value)
        case .paren(let paren):
            return try eval(paren.expr)
        case .unary(let unary):
            let value = try eval(unary.expr)
            guard unary.op == .minus else { return value }
            var series = value.matrix
            for i in series.indices {
                for j in series[i].points.indices { series[i].points[j].value = -series[i].points[j].value }
                if unary.expr.type == .vector { series[i].dropName = true }
            }
            return .matrix(series)
        case .vectorSelector(let selector):
            return .matrix(try evalVectorSelector(selector))
        case .matrixSelector(let selector):
            guard start == end else {
                throw .execution("cannot do range evaluation of matrix selector")
            }
            return .matrix(try evalMatrixSelector(selector, at: start))
        case .subquery(let subquery):
            guard start == end else {
                throw .execution("cannot do range evaluation of subquery")
            }
            return .matrix(try evalSubqueryRaw(subquery, at: start))
        case .call(let call):
            return try evalCall(call)
        case .aggregate(let aggregate):
            return .matrix(try evalAggregate(aggregate))
        case .binary(let binary):
            return .matrix(try evalBinary(binary))
        }
    }

    /// A scalar: one series without labels with `value` at every step.
    func constantSeries(_ value: Double) -> EvalSeries {
        var points: [Sample] = []
        points.reserveCapacity(stepCount)
        for ts in steps { points.append(Sample(timestamp: ts, value: value)) }
        return EvalSeries(labels: .empty, points: points)
    }

    /// Counts `n` more samples held, failing when the query's limit is passed.
    mutating func hold(_ n: Int) throws(QueryError) {
        currentSamples += n
        if currentSamples > options.maxSamples { throw .tooManySamples(limit: options.maxSamples) }
    }

    mutating func release(_ n: Int) { currentSamples -= n }

    /// The function context for a call at `ts`.
    func functionContext(_ call: Call, at ts: Int64) -> FunctionContext {
        FunctionContext(
            evaluationTime: ts, query: queryText, callPosition: call.position,
            argumentPositions: call.args.map(\.position), annotations: Annotations())
    }
}

/// The parameters of the query being run, which some functions and modifiers read.
struct QueryParameters {
    var start: Int64
    var end: Int64
    /// 0 for an instant query.
    var step: Int64
}

/// The checks every long loop makes: the caller's cancellation and the timeout.
struct QueryLimits {
    var isCancelled: (@Sendable () -> Bool)?
    var deadline: ContinuousClock.Instant?

    func check() throws(QueryError) {
        if let isCancelled, isCancelled() { throw .canceled }
        if let deadline, ContinuousClock.now >= deadline { throw .timeout }
    }
}
