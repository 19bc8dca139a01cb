import Model
import TSDB

/// Evaluates PromQL queries over storage, as Prometheus's engine does.
///
/// The engine sees storage only through ``Queryable``/``Querier``; time is always an
/// argument, never read from a clock inside evaluation (the timeout alone reads one).
public struct Engine: Sendable {
    public var options: EngineOptions
    /// Answers served for instant queries instead of evaluating them (see
    /// ``PrecomputedResults``); nil evaluates every query.
    public var precomputed: (any PrecomputedResults)?

    public init(options: EngineOptions = EngineOptions()) {
        self.options = options
    }

    /// Parses `query` with this engine's settings.
    public func parse(_ query: String) throws(QueryError) -> Expr {
        do {
            return try PromQLParser.parse(query, experimental: options.enableExperimentalFunctions)
        } catch {
            throw .parse(error)
        }
    }

    /// Evaluates `query` at `time` (ms).
    public func instantQuery(
        _ query: String, at time: Int64, on queryable: any Queryable,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(QueryError) -> QueryResult {
        try instantQuery(try parse(query), query: query, at: time, on: queryable, isCancelled: isCancelled)
    }

    /// Evaluates `query` at every step from `start` to `end` (ms, inclusive); the result is a matrix.
    public func rangeQuery(
        _ query: String, start: Int64, end: Int64, step: Int64, on queryable: any Queryable,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(QueryError) -> QueryResult {
        try rangeQuery(try parse(query), query: query, start: start, end: end, step: step, on: queryable, isCancelled: isCancelled)
    }

    /// Evaluates a parsed expression at `time` (ms); `query` is its text, for positions in annotations.
    public func instantQuery(
        _ expr: Expr, query: String, at time: Int64, on queryable: any Queryable,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(QueryError) -> QueryResult {
        if let precomputed, let result = precomputed.result(for: query, at: time) { return result }
        let parameters = QueryParameters(start: time, end: time, step: 0)
        let resolved = try DurationResolver(parameters: parameters).resolve(expr)
        var evaluator = makeEvaluator(parameters, interval: 1, query: query, queryable: queryable, isCancelled: isCancelled)
        let value = try evaluator.eval(resolved)
        let result: QueryValue
        switch (resolved.type, value) {
        case (_, .string(let s)):
            result = .string(timestamp: time, value: s)
        case (.scalar, .matrix(let m)):
            result = .scalar(timestamp: time, value: m.first?.points.first?.value ?? .nan)
        case (.matrix, .matrix(let m)):
            result = .matrix(try Self.finish(matrix: m))
        case (_, .matrix(let m)):
            result = .vector(try Self.finish(vector: m, at: time))
        }
        return QueryResult(value: result, annotations: evaluator.annotations)
    }

    /// Evaluates a parsed expression over a range; `query` is its text, for positions in annotations.
    public func rangeQuery(
        _ expr: Expr, query: String, start: Int64, end: Int64, step: Int64, on queryable: any Queryable,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(QueryError) -> QueryResult {
        guard step > 0 else {
            throw .execution("zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard end >= start else { throw .execution("end timestamp must not be before start time") }
        let type = expr.type
        guard type == .scalar || type == .vector else {
            throw .execution("invalid expression type \"\(type.documentedName)\" for range query, must be Scalar or instant Vector")
        }
        let parameters = QueryParameters(start: start, end: end, step: step)
        let resolved = try DurationResolver(parameters: parameters).resolve(expr)
        var evaluator = makeEvaluator(parameters, interval: step, query: query, queryable: queryable, isCancelled: isCancelled)
        let value = try evaluator.eval(resolved)
        var matrix = try Self.finish(matrix: value.matrix)
        matrix.sort { $0.labels < $1.labels }
        var annotations = evaluator.annotations
        if start != end {
            resolved.forEachNode { node in
                guard case .call(let call) = node, Self.sortingFunctions.contains(call.function.name) else { return }
                annotations.warn(
                    "PromQL warning: sort is ineffective for range queries since results are always ordered by labels \(call.position.annotationSuffix(in: query))")
            }
        }
        return QueryResult(value: .matrix(matrix), annotations: annotations)
    }

    static let sortingFunctions: Set<String> = ["sort", "sort_desc", "sort_by_label", "sort_by_label_desc"]

    private func makeEvaluator(
        _ parameters: QueryParameters, interval: Int64, query: String, queryable: any Queryable,
        isCancelled: (@Sendable () -> Bool)?
    ) -> Evaluator {
        let deadline = options.timeout.map { ContinuousClock.now.advanced(by: $0) }
        return Evaluator(
            start: parameters.start, end: parameters.end, interval: interval, query: parameters, options: options,
            queryable: queryable, queryText: query, limits: QueryLimits(isCancelled: isCancelled, deadline: deadline))
    }

    /// An instant vector with delayed name removal applied; duplicate label sets are an error.
    static func finish(vector series: [EvalSeries], at time: Int64) throws(QueryError) -> Vector {
        var out: Vector = []
        out.reserveCapacity(series.count)
        var seen = Set<Labels>(minimumCapacity: series.count)
        for s in series {
            guard let point = s.points.first else { continue }
            let labels = s.dropName ? s.labels.droppingMetricName : s.labels
            if !seen.insert(labels).inserted {
                throw .execution("vector cannot contain metrics with the same labelset")
            }
            out.append(VectorSample(labels: labels, timestamp: time, value: point.value))
        }
        return out
    }

    /// A matrix with delayed name removal applied: series that end up with the same labels
    /// are merged when their points do not collide, an error otherwise.
    static func finish(matrix series: [EvalSeries]) throws(QueryError) -> Matrix {
        var out: Matrix = []
        out.reserveCapacity(series.count)
        var index: [Labels: Int] = [:]
        for s in series where !s.points.isEmpty {
            let labels = s.dropName ? s.labels.droppingMetricName : s.labels
            if let i = index[labels] {
                var merged = out[i].samples + s.points
                merged.sort { $0.timestamp < $1.timestamp }
                for j in merged.indices.dropFirst() where merged[j].timestamp == merged[j - 1].timestamp {
                    throw .execution("vector cannot contain metrics with the same labelset")
                }
                out[i].samples = merged
            } else {
                index[labels] = out.count
                out.append(MatrixSeries(labels: labels, samples: s.points))
            }
        }
        return out
    }
}
