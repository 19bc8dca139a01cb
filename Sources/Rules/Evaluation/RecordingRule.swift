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
    /// The input label sets of the latest evaluation without duplicates, in order, packed.
    private var previousInputs = PackedLabelsList()
    /// The outputs of the latest evaluation, in input order. They are updated in place when
    /// the inputs repeat: once the group has written them, nothing else holds the array, so
    /// no sample is copied or allocated.
    private var previousOutputs: [RuleOutputSample] = []

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
        let out = repeatsPrevious(vector) ? repeatedOutputs(for: vector) : try newOutputs(for: vector)
        if limit > 0 && out.count > limit { throw .seriesLimit(limit: limit, count: out.count) }
        return out
    }

    /// Whether `vector`'s label sets are the previous evaluation's, in the same order (the
    /// usual case): then so are the outputs, known to be distinct.
    private func repeatsPrevious(_ vector: [VectorSample]) -> Bool {
        previousInputs.matches(vector)
    }

    /// The outputs for a vector that repeats the previous evaluation's label sets: the
    /// previous outputs with the new timestamps and values.
    private mutating func repeatedOutputs(for vector: [VectorSample]) -> [RuleOutputSample] {
        for j in vector.indices {
            previousOutputs[j].timestamp = vector[j].timestamp
            previousOutputs[j].value = vector[j].value
        }
        return previousOutputs
    }

    /// The outputs for a vector with new label sets: renamed and relabelled (remembered by
    /// input labels), checked for duplicates, and remembered for the next evaluation.
    private mutating func newOutputs(for vector: [VectorSample]) throws(RuleEvaluationError) -> [RuleOutputSample] {
        var out: [RuleOutputSample] = []
        out.reserveCapacity(vector.count)
        var seen = Set<Labels>(minimumCapacity: vector.count)
        for sample in vector {
            let output = outputLabels.output(for: sample.labels) { input in
                var builder = Labels.Builder(input)
                builder.set(LabelName.metricName, name)
                for label in labels { builder.set(label.name, label.value) }
                return builder.build()
            }
            guard seen.insert(output).inserted else { throw .duplicateRecordingOutput }
            out.append(RuleOutputSample(labels: output, timestamp: sample.timestamp, value: sample.value))
        }
        previousInputs.replace(with: vector)
        previousOutputs = out
        outputLabels.trim(keeping: out.count)
        return out
    }
}
