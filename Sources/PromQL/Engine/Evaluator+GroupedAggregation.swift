import Model

extension Evaluator {
    /// Operators whose result is one value per group, which ``evalGroupedAggregate`` computes
    /// with the groups worked out once per series instead of once per sample and step.
    static let groupedAggregations: Set<AggregateOp> = [.sum, .avg, .count, .group, .min, .max, .stddev, .stdvar, .quantile]

    /// `sum`, `avg`, `count`, `group`, `min`, `max`, `stddev`, `stdvar` and `quantile`.
    mutating func evalGroupedAggregate(
        _ aggregate: AggregateExpr, input: [EvalSeries], parameters: StepCursor?
    ) throws(QueryError) -> [EvalSeries] {
        let op = aggregate.op
        var grouping = Set(aggregate.grouping)
        if aggregate.without { grouping.insert(LabelName.metricName) }

        // Each input series' group, once.
        var groupOf = [Int](repeating: 0, count: input.count)
        var keys: [Labels] = []
        var dropName: [Bool] = []
        var indexByKey: [Labels: Int] = [:]
        for (i, series) in input.enumerated() {
            let key = aggregate.without ? series.labels.removing(grouping) : series.labels.keeping(grouping)
            let g: Int
            if let known = indexByKey[key] {
                g = known
            } else {
                g = keys.count
                indexByKey[key] = g
                keys.append(key)
                dropName.append(false)
            }
            groupOf[i] = g
            if series.dropName && key.contains(name: LabelName.metricName) { dropName[g] = true }
        }

        // Per-group running state for the current step.
        let groupCount = keys.count
        var members = [Int](repeating: 0, count: groupCount)
        var sums = [Double](repeating: 0, count: groupCount)
        var compensations = [Double](repeating: 0, count: groupCount)
        var extremes = [Double](repeating: 0, count: groupCount)
        var means = [FloatMath.AggregationMean?](repeating: nil, count: groupCount)
        var variances = [FloatMath.AggregationVariance?](repeating: nil, count: groupCount)
        var values = [[Double]](repeating: [], count: groupCount)
        var touched: [Int] = []
        var outputs = [[Sample]](repeating: [], count: groupCount)
        var outputOrder: [Int] = []
        var positions = [Int](repeating: 0, count: input.count)
        var parameters = parameters

        for ts in steps {
            try limits.check()
            var q = Double.nan
            if op == .quantile {
                q = parameters?.scalar(at: ts) ?? .nan
                if q.isNaN || q < 0 || q > 1 {
                    annotations.warn("PromQL warning: quantile value should be between 0 and 1, got \(GoFloat.format(q)) \(positionSuffix(aggregate.param!.position))")
                }
            }
            touched.removeAll(keepingCapacity: true)
            for i in input.indices {
                let points = input[i].points
                var p = positions[i]
                while p < points.count, points[p].timestamp < ts { p += 1 }
                positions[i] = p
                guard p < points.count, points[p].timestamp == ts else { continue }
                let v = points[p].value
                let g = groupOf[i]
                if members[g] == 0 {
                    touched.append(g)
                    switch op {
                    case .avg: means[g] = FloatMath.AggregationMean(first: v)
                    case .stddev, .stdvar: variances[g] = FloatMath.AggregationVariance(first: v)
                    case .quantile: values[g].append(v)
                    default:
                        sums[g] = v
                        compensations[g] = 0
                        extremes[g] = v
                    }
                } else {
                    switch op {
                    case .sum: (sums[g], compensations[g]) = FloatMath.kahanSumInc(v, sum: sums[g], compensation: compensations[g])
                    case .avg: means[g]!.add(v)
                    case .stddev, .stdvar: variances[g]!.add(v)
                    case .quantile: values[g].append(v)
                    case .min: if extremes[g] > v || extremes[g].isNaN { extremes[g] = v }
                    case .max: if extremes[g] < v || extremes[g].isNaN { extremes[g] = v }
                    default: break
                    }
                }
                members[g] += 1
            }
            for g in touched {
                let value: Double
                switch op {
                case .sum: value = sums[g].isInfinite ? sums[g] : sums[g] + compensations[g]
                case .avg: value = means[g]!.value
                case .count: value = Double(members[g])
                case .group: value = 1
                case .min, .max: value = extremes[g]
                case .stddev: value = variances[g]!.standardDeviation
                case .stdvar: value = variances[g]!.variance
                case .quantile:
                    value = FloatMath.quantile(q, values[g])
                    values[g].removeAll(keepingCapacity: true)
                default: value = .nan
                }
                if outputs[g].isEmpty { outputOrder.append(g) }
                outputs[g].append(Sample(timestamp: ts, value: value))
                members[g] = 0
            }
        }
        var out: [EvalSeries] = []
        out.reserveCapacity(outputOrder.count)
        var total = 0
        for g in outputOrder {
            total += outputs[g].count
            out.append(EvalSeries(labels: keys[g], dropName: dropName[g], points: outputs[g]))
        }
        try hold(total)
        return out
    }
}
