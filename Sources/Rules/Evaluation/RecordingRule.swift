import Model
import PromQL

/// A recording rule: its definition and the state of its latest evaluation.
public struct RecordingRule: Sendable {
    public let name: String
    public let expr: Expr
    /// The expression as Prometheus passes it to the engine: the canonical printed form.
    public let query: String
    /// Rule labels (group labels merged in; rule labels win).
    public let labels: Labels
    public internal(set) var health: RuleHealth = .unknown
    public internal(set) var lastError: RuleEvaluationError?
    public internal(set) var lastEvaluation: Int64?
    public internal(set) var evaluationDuration: Duration = .zero
    private let outputLabels = LabelsCache()
    /// The input and output label sets of the latest evaluation without duplicates, in order.
    private var previous: (inputs: [Labels], outputs: [Labels]) = ([], [])

    init(name: String, expr: Expr, labels: Labels) {
        self.name = name
        self.expr = expr
        self.query = expr.description
        self.labels = labels
    }

    /// The rule's output at evaluation time `t` with the group's query offset: the query's
    /// samples renamed to the record name with the rule labels set.
    mutating func evaluate(at t: Int64, queryOffset: Int64, limit: Int, using query: RuleQuery) throws(RuleEvaluationError) -> [RuleOutputSample] {
        let vector = try query.run(expr, text: self.query, at: t - queryOffset)
        var out: [RuleOutputSample] = []
        out.reserveCapacity(vector.count)
        // Inputs equal to the previous evaluation's, position by position (the usual case),
        // give its outputs, known to be distinct.
        var repeated = vector.count == previous.inputs.count
        for (j, sample) in vector.enumerated() {
            let output: Labels
            if j < previous.inputs.count && previous.inputs[j] == sample.labels {
                output = previous.outputs[j]
            } else {
                repeated = false
                output = outputLabels.output(for: sample.labels) { input in
                    var builder = Labels.Builder(input)
                    builder.set(LabelName.metricName, name)
                    for label in labels { builder.set(label.name, label.value) }
                    return builder.build()
                }
            }
            out.append(RuleOutputSample(labels: output, timestamp: sample.timestamp, value: sample.value))
        }
        if !repeated {
            var seen = Set<Labels>(minimumCapacity: out.count)
            for sample in out where !seen.insert(sample.labels).inserted { throw .duplicateRecordingOutput }
            previous = (vector.map(\.labels), out.map(\.labels))
            outputLabels.trim(keeping: out.count)
        }
        if limit > 0 && out.count > limit { throw .seriesLimit(limit: limit, count: out.count) }
        return out
    }
}
