import Model
import TSDB

/// Evaluates PromQL queries over storage, as Prometheus's engine does.
///
/// The engine sees storage only through ``Queryable``/``Querier``; time is always an
/// argument, never read from a clock inside evaluation.
public struct Engine: Sendable {
    public var options: EngineOptions

    public init(options: EngineOptions = EngineOptions()) {
        self.options = options
    }

    /// Evaluates `query` at `time` (ms).
    public func instantQuery(
        _ query: String, at time: Int64, on queryable: any Queryable,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(QueryError) -> QueryResult {
        throw .execution("engine not implemented")
    }

    /// Evaluates `query` at every step from `start` to `end` (ms, inclusive); the result is a matrix.
    public func rangeQuery(
        _ query: String, start: Int64, end: Int64, step: Int64, on queryable: any Queryable,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(QueryError) -> QueryResult {
        throw .execution("engine not implemented")
    }
}
