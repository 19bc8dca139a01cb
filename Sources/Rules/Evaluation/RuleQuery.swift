import Foundation
import Model
import PromQL
import TSDB

/// How rules run PromQL: an instant query whose result must be a vector or a scalar
/// (Prometheus's `EngineQueryFunc`).
struct RuleQuery: Sendable {
    let engine: Engine
    /// The storage as the engine takes it, converted once: each conversion of a large
    /// storage value (the replay overlay) to `any Queryable` allocates a box.
    let queryable: any Queryable
    /// Time spent in the engine, so that the rule engine's own overhead can be measured.
    let timer = QueryTimer()

    init(engine: Engine, storage: any RuleStorage) {
        self.engine = engine
        self.queryable = storage
    }

    /// The samples of `expr` at `time` (ms); a scalar becomes one sample without labels.
    func run(_ expr: Expr, text: String, at time: Int64) throws(RuleEvaluationError) -> [VectorSample] {
        let result: QueryResult
        let start = MonotonicTime.now()
        defer { timer.add(MonotonicTime.now() - start) }
        do {
            result = try engine.instantQuery(expr, query: text, at: time, on: queryable)
        } catch {
            throw .query(error)
        }
        switch result.value {
        case .vector(let vector): return vector
        case .scalar(let t, let v): return [VectorSample(labels: .empty, timestamp: t, value: v)]
        default: throw .wrongResultType
        }
    }

    /// The `query` template function: parses and runs `text` at `time`.
    func templateSamples(_ text: String, at time: Int64) throws -> [TemplateSample] {
        let expr: Expr
        do {
            expr = try engine.parse(text)
        } catch {
            throw RuleEvaluationError.query(error)
        }
        return try run(expr, text: text, at: time).map { sample in
            var labels: [String: String] = [:]
            for label in sample.labels { labels[label.name] = label.value }
            return TemplateSample(labels: labels, value: sample.value)
        }
    }
}

/// Why a rule's evaluation failed, with Prometheus's messages.
public enum RuleEvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    case query(QueryError)
    case wrongResultType
    case duplicateRecordingOutput
    case duplicateAlertLabels
    case seriesLimit(limit: Int, count: Int)
    case alertLimit(limit: Int, count: Int)
    case storage(String)

    public var description: String {
        switch self {
        case .query(let e): e.description
        case .wrongResultType: "rule result is not a vector or scalar"
        case .duplicateRecordingOutput: "vector contains metrics with the same labelset after applying rule labels"
        case .duplicateAlertLabels: "vector contains metrics with the same labelset after applying alert labels"
        case .seriesLimit(let limit, let count): "exceeded limit of \(limit) with \(count) series"
        case .alertLimit(let limit, let count): "exceeded limit of \(limit) with \(count) alerts"
        case .storage(let message): message
        }
    }
}

/// Accumulates durations across the copies of a ``RuleQuery`` (templates run queries too).
///
/// Not locked: a ``RuleQuery`` and its copies belong to one group evaluation, which runs
/// its rules and their templates one after another on one thread (a lock per query would be
/// rule-engine overhead of its own), nor checked for exclusive access at run time.
final class QueryTimer: @unchecked Sendable {
    @exclusivity(unchecked) private var sum: Int64 = 0

    /// Adds `nanoseconds`.
    func add(_ nanoseconds: Int64) { sum &+= nanoseconds }
    /// The sum in nanoseconds.
    var total: Int64 { sum }
}
