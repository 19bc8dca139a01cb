import Model
import PromQL
import TSDB

/// A rule group and its evaluation state: rules evaluated in order at one timestamp, each
/// rule's output appended before the next runs; stale markers for output series that
/// vanish. Time is always the caller's: the live server passes wall-clock slots, replay
/// simulated ones.
public struct RuleGroup: Sendable {
    public let name: String
    /// The file the group came from, as given (part of the group's identity and slot offset).
    public let file: String
    /// Evaluation interval and query offset in ms.
    public let interval: Int64
    public let queryOffset: Int64
    public let limit: Int
    /// Prometheus's `labels.Hash` of `{file, name}`, from which the slot offset comes.
    private let identityHash: UInt64
    public private(set) var rules: [Rule]
    /// What each rule wrote at its previous evaluation.
    private var outputs: [RuleOutputs]
    public private(set) var lastEvaluation: Int64?
    public private(set) var evaluationDuration: Duration = .zero
    /// Live mode: slots scheduled so far, and slots skipped because an evaluation overran.
    public private(set) var iterationsScheduled = 0
    public private(set) var iterationsMissed = 0
    let options: RuleEvaluationOptions

    public init(_ definition: RuleGroupDefinition, file: String, options: RuleEvaluationOptions) {
        name = definition.name
        self.file = file
        interval = definition.interval ?? options.defaultInterval
        queryOffset = definition.queryOffset ?? options.defaultQueryOffset
        limit = definition.limit
        identityHash = XXHash64.hash(Labels(["file": file, "name": definition.name]))
        self.options = options
        rules = definition.rules.map { rule in
            // Group labels first, then the rule's (rule labels win).
            var merged: [String: String] = [:]
            var order: [String] = []
            for (n, v) in definition.labels + rule.labels {
                if merged[n] == nil { order.append(n) }
                merged[n] = v
            }
            let labels = order.map { (name: $0, value: merged[$0]!) }
            switch rule.kind {
            case .recording(let record):
                var builder = Labels.Builder()
                for (n, v) in labels { builder.set(n, v) }
                return .recording(RecordingRule(name: record, expr: rule.expr, labels: builder.build()))
            case .alerting(let alert):
                return .alerting(AlertingRule(
                    name: alert, expr: rule.expr, holdDuration: rule.holdDuration, keepFiringFor: rule.keepFiringFor,
                    labels: labels, annotations: rule.annotations))
            }
        }
        outputs = Array(repeating: RuleOutputs(), count: rules.count)
    }

    /// The group's offset inside its interval: Prometheus's hash of the file and group name,
    /// so that groups spread over the interval and every restart keeps the same slots.
    public var slotOffset: Int64 { offsetNanos / 1_000_000 }

    /// The same offset in nanoseconds, the unit Prometheus computes slots in.
    private var offsetNanos: Int64 { Int64(identityHash % UInt64(interval * 1_000_000)) }

    /// The latest evaluation slot at or before `time` (ms), as Prometheus's `EvalTimestamp`.
    public func slot(atOrBefore time: Int64) -> Int64 {
        let intervalNanos = interval * 1_000_000
        let offset = offsetNanos
        // Slots are nanosecond instants; a slot belongs to millisecond `floor(slot / 1e6)`,
        // as Prometheus stores it, so look for the last slot before the next millisecond.
        let adjusted = (time + 1) * 1_000_000 - 1 - offset
        let base = adjusted - ((adjusted % intervalNanos) + intervalNanos) % intervalNanos
        return floorDivide(base + offset, 1_000_000)
    }

    /// Live mode: after evaluating `slot`, with the wall clock now at `now` (ms), the slot to
    /// evaluate next. When the evaluation overran by whole intervals, those slots are skipped
    /// and counted as missed, as Prometheus's group loop does.
    public mutating func nextSlot(after slot: Int64, now: Int64) -> Int64 {
        let missed = max(0, Int((now - slot) / interval) - 1)
        iterationsMissed += missed
        iterationsScheduled += missed + 1
        return slot + Int64(missed + 1) * interval
    }

    /// The result of one evaluation: errors by rule index, and how many output samples
    /// storage rejected (out of order or duplicate).
    public struct Evaluation: Sendable {
        public var errors: [(rule: Int, error: RuleEvaluationError)] = []
        public var rejectedSamples = 0
        /// Alerts to hand to the notifier, with the index of their rule.
        public var notifications: [(rule: Int, alert: Alert)] = []
        /// Time spent inside PromQL evaluation (the rest is the rule engine's own work).
        public var queryDuration: Duration = .zero
    }

    /// Evaluates every rule at `time` (ms), in order, writing outputs to `storage`.
    @discardableResult
    public mutating func evaluate(at time: Int64, storage: any RuleStorage) -> Evaluation {
        evaluate(at: time, storage: storage, rules: rules.indices)
    }

    /// Evaluates the rules at positions `range` at `time`, in order. A replay that has
    /// shown the other rules neither read nor are read by these (in the same evaluation)
    /// runs a group in such parts; everything else evaluates whole groups.
    @discardableResult
    public mutating func evaluate(at time: Int64, storage: any RuleStorage, rules range: Range<Int>) -> Evaluation {
        let groupStart = MonotonicTime.now()
        let query = RuleQuery(engine: options.engine, storage: storage)
        var result = Evaluation()
        // One clock read per rule besides the query timer's: a rule's duration (evaluation
        // and writing, as Prometheus measures it) runs from the end of the previous rule.
        var ruleStart = groupStart
        let queryOffset = queryOffset, limit = limit, options = options, interval = interval
        for i in range {
            // The series this rule wrote last time start coming into the cache while its query runs.
            outputs[i].prefetch()
            // Taken out while the rule runs, which the rule's own update excludes `self` from.
            var written = RuleOutputs()
            swap(&written, &outputs[i])
            // Evaluated, written and recorded in one in-place update of the rule.
            let outcome = rules[i].update(
                recording: { rule in
                    let evaluated = Result { () throws(RuleEvaluationError) in
                        try rule.evaluate(at: time, queryOffset: queryOffset, limit: limit, using: query)
                    }
                    return rule.finish(
                        evaluated, at: time, writingTo: &written, queryOffset: queryOffset, storage: storage,
                        rejected: &result.rejectedSamples, since: &ruleStart)
                },
                alerting: { rule in
                    let evaluated = Result { () throws(RuleEvaluationError) in
                        try rule.evaluate(at: time, queryOffset: queryOffset, limit: limit, using: query, options: options)
                    }
                    if case .success = evaluated {
                        for alert in rule.alertsToSend(at: time, resendDelay: options.resendDelay, interval: interval) {
                            result.notifications.append((i, alert))
                        }
                    }
                    return rule.finish(
                        evaluated, at: time, writingTo: &written, queryOffset: queryOffset, storage: storage,
                        rejected: &result.rejectedSamples, since: &ruleStart)
                })
            swap(&written, &outputs[i])
            if case .failure(let error) = outcome { result.errors.append((i, error)) }
        }
        lastEvaluation = time
        evaluationDuration = .nanoseconds(MonotonicTime.now() - groupStart)
        result.queryDuration = .nanoseconds(query.timer.total)
        return result
    }

    /// The alerting rules' active alerts, rule by rule (for notification and inspection).
    public var alertingRules: [AlertingRule] {
        rules.compactMap { if case .alerting(let r) = $0 { r } else { nil } }
    }
}
