import Foundation
import Model

extension Evaluator {
    mutating func evalBinary(_ binary: BinaryExpr) throws(QueryError) -> [EvalSeries] {
        let lhsType = binary.lhs.type
        let rhsType = binary.rhs.type
        let lhs = try eval(binary.lhs).matrix
        let rhs = try eval(binary.rhs).matrix
        switch (lhsType, rhsType) {
        case (.scalar, .scalar):
            var l = StepCursor(lhs)
            var r = StepCursor(rhs)
            return [seriesOverSteps { ts in
                let (value, keep) = Self.apply(binary.op, l.scalar(at: ts), r.scalar(at: ts))
                return binary.op.isComparison ? (keep ? 1 : 0) : value
            }]
        case (.vector, .scalar), (.scalar, .vector):
            let scalarOnLeft = lhsType == .scalar
            return try evalVectorScalar(binary, vector: scalarOnLeft ? rhs : lhs, scalar: scalarOnLeft ? lhs : rhs, scalarOnLeft: scalarOnLeft)
        default:
            return try evalVectorVector(binary, lhs: lhs, rhs: rhs)
        }
    }

    /// The value of `lhs op rhs` and, for comparisons, whether the comparison holds (the value
    /// is then `lhs`).
    static func apply(_ op: BinaryOp, _ lhs: Double, _ rhs: Double) -> (Double, Bool) {
        switch op {
        case .add: return (lhs + rhs, true)
        case .sub: return (lhs - rhs, true)
        case .mul: return (lhs * rhs, true)
        case .div: return (lhs / rhs, true)
        case .mod: return (fmod(lhs, rhs), true)
        case .pow: return (pow(lhs, rhs), true)
        case .atan2: return (atan2(lhs, rhs), true)
        case .eql: return (lhs, lhs == rhs)
        case .neq: return (lhs, lhs != rhs)
        case .gtr: return (lhs, lhs > rhs)
        case .lss: return (lhs, lhs < rhs)
        case .gte: return (lhs, lhs >= rhs)
        case .lte: return (lhs, lhs <= rhs)
        case .and, .or, .unless: return (lhs, true)
        }
    }

    private mutating func evalVectorScalar(
        _ binary: BinaryExpr, vector: [EvalSeries], scalar: [EvalSeries], scalarOnLeft: Bool
    ) throws(QueryError) -> [EvalSeries] {
        var scalarCursor = StepCursor(scalar)
        var scalarByStep: [Int64: Double] = [:]
        for ts in steps { scalarByStep[ts] = scalarCursor.scalar(at: ts) }
        let dropsName = !binary.op.isComparison || binary.returnBool
        var out: [EvalSeries] = []
        out.reserveCapacity(vector.count)
        for series in vector {
            try limits.check()
            var points: [Sample] = []
            points.reserveCapacity(series.points.count)
            for point in series.points {
                let s = scalarByStep[point.timestamp] ?? .nan
                var (value, keep) = scalarOnLeft ? Self.apply(binary.op, s, point.value) : Self.apply(binary.op, point.value, s)
                // A comparison keeps the vector's value even when the scalar is on the left.
                if binary.op.isComparison && scalarOnLeft { value = point.value }
                if binary.returnBool {
                    value = keep ? 1 : 0
                    keep = true
                }
                if keep { points.append(Sample(timestamp: point.timestamp, value: value)) }
            }
            if !points.isEmpty {
                out.append(EvalSeries(labels: series.labels, dropName: series.dropName || dropsName, points: points))
            }
        }
        return out
    }

    private mutating func evalVectorVector(_ binary: BinaryExpr, lhs: [EvalSeries], rhs: [EvalSeries]) throws(QueryError) -> [EvalSeries] {
        let matching = binary.matching ?? VectorMatching(cardinality: binary.op.isSetOperator ? .manyToMany : .oneToOne)
        var l = StepCursor(lhs)
        var r = StepCursor(rhs)
        var accumulator = SeriesAccumulator()
        let signature = MatchSignature(matching)
        // Fast path for `or` and friends when one side is empty at every step would not change results; keep it simple.
        for ts in steps {
            try limits.check()
            let lv = l.vector(at: ts)
            let rv = r.vector(at: ts)
            let result: Vector
            switch binary.op {
            case .and: result = Self.and(lv, rv, signature)
            case .or: result = Self.or(lv, rv, signature)
            case .unless: result = Self.unless(lv, rv, signature)
            default: result = try Self.match(binary, matching: matching, lv, rv, signature)
            }
            for sample in result { accumulator.add(sample, at: ts) }
        }
        var total = 0
        for s in accumulator.series { total += s.points.count }
        try hold(total)
        return accumulator.series
    }

    private static func and(_ lhs: Vector, _ rhs: Vector, _ signature: MatchSignature) -> Vector {
        guard !lhs.isEmpty, !rhs.isEmpty else { return [] }
        let right = Set(rhs.map { signature.key($0.labels) })
        return lhs.filter { right.contains(signature.key($0.labels)) }
    }

    private static func or(_ lhs: Vector, _ rhs: Vector, _ signature: MatchSignature) -> Vector {
        if lhs.isEmpty { return rhs }
        if rhs.isEmpty { return lhs }
        let left = Set(lhs.map { signature.key($0.labels) })
        return lhs + rhs.filter { !left.contains(signature.key($0.labels)) }
    }

    private static func unless(_ lhs: Vector, _ rhs: Vector, _ signature: MatchSignature) -> Vector {
        guard !lhs.isEmpty, !rhs.isEmpty else { return lhs }
        let right = Set(rhs.map { signature.key($0.labels) })
        return lhs.filter { !right.contains(signature.key($0.labels)) }
    }

    /// Arithmetic and comparison between two vectors with one-to-one or grouped matching.
    ///
    /// With `fill` modifiers a sample whose match is missing pairs with a made-up one: its
    /// labels are the match group's (the signature), its value the fill value. `fill.rhs`
    /// stands in for a missing "one" side, `fill.lhs` for a missing "many" side (for one-to-one
    /// matching: the right and the left side), as Prometheus applies them after swapping the
    /// sides of `group_right`.
    private static func match(
        _ binary: BinaryExpr, matching: VectorMatching, _ lhsIn: Vector, _ rhsIn: Vector, _ signature: MatchSignature
    ) throws(QueryError) -> Vector {
        let fill = matching.fill
        if lhsIn.isEmpty && rhsIn.isEmpty { return [] }
        if (lhsIn.isEmpty || rhsIn.isEmpty) && fill.isEmpty { return [] }
        let oneToMany = matching.cardinality == .oneToMany
        // The "many" side is iterated; the "one" side is looked up.
        let (many, one) = oneToMany ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        var oneBySignature: [Labels: VectorSample] = [:]
        oneBySignature.reserveCapacity(one.count)
        for sample in one {
            let key = signature.key(sample.labels)
            if let existing = oneBySignature[key] {
                let side = oneToMany ? "left" : "right"
                let pair = [existing.labels, sample.labels].sorted()
                throw .execution(
                    "found duplicate series for the match group \(key) on the \(side) hand-side of the operation: [\(pair[0]), \(pair[1])];many-to-many matching not allowed: matching labels must be unique on one side")
            }
            oneBySignature[key] = sample
        }
        let dropsName = !binary.op.isComparison || binary.returnBool
        var out: Vector = []
        var matchedOneToOne: Set<Labels> = []
        var matchedGrouped: [Labels: Set<Labels>] = [:]

        func pair(_ sample: VectorSample, _ other: VectorSample, key: Labels) throws(QueryError) {
            let (left, right) = oneToMany ? (other, sample) : (sample, other)
            // Matching errors count every pair, also those a comparison then filters away.
            let (labels, dropName) = resultLabels(many: sample, one: other, matching: matching, dropsName: dropsName)
            if matching.cardinality == .oneToOne {
                if !matchedOneToOne.insert(key).inserted {
                    throw .execution("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
            } else {
                if !matchedGrouped[key, default: []].insert(labels).inserted {
                    throw .execution("multiple matches for labels: grouping labels must ensure unique matches")
                }
            }
            var (value, keep) = apply(binary.op, left.value, right.value)
            if binary.returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { return }
            out.append(VectorSample(labels: labels, timestamp: sample.timestamp, value: value, dropName: dropName))
        }

        for sample in many {
            let key = signature.key(sample.labels)
            if let other = oneBySignature[key] {
                try pair(sample, other, key: key)
            } else if let value = fill.rhs {
                try pair(sample, VectorSample(labels: key, timestamp: sample.timestamp, value: value), key: key)
            }
        }
        // "One" samples no "many" sample matched, paired with a filled "many" side.
        if let value = fill.lhs {
            for sample in one {
                let key = signature.key(sample.labels)
                if matchedOneToOne.contains(key) || matchedGrouped[key] != nil { continue }
                try pair(VectorSample(labels: key, timestamp: sample.timestamp, value: value), sample, key: key)
            }
        }
        return out
    }

    /// The labels of a matched pair's result: the "many" side's labels, reduced to the `on`
    /// labels (or stripped of the `ignoring` ones) for one-to-one matching, plus the
    /// `group_x` labels copied from the "one" side.
    private static func resultLabels(
        many: VectorSample, one: VectorSample, matching: VectorMatching, dropsName: Bool
    ) -> (Labels, Bool) {
        var labels = many.labels
        var dropName = many.dropName || dropsName
        if matching.cardinality == .oneToOne {
            if matching.on {
                labels = labels.keeping(Set(matching.matchingLabels))
                if !matching.matchingLabels.contains(LabelName.metricName) { dropName = false }
            } else if !matching.matchingLabels.isEmpty {
                labels = labels.removing(Set(matching.matchingLabels))
            }
        }
        if !matching.include.isEmpty {
            var builder = Labels.Builder(labels)
            for name in matching.include {
                let value = one.labels.value(of: name)
                if value.isEmpty { builder.remove(name) } else { builder.set(name, value) }
            }
            labels = builder.build()
        }
        return (labels, dropName)
    }
}

/// The part of a series' labels that vector matching compares.
struct MatchSignature {
    let names: Set<String>
    let on: Bool
    /// For `ignoring`: the listed labels and `__name__` (built once, not per sample).
    private let dropped: Set<String>

    init(_ matching: VectorMatching) {
        on = matching.on
        names = Set(matching.matchingLabels)
        dropped = names.union([LabelName.metricName])
    }

    /// `on`: the values of the listed labels; otherwise all labels but the listed ones and `__name__`.
    func key(_ labels: Labels) -> Labels {
        on ? labels.keeping(names) : labels.removing(dropped)
    }
}
