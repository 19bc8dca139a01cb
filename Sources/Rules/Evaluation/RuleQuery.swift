import Foundation
import Model
import PromQL

/// How rules run PromQL: an instant query whose result must be a vector or a scalar
/// (Prometheus's `EngineQueryFunc`).
struct RuleQuery: Sendable {
    let engine: Engine
    let storage: any RuleStorage
    /// Time spent in the engine, so that the rule engine's own overhead can be measured.
    let timer = QueryTimer()

    init(engine: Engine, storage: any RuleStorage) {
        self.engine = engine
        self.storage = storage
    }

    /// The samples of `expr` at `time` (ms); a scalar becomes one sample without labels.
    func run(_ expr: Expr, text: String, at time: Int64) throws(RuleEvaluationError) -> [VectorSample] {
        let result: QueryResult
        let start = ContinuousClock.now
        defer { timer.add(ContinuousClock.now - start) }
        do {
            result = try engine.instantQuery(expr, query: text, at: time, on: storage)
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
final class QueryTimer: @unchecked Sendable {
    private let lock = NSLock()
    private var sum: Duration = .zero

    func add(_ d: Duration) { lock.withLock { sum += d } }
    var total: Duration { lock.withLock { sum } }
}
