import Model
import PromQL

/// Compares query results, annotations and errors with an eval's expectations, with the
/// rules of Prometheus's promqltest. Every check returns nil when it holds, or a concise
/// sentence saying what was expected and what came back.
public enum ResultComparison {
    /// Relative tolerance of float comparisons.
    public static let epsilon = 1e-6
    private static let minNormal = Double(bitPattern: 0x0010_0000_0000_0000)

    /// Prometheus's `almost.Equal`: equal within a relative `epsilon`; NaN equals NaN; a
    /// stale marker equals only a stale marker.
    public static func almostEqual(_ a: Double, _ b: Double, epsilon: Double = epsilon) -> Bool {
        if StaleMarker.isStale(a) || StaleMarker.isStale(b) { return StaleMarker.isStale(a) && StaleMarker.isStale(b) }
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let absSum = abs(a) + abs(b)
        let diff = abs(a - b)
        if a == 0 || b == 0 || absSum < minNormal { return diff < epsilon * minNormal }
        return diff / min(absSum, .greatestFiniteMagnitude) < epsilon
    }

    // MARK: Values

    /// Compares `value` (the result of `eval`'s query, or of one of its extra runs) with what
    /// `eval` expects.
    public static func compare(_ value: QueryValue, with eval: EvalCommand) -> String? {
        switch value {
        case .matrix(let matrix): compare(matrix: matrix, with: eval)
        case .vector(let vector): compare(vector: vector, with: eval)
        case .scalar(_, let v):
            switch eval.expected {
            case .scalar(let expected, _):
                almostEqual(expected, v) ? nil : "expected scalar \(format(expected)), got \(format(v))"
            case .series:
                "expected a vector or matrix result, got scalar \(format(v))"
            }
        case .string(_, let s):
            s == (eval.expectations.string ?? "") ? nil
                : "expected string \(GoString.quote(eval.expectations.string ?? "")), got \(GoString.quote(s))"
        }
    }

    static func compare(vector: Vector, with eval: EvalCommand) -> String? {
        guard case .series(let expectedSeries) = eval.expected else {
            return "expected a scalar result, got a vector\(summary(vector))"
        }
        var expected: [Labels: ExpectedSeries] = [:]
        for s in expectedSeries { expected[s.labels] = s }
        var seen = Set<Labels>()
        for (index, sample) in vector.enumerated() {
            guard let exp = expected[sample.labels] else {
                return "unexpected series \(format(sample.labels)) \(format(sample.value)) in the result\(summary(vector))"
            }
            if eval.expectations.ordered, exp.position != index + 1 {
                return "expected \(format(sample.labels)) at position \(exp.position), it was at \(index + 1)\(summary(vector))"
            }
            let want: Double = if case .float(let v) = exp.values.first { v } else { 0 }
            if !almostEqual(want, sample.value) {
                return "expected \(format(want)) for \(format(sample.labels)), got \(format(sample.value))"
            }
            seen.insert(sample.labels)
        }
        let missing = expectedSeries.filter { !seen.contains($0.labels) }
        if let first = missing.first {
            let value = first.values.first.map { " \($0)" } ?? ""
            let more = missing.count > 1 ? " (and \(missing.count - 1) more)" : ""
            return "expected series \(format(first.labels))\(value) not found\(more)\(summary(vector))"
        }
        return nil
    }

    static func compare(matrix: Matrix, with eval: EvalCommand) -> String? {
        if eval.expectations.ordered { return "expected an ordered result, but the query returned a matrix" }
        guard case .series(let expectedSeries) = eval.expected else {
            return "expected a scalar result, got a matrix of \(matrix.count) series"
        }
        if let problem = sortingProblem(matrix) { return problem }
        let frame: (start: Int64, end: Int64, step: Int64)?
        switch eval.kind {
        case .range(let start, let end, let step): frame = (start, end, step)
        case .instant: frame = eval.expectations.rangeVector.map { ($0.start, $0.end, $0.step) }
        }
        var expected: [Labels: ExpectedSeries] = [:]
        for s in expectedSeries { expected[s.labels] = s }
        var seen = Set<Labels>()
        for series in matrix {
            guard let exp = expected[series.labels] else {
                return "unexpected series \(format(series.labels)) in the result, has \(format(series.samples))"
            }
            seen.insert(series.labels)
            var points: [Sample] = []
            for (i, value) in exp.values.enumerated() {
                guard let frame else {
                    return "the query returned a range vector: expected points need an 'expect range vector from … to … step …' line"
                }
                let t = frame.start + Int64(i) * frame.step
                if t > frame.end {
                    return "expected \(exp.values.count) points for \(format(series.labels)), but the query's time range cannot return this many"
                }
                switch value {
                case .float(let v): points.append(Sample(timestamp: t, value: v))
                case .omitted: break
                case .histogram: return "expected a native histogram for \(format(series.labels)), which Hindsight does not store"
                }
            }
            if points.count != series.samples.count {
                return "expected \(points.count) points for \(format(series.labels)), got \(format(series.samples))"
            }
            for (want, got) in zip(points, series.samples) {
                if want.timestamp != got.timestamp {
                    return "expected a point at \(time(want.timestamp)) for \(format(series.labels)), got one at \(time(got.timestamp)) (result has \(format(series.samples)))"
                }
                if !almostEqual(want.value, got.value) {
                    return "expected \(format(want.value)) at \(time(want.timestamp)) for \(format(series.labels)), got \(format(got.value)) (result has \(format(series.samples)))"
                }
            }
        }
        let missing = expectedSeries.filter { !seen.contains($0.labels) }
        if let first = missing.first {
            let more = missing.count > 1 ? " (and \(missing.count - 1) more)" : ""
            return "expected series \(format(first.labels)) not found\(more); the result has \(matrix.count) series"
        }
        return nil
    }

    /// Range results must be sorted by labels.
    public static func sortingProblem(_ matrix: Matrix) -> String? {
        for i in matrix.indices.dropFirst() where matrix[i].labels < matrix[i - 1].labels {
            return "matrix results should be sorted by labels, but \(format(matrix[i].labels)) comes after \(format(matrix[i - 1].labels))"
        }
        return nil
    }

    // MARK: Annotations and errors

    /// Checks warnings and infos: `expect warn`/`info` lines need at least one annotation of
    /// their kind, each must match one, and once present every annotation of that kind must
    /// match one of them; `expect no_warn`/`no_info` forbid the kind; kinds with no line are
    /// not checked.
    public static func checkAnnotations(_ annotations: Annotations, _ expectations: Expectations) -> String? {
        if expectations.legacyWarn, annotations.warnings.isEmpty { return "expected warnings, got none" }
        if expectations.legacyInfo, annotations.infos.isEmpty { return "expected info annotations, got none" }
        if let problem = check(kind: "warn", expected: expectations.warn, actual: annotations.warnings) { return problem }
        if let problem = check(kind: "info", expected: expectations.info, actual: annotations.infos) { return problem }
        if expectations.noWarn, !annotations.warnings.isEmpty {
            return "unexpected warning: \(annotations.warnings.map(GoString.quote).joined(separator: ", "))"
        }
        if expectations.noInfo, !annotations.infos.isEmpty {
            return "unexpected info: \(annotations.infos.map(GoString.quote).joined(separator: ", "))"
        }
        return nil
    }

    private static func check(kind: String, expected: [MessageMatcher], actual: [String]) -> String? {
        guard !expected.isEmpty else { return nil }
        if actual.isEmpty { return "expected \(kind) annotations, got none" }
        for e in expected where !actual.contains(where: e.matches) {
            return "expected a \(kind) annotation matching \(e), got \(actual.map(GoString.quote).joined(separator: ", "))"
        }
        for a in actual where !expected.contains(where: { $0.matches(a) }) {
            return "unexpected \(kind) annotation \(GoString.quote(a))"
        }
        return nil
    }

    /// Checks the error of a query that was expected to fail.
    public static func checkFailure(_ message: String, _ expectations: Expectations) -> String? {
        for matcher in expectations.failMessages where !matcher.matches(message) {
            return "expected an error matching \(matcher), got \(GoString.quote(message))"
        }
        return nil
    }

    // MARK: Formatting

    static func format(_ v: Double) -> String {
        StaleMarker.isStale(v) ? "stale" : GoFloat.format(v)
    }

    /// `metric{a="b"}` as Prometheus prints series.
    public static func format(_ labels: Labels) -> String {
        guard let name = labels.metricName, MetricNames.isValidLegacyMetricName(name) else { return labels.description }
        let rest = labels.droppingMetricName
        return rest.isEmpty ? name : name + rest.description
    }

    static func time(_ t: Int64) -> String { PromDuration.format(t) }

    static func format(_ samples: [Sample]) -> String {
        let shown = samples.prefix(6).map { "\(format($0.value))@\(time($0.timestamp))" }
        let more = samples.count > 6 ? " …" : ""
        let noun = samples.count == 1 ? "point" : "points"
        return "\(samples.count) \(noun) [\(shown.joined(separator: " "))\(more)]"
    }

    /// `; the result is {…} 1, {…} 2` (at most three series).
    static func summary(_ vector: Vector) -> String {
        if vector.isEmpty { return "; the result is empty" }
        let shown = vector.prefix(3).map { "\(format($0.labels)) \(format($0.value))" }
        let more = vector.count > 3 ? ", … (\(vector.count) series)" : ""
        return "; the result is \(shown.joined(separator: ", "))\(more)"
    }
}
