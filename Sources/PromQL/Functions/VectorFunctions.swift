import Model

/// The functions over instant vectors (math, clamp, round, date, label_*, sort*,
/// histogram_quantile over classic buckets, …), evaluated once per step. The engine owns
/// `time`, `pi`, `vector`, `scalar`, `absent`, `timestamp`, `start`/`end`/`range`/`step`
/// and `info`.
enum VectorFunctions {
    /// The native-histogram functions: with float-only storage they never have input.
    static let nativeHistogramNames: Set<String> = [
        "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev", "histogram_stdvar",
    ]

    /// Names this type implements.
    static let names: Set<String> = MathFunctions.unaryNames
        .union(DateFunctions.names)
        .union(nativeHistogramNames)
        .union([
            "clamp", "clamp_max", "clamp_min", "round", "min_of", "max_of",
            "label_replace", "label_join",
            "sort", "sort_desc", "sort_by_label", "sort_by_label_desc",
            "histogram_quantile", "histogram_quantiles", "histogram_fraction",
        ])

    /// The result of function `name` for evaluated `args` (in call order) at
    /// `context.evaluationTime`, which output samples carry as their timestamp.
    static func evaluate(_ name: String, args: [FunctionArgument], context: inout FunctionContext) throws(QueryError) -> Vector {
        let time = context.evaluationTime
        if let f = MathFunctions.unary(name) {
            return MathFunctions.map(vector(args, 0), at: time, f)
        }
        if DateFunctions.names.contains(name) {
            return DateFunctions.evaluate(name, vector: args.isEmpty ? nil : vector(args, 0), at: time)
        }
        switch name {
        case "clamp":
            return MathFunctions.clamp(vector(args, 0), min: scalar(args, 1), max: scalar(args, 2), at: time)
        case "clamp_min":
            return MathFunctions.clamp(vector(args, 0), min: scalar(args, 1), max: .infinity, at: time)
        case "clamp_max":
            return MathFunctions.clamp(vector(args, 0), min: -.infinity, max: scalar(args, 1), at: time)
        case "round":
            return MathFunctions.round(vector(args, 0), toNearest: args.count > 1 ? scalar(args, 1) : 1, at: time)
        case "min_of":
            return [VectorSample(labels: .empty, timestamp: time, value: FloatMath.goMin(scalar(args, 0), scalar(args, 1)))]
        case "max_of":
            return [VectorSample(labels: .empty, timestamp: time, value: FloatMath.goMax(scalar(args, 0), scalar(args, 1)))]
        case "label_replace":
            return try LabelFunctions.replace(
                vector(args, 0), destination: string(args, 1), replacement: string(args, 2),
                source: string(args, 3), regex: string(args, 4), at: time)
        case "label_join":
            return try LabelFunctions.join(
                vector(args, 0), destination: string(args, 1), separator: string(args, 2),
                sources: (3..<max(3, args.count)).map { string(args, $0) }, at: time)
        case "sort":
            return SortFunctions.byValue(vector(args, 0), descending: false, at: time)
        case "sort_desc":
            return SortFunctions.byValue(vector(args, 0), descending: true, at: time)
        case "sort_by_label", "sort_by_label_desc":
            return SortFunctions.byLabels(
                vector(args, 0), names: (1..<max(1, args.count)).map { string(args, $0) },
                descending: name == "sort_by_label_desc", at: time)
        case "histogram_quantile":
            return ClassicHistograms.quantile(scalar(args, 0), vector(args, 1), context: &context)
        case "histogram_quantiles":
            return ClassicHistograms.quantiles(
                vector(args, 0), label: string(args, 1),
                quantiles: (2..<max(2, args.count)).map { scalar(args, $0) }, context: &context)
        case "histogram_fraction":
            return ClassicHistograms.fraction(lower: scalar(args, 0), upper: scalar(args, 1), vector(args, 2), context: &context)
        default:
            // Including the native-histogram functions, which ignore float samples.
            return []
        }
    }

    // MARK: Arguments

    private static func vector(_ args: [FunctionArgument], _ i: Int) -> Vector {
        guard i < args.count, case .vector(let v) = args[i] else { return [] }
        return v
    }

    private static func scalar(_ args: [FunctionArgument], _ i: Int) -> Double {
        guard i < args.count else { return .nan }
        switch args[i] {
        case .scalar(let s): return s
        case .vector(let v): return v.first?.value ?? .nan
        case .string: return .nan
        }
    }

    private static func string(_ args: [FunctionArgument], _ i: Int) -> String {
        guard i < args.count, case .string(let s) = args[i] else { return "" }
        return s
    }
}
