import Model
import Testing
@testable import PromQL

/// Builders for the function tests: series in promqltest's `a+bxn` notation, windows as
/// the engine cuts them (left-open), contexts with positions.
enum FunctionFixtures {
    /// `start+stepxcount`: `count + 1` values.
    static func expand(_ start: Double, _ step: Double, _ count: Int) -> [Double] {
        (0...count).map { start + Double($0) * step }
    }

    /// Samples every `interval` seconds from 0 (NaN-free `nil` entries are gaps, like `_`).
    static func samples(_ values: [Double?], interval seconds: Double) -> [Sample] {
        values.enumerated().compactMap { i, v in
            v.map { Sample(timestamp: Int64((Double(i) * seconds * 1000).rounded()), value: $0) }
        }
    }

    /// The window `(at − offset − range, at − offset]` of `samples` (times in seconds).
    static func window(
        _ samples: [Sample], at seconds: Double, range: Double, offset: Double = 0, metricName: String? = nil
    ) -> RangeWindow {
        let end = Int64(((seconds - offset) * 1000).rounded())
        let start = end - Int64((range * 1000).rounded())
        let inside = samples.filter { $0.timestamp > start && $0.timestamp <= end }
        return RangeWindow(samples: inside[...], rangeStart: start, rangeEnd: end, metricName: metricName)
    }

    /// A context for `query` with the positions of the argument texts given (found in order
    /// after the call's opening parenthesis), evaluated at `seconds`.
    static func context(_ query: String = "f(x)", arguments: [String] = [], at seconds: Double = 0) -> FunctionContext {
        var positions: [PositionRange] = []
        let bytes = Array(query.utf8)
        var from = bytes.firstIndex(of: UInt8(ascii: "(")) ?? 0
        for argument in arguments {
            let needle = Array(argument.utf8)
            var found = from
            while found + needle.count <= bytes.count, Array(bytes[found..<found + needle.count]) != needle { found += 1 }
            positions.append(PositionRange(start: found, end: found + needle.count))
            from = found + needle.count
        }
        return FunctionContext(
            evaluationTime: Int64((seconds * 1000).rounded()), query: query,
            callPosition: PositionRange(start: 0, end: bytes.count), argumentPositions: positions,
            annotations: Annotations())
    }

    static func labels(_ pairs: KeyValuePairs<String, String>) -> Labels { Labels(pairs) }

    static func sample(_ pairs: KeyValuePairs<String, String>, _ value: Double) -> VectorSample {
        VectorSample(labels: Labels(pairs), timestamp: 0, value: value)
    }
}

/// Equality for floats that treats NaN as equal to NaN and allows `relative` error.
func close(_ a: Double?, _ b: Double?, relative: Double = 0) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a == b { return true }
    return Swift.abs(a - b) <= relative * Swift.max(Swift.abs(a), Swift.abs(b))
}
