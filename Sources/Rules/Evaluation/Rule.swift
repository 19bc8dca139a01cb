import Model
import PromQL

/// A rule of a group.
public enum Rule: Sendable {
    case recording(RecordingRule)
    case alerting(AlertingRule)

    public var name: String {
        switch self {
        case .recording(let r): r.name
        case .alerting(let r): r.name
        }
    }

    /// The rule's PromQL expression, and its text as written.
    public var expr: Expr {
        switch self {
        case .recording(let r): r.expr
        case .alerting(let r): r.expr
        }
    }

    public var query: String {
        switch self {
        case .recording(let r): r.query
        case .alerting(let r): r.query
        }
    }

    public var health: RuleHealth {
        switch self {
        case .recording(let r): r.health
        case .alerting(let r): r.health
        }
    }

    public var lastError: RuleEvaluationError? {
        switch self {
        case .recording(let r): r.lastError
        case .alerting(let r): r.lastError
        }
    }
}

extension Rule {
    /// Runs `recording` or `alerting` on this rule, mutated in place: the rule is moved out
    /// of `self` (not copied) while the closure runs and moved back after, so that its state
    /// (active alerts, caches) stays uniquely referenced and is not copied on write.
    mutating func update<R>(
        recording: (inout RecordingRule) -> R, alerting: (inout AlertingRule) -> R
    ) -> R {
        switch consume self {
        case .recording(var rule):
            let result = recording(&rule)
            self = .recording(rule)
            return result
        case .alerting(var rule):
            let result = alerting(&rule)
            self = .alerting(rule)
            return result
        }
    }
}

extension EvaluatedRule {
    /// Completes an evaluation at `time`: writes the outputs of a successful one to
    /// `outputs` (a failed rule writes nothing, not even stale markers: its previous series
    /// stay as they were until it succeeds again), and records the outcome with the time
    /// since `start` (evaluation and writing, as Prometheus measures a rule), which becomes
    /// the next rule's start. As Prometheus, a refused output makes the rule unhealthy with
    /// storage's error.
    mutating func finish(
        _ evaluated: Result<[RuleOutputSample], RuleEvaluationError>, at time: Int64, writingTo outputs: inout RuleOutputs,
        queryOffset: Int64, storage: any RuleStorage, rejected: inout Int, since start: inout Int64
    ) -> Result<Void, RuleEvaluationError> {
        let outcome: Result<Void, RuleEvaluationError>
        switch evaluated {
        case .success(let samples):
            if let message = outputs.write(samples, at: time, queryOffset: queryOffset, to: storage, rejected: &rejected) {
                outcome = .failure(.storage(message))
            } else {
                outcome = .success(())
            }
        case .failure(let error):
            outcome = .failure(error)
        }
        let now = MonotonicTime.now()
        record(outcome, at: time, duration: .nanoseconds(now - start))
        start = now
        return outcome
    }
}

/// What every rule records of its latest evaluation.
protocol EvaluatedRule {
    var health: RuleHealth { get set }
    var lastError: RuleEvaluationError? { get set }
    var lastEvaluation: Int64? { get set }
    var evaluationDuration: Duration { get set }
}

extension EvaluatedRule {
    mutating func record<T>(_ result: Result<T, RuleEvaluationError>, at time: Int64, duration: Duration) {
        switch result {
        case .success:
            health = .ok
            lastError = nil
        case .failure(let error):
            health = .err
            lastError = error
        }
        lastEvaluation = time
        evaluationDuration = duration
    }
}

extension RecordingRule: EvaluatedRule {}
extension AlertingRule: EvaluatedRule {}
