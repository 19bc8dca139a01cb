import Model

extension Evaluator {
    mutating func evalAggregate(_ aggregate: AggregateExpr) throws(QueryError) -> [EvalSeries] {
        var paramCursor: StepCursor?
        var label: String?
        if let param = aggregate.param {
            switch try eval(param) {
            case .string(let s): label = s
            case .matrix(let m): paramCursor = StepCursor(m)
            }
        }
        if aggregate.op == .countValues, let label, !MetricNames.isValidLabelName(label) {
            throw .execution("invalid label name \(GoString.quote(label))")
        }
        let series = try eval(aggregate.expr).matrix
        if Self.groupedAggregations.contains(aggregate.op) {
            return try evalGroupedAggregate(aggregate, input: series, parameters: paramCursor)
        }
        var input = StepCursor(series)
        var accumulator = SeriesAccumulator()
        let grouping = Set(aggregate.grouping)
        var groupCache: [Labels: Labels] = [:]
        for ts in steps {
            try limits.check()
            let parameter = paramCursor?.scalar(at: ts)
            let vector = input.vector(at: ts)
            let result = try aggregateStep(aggregate, vector: vector, parameter: parameter, label: label, grouping: grouping, groupCache: &groupCache)
            for sample in result { accumulator.add(sample, at: ts) }
        }
        var total = 0
        for s in accumulator.series { total += s.points.count }
        try hold(total)
        return accumulator.series
    }

    /// The labels identifying `labels`' group: the `by` labels, or all but the `without`
    /// labels and the metric name.
    private static func groupLabels(_ labels: Labels, _ aggregate: AggregateExpr, _ grouping: Set<String>) -> Labels {
        if aggregate.without {
            var drop = grouping
            drop.insert(LabelName.metricName)
            return labels.removing(drop)
        }
        return labels.keeping(grouping)
    }

    private mutating func aggregateStep(
        _ aggregate: AggregateExpr, vector: Vector, parameter: Double?, label: String?,
        grouping: Set<String>, groupCache: inout [Labels: Labels]
    ) throws(QueryError) -> Vector {
        let op = aggregate.op
        // Parameter checks come first: a bad parameter fails even over an empty vector.
        var k = 0
        var ratio = 0.0
        switch op {
        case .topk, .bottomk, .limitk:
            let p = parameter ?? .nan
            if p.isNaN { throw .execution("Parameter value is NaN") }
            guard p > -9.223372036854775807e18, p < 9.223372036854775807e18 else {
                throw .execution("Scalar value \(GoFloat.format(p)) overflows int64")
            }
            k = Int(p)
            if k < 1 { return [] }
        case .limitRatio:
            let p = parameter ?? .nan
            if p.isNaN { throw .execution("Ratio value is NaN") }
            ratio = p
            if ratio < -1 || ratio > 1 {
                annotations.warn("PromQL warning: ratio value should be between -1 and 1, got \(GoFloat.format(ratio)), capping to \(ratio < 0 ? "-1" : "1") \(positionSuffix(aggregate.param!.position))")
                ratio = ratio < 0 ? -1 : 1
            }
        case .quantile:
            let q = parameter ?? .nan
            if q.isNaN || q < 0 || q > 1 {
                annotations.warn("PromQL warning: quantile value should be between 0 and 1, got \(GoFloat.format(q)) \(positionSuffix(aggregate.param!.position))")
            }
        default:
            break
        }
        guard !vector.isEmpty else { return [] }

        // Group in order of first appearance.
        var groups: [Labels: Int] = [:]
        var members: [[Int]] = []
        var keys: [Labels] = []
        for (i, sample) in vector.enumerated() {
            let key: Labels
            if let cached = groupCache[sample.labels] {
                key = cached
            } else {
                key = Self.groupLabels(sample.labels, aggregate, grouping)
                groupCache[sample.labels] = key
            }
            if let g = groups[key] {
                members[g].append(i)
            } else {
                groups[key] = members.count
                members.append([i])
                keys.append(key)
            }
        }

        var out: Vector = []
        let ts = vector[0].timestamp
        for (g, indices) in members.enumerated() {
            let key = keys[g]
            let dropName = key.contains(name: LabelName.metricName) && indices.contains { vector[$0].dropName }
            func emit(_ value: Double, labels: Labels? = nil) {
                out.append(VectorSample(labels: labels ?? key, timestamp: ts, value: value, dropName: dropName))
            }
            switch op {
            case .sum:
                emit(FloatMath.kahanSum(indices.lazy.map { vector[$0].value }))
            case .avg:
                var mean = FloatMath.AggregationMean(first: vector[indices[0]].value)
                for i in indices.dropFirst() { mean.add(vector[i].value) }
                emit(mean.value)
            case .count:
                emit(Double(indices.count))
            case .group:
                emit(1)
            case .min:
                var value = vector[indices[0]].value
                for i in indices.dropFirst() where value > vector[i].value || value.isNaN { value = vector[i].value }
                emit(value)
            case .max:
                var value = vector[indices[0]].value
                for i in indices.dropFirst() where value < vector[i].value || value.isNaN { value = vector[i].value }
                emit(value)
            case .stddev, .stdvar:
                var variance = FloatMath.AggregationVariance(first: vector[indices[0]].value)
                for i in indices.dropFirst() { variance.add(vector[i].value) }
                emit(op == .stddev ? variance.standardDeviation : variance.variance)
            case .quantile:
                emit(FloatMath.quantile(parameter ?? .nan, indices.map { vector[$0].value }))
            case .countValues:
                var counts: [String: Int] = [:]
                var order: [String] = []
                for i in indices {
                    let text = GoFloat.formatFixed(vector[i].value)
                    if counts[text] == nil { order.append(text) }
                    counts[text, default: 0] += 1
                }
                for text in order {
                    emit(Double(counts[text]!), labels: key.setting(label ?? "", to: text))
                }
            case .topk, .bottomk:
                let top = op == .topk
                // NaN ranks below every number for topk and above every number for bottomk.
                func before(_ a: Double, _ b: Double) -> Bool {
                    if a.isNaN { return false }
                    if b.isNaN { return true }
                    return top ? a > b : a < b
                }
                let chosen = indices.sorted { before(vector[$0].value, vector[$1].value) || (!before(vector[$1].value, vector[$0].value) && $0 < $1) }.prefix(k)
                for i in chosen { out.append(vector[i]) }
            case .limitk:
                for i in indices.prefix(k) { out.append(vector[i]) }
            case .limitRatio:
                for i in indices where Self.ratioSelects(vector[i].labels, ratio) { out.append(vector[i]) }
            }
        }
        return out
    }

    /// Whether `limit_ratio` keeps a series: a stable hash of its labels, as a fraction of
    /// the hash space, below the ratio (or, for a negative ratio, at or above 1 + ratio).
    static func ratioSelects(_ labels: Labels, _ ratio: Double) -> Bool {
        let fraction = Double(labels.stableHash) / Double(UInt64.max)
        return ratio >= 0 ? fraction < ratio : fraction >= 1 + ratio
    }

    func positionSuffix(_ position: PositionRange) -> String {
        position.annotationSuffix(in: queryText)
    }
}
