import Model

extension Evaluator {
    /// Functions that keep the metric name of their input (Prometheus 3 drops it for the rest
    /// of the range-vector functions).
    static let rangeFunctionsKeepingName: Set<String> = ["last_over_time", "first_over_time"]

    /// The functions an `anchored` / `smoothed` range selector may be passed to.
    static let anchoredSafeFunctions = ["changes", "delta", "increase", "rate", "resets"]
    static let smoothedSafeFunctions = ["delta", "increase", "rate"]

    /// Fails when an anchored or smoothed range selector is passed to a function that cannot
    /// take one, with Prometheus's message.
    static func checkExtendedRangeArguments(_ call: Call) throws(QueryError) {
        let name = call.function.name
        for var arg in call.args {
            while case .paren(let p) = arg { arg = p.expr }
            guard case .matrixSelector(let ms) = arg else { continue }
            if ms.vectorSelector.anchored, !anchoredSafeFunctions.contains(name) {
                throw .execution("anchored modifier can only be used with: \(anchoredSafeFunctions.joined(separator: ", ")) - not with \(name)")
            }
            if ms.vectorSelector.smoothed, !smoothedSafeFunctions.contains(name) {
                throw .execution("smoothed modifier can only be used with: \(smoothedSafeFunctions.joined(separator: ", ")) - not with \(name)")
            }
        }
    }

    mutating func evalCall(_ call: Call) throws(QueryError) -> EvalValue {
        let name = call.function.name
        try Self.checkExtendedRangeArguments(call)
        switch name {
        case "time":
            return .matrix([seriesOverSteps { Double($0) / 1000 }])
        case "pi":
            return .matrix([constantSeries(Double.pi)])
        case "start":
            return .matrix([constantSeries(Double(query.start) / 1000)])
        case "end":
            return .matrix([constantSeries(Double(query.end) / 1000)])
        case "range":
            return .matrix([constantSeries(Double(query.end - query.start) / 1000)])
        case "step":
            return .matrix([constantSeries(Double(query.step) / 1000)])
        case "vector":
            var series = try eval(call.args[0]).matrix
            if series.isEmpty { series = [EvalSeries(labels: .empty)] }
            return .matrix(series.map { EvalSeries(labels: .empty, points: $0.points) })
        case "scalar":
            return .matrix([try evalScalarFunction(call)])
        case "absent":
            return .matrix(try evalAbsent(call))
        case "absent_over_time":
            return .matrix(try evalAbsentOverTime(call))
        case "timestamp":
            return .matrix(try evalTimestamp(call))
        case "info":
            return .matrix(try evalInfo(call))
        default:
            break
        }
        if let matrixIndex = call.function.argTypes.firstIndex(of: .matrix) {
            return .matrix(try evalRangeFunction(call, matrixIndex: matrixIndex))
        }
        return .matrix(try evalVectorFunction(call))
    }

    /// A scalar series whose value at each step is `value(ts)`.
    func seriesOverSteps(_ value: (Int64) -> Double) -> EvalSeries {
        var points: [Sample] = []
        points.reserveCapacity(stepCount)
        for ts in steps { points.append(Sample(timestamp: ts, value: value(ts))) }
        return EvalSeries(labels: .empty, points: points)
    }

    /// `scalar(v)`: the value of a one-element vector, NaN otherwise.
    private mutating func evalScalarFunction(_ call: Call) throws(QueryError) -> EvalSeries {
        var cursor = StepCursor(try eval(call.args[0]).matrix)
        return seriesOverSteps { ts in
            let vector = cursor.vector(at: ts)
            return vector.count == 1 ? vector[0].value : .nan
        }
    }

    /// The labels `absent()` reports for an argument: the equality matchers of a plain
    /// selector (each name once), nothing otherwise.
    private func absentLabels(_ expr: Expr) -> Labels {
        let selector: VectorSelector
        switch expr {
        case .vectorSelector(let vs): selector = vs
        case .matrixSelector(let ms): selector = ms.vectorSelector
        case .subquery(let sq):
            return absentLabels(sq.expr)
        default: return .empty
        }
        var builder = Labels.Builder()
        var seen: Set<String> = []
        var duplicated: Set<String> = []
        for matcher in selector.matchers where matcher.name != LabelName.metricName {
            if seen.contains(matcher.name) { duplicated.insert(matcher.name) }
            seen.insert(matcher.name)
        }
        for matcher in selector.matchers where matcher.type == .equal && matcher.name != LabelName.metricName {
            if !duplicated.contains(matcher.name) { builder.set(matcher.name, matcher.value) }
        }
        return builder.build()
    }

    private mutating func evalAbsent(_ call: Call) throws(QueryError) -> [EvalSeries] {
        let input = try eval(call.args[0]).matrix
        var present = Set<Int64>()
        for series in input { for p in series.points { present.insert(p.timestamp) } }
        var points: [Sample] = []
        for ts in steps where !present.contains(ts) { points.append(Sample(timestamp: ts, value: 1)) }
        return points.isEmpty ? [] : [EvalSeries(labels: absentLabels(call.args[0]), points: points)]
    }

    private mutating func evalAbsentOverTime(_ call: Call) throws(QueryError) -> [EvalSeries] {
        let argument = try rangeArgument(call.args[0])
        var points: [Sample] = []
        var lowers = Array(repeating: 0, count: argument.series.count)
        var uppers = lowers
        for ts in steps {
            let (lower, upper) = argument.window(at: ts)
            var any = false
            for i in argument.series.indices {
                let samples = argument.series[i].points
                while lowers[i] < samples.count, samples[lowers[i]].timestamp <= lower { lowers[i] += 1 }
                if uppers[i] < lowers[i] { uppers[i] = lowers[i] }
                while uppers[i] < samples.count, samples[uppers[i]].timestamp <= upper { uppers[i] += 1 }
                if uppers[i] > lowers[i] { any = true }
            }
            if !any { points.append(Sample(timestamp: ts, value: 1)) }
        }
        return points.isEmpty ? [] : [EvalSeries(labels: absentLabels(call.args[0]), points: points)]
    }

    /// `timestamp(v)`: for a plain selector, the time of the sample found; otherwise the step time.
    private mutating func evalTimestamp(_ call: Call) throws(QueryError) -> [EvalSeries] {
        var arg = call.args[0]
        while case .paren(let p) = arg { arg = p.expr }
        var series: [EvalSeries]
        if case .vectorSelector(let selector) = arg {
            series = try evalVectorSelector(selector, keepSampleTimestamps: true)
        } else {
            series = try eval(arg).matrix
            for i in series.indices {
                for j in series[i].points.indices {
                    series[i].points[j].value = Double(series[i].points[j].timestamp) / 1000
                }
            }
        }
        for i in series.indices { series[i].dropName = true }
        return series
    }

    /// A function over a range vector, once per series and step over that step's window.
    private mutating func evalRangeFunction(_ call: Call, matrixIndex: Int) throws(QueryError) -> [EvalSeries] {
        let name = call.function.name
        // Scalar arguments, per step.
        var scalarCursors: [StepCursor] = []
        for (i, arg) in call.args.enumerated() where i != matrixIndex {
            scalarCursors.append(StepCursor(try eval(arg).matrix))
        }
        let argument = try rangeArgument(call.args[matrixIndex])
        let dropsName = !Self.rangeFunctionsKeepingName.contains(name)
        var scalarsByStep: [[Double]] = []
        scalarsByStep.reserveCapacity(stepCount)
        for ts in steps {
            var values: [Double] = []
            for c in scalarCursors.indices { values.append(scalarCursors[c].scalar(at: ts)) }
            scalarsByStep.append(values)
        }
        var out: [EvalSeries] = []
        var context = functionContext(call, at: start)
        for series in argument.series {
            try limits.check()
            let samples = series.points
            var lower = 0
            var upper = 0
            var points: [Sample] = []
            var stepIndex = 0
            // Per series, not per step: the name is a label lookup.
            let metricName = series.labels.metricName
            let nameMayNotBeCounter = Rates.mightNotBeCounter(metricName)
            for ts in steps {
                defer { stepIndex += 1 }
                let (windowStart, windowEnd) = argument.window(at: ts)
                // Anchored and smoothed windows hand the function samples around the window too.
                let (reachStart, reachEnd) = argument.reach(at: ts)
                while lower < samples.count, samples[lower].timestamp <= reachStart { lower += 1 }
                if upper < lower { upper = lower }
                while upper < samples.count, samples[upper].timestamp <= reachEnd { upper += 1 }
                guard upper > lower else { continue }
                // Functions see the step time, also when `@` pins the window (predict_linear
                // extrapolates from it).
                context.evaluationTime = ts
                try RangeFunctions.validate(name, scalarArgs: scalarsByStep[stepIndex])
                let window = RangeWindow(
                    samples: samples[lower..<upper], rangeStart: windowStart, rangeEnd: windowEnd,
                    metricName: metricName, nameMayNotBeCounter: nameMayNotBeCounter,
                    anchored: argument.anchored, smoothed: argument.smoothed)
                if let value = RangeFunctions.evaluate(name, window: window, scalarArgs: scalarsByStep[stepIndex], context: &context) {
                    points.append(Sample(timestamp: ts, value: value))
                }
            }
            if !points.isEmpty {
                try hold(points.count)
                out.append(EvalSeries(labels: series.labels, dropName: series.dropName || dropsName, points: points))
            }
        }
        annotations.merge(context.annotations)
        return out
    }

    /// A function over instant vectors, scalars and strings, once per step.
    private mutating func evalVectorFunction(_ call: Call) throws(QueryError) -> [EvalSeries] {
        enum Arg {
            case cursor(StepCursor, isScalar: Bool)
            case string(String)
        }
        var args: [Arg] = []
        for (i, arg) in call.args.enumerated() {
            switch try eval(arg) {
            case .string(let s): args.append(.string(s))
            case .matrix(let m):
                let declared = i < call.function.argTypes.count ? call.function.argTypes[i] : call.function.argTypes.last ?? .vector
                args.append(.cursor(StepCursor(m), isScalar: declared == .scalar))
            }
        }
        var accumulator = SeriesAccumulator()
        var context = functionContext(call, at: start)
        for ts in steps {
            try limits.check()
            var values: [FunctionArgument] = []
            values.reserveCapacity(args.count)
            for i in args.indices {
                switch args[i] {
                case .string(let s): values.append(.string(s))
                case .cursor(var cursor, let isScalar):
                    values.append(isScalar ? .scalar(cursor.scalar(at: ts)) : .vector(cursor.vector(at: ts)))
                    args[i] = .cursor(cursor, isScalar: isScalar)
                }
            }
            context.evaluationTime = ts
            let result = try VectorFunctions.evaluate(call.function.name, args: values, context: &context)
            try checkDistinctLabels(result)
            for sample in result { accumulator.add(sample, at: ts) }
        }
        annotations.merge(context.annotations)
        var total = 0
        for s in accumulator.series { total += s.points.count }
        try hold(total)
        return accumulator.series
    }

    /// Fails when two samples of one step's vector have the same labels.
    func checkDistinctLabels(_ vector: Vector) throws(QueryError) {
        guard vector.count > 1 else { return }
        var seen = Set<Labels>(minimumCapacity: vector.count)
        for sample in vector where !seen.insert(sample.labels).inserted {
            throw .execution("vector cannot contain metrics with the same labelset")
        }
    }
}
