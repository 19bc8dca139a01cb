#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Model

/// Element-wise math over instant vectors: `abs`, `exp`, the trigonometric functions,
/// `clamp*`, `round`, … Every output sample drops its metric name (Prometheus 3 marks
/// them `DropName`).
enum MathFunctions {
    /// The names of the element-wise one-argument functions.
    static let unaryNames: Set<String> = [
        "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad",
        "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
    ]

    /// The function `name` applies to each value. The transcendental functions come from
    /// the C library, which may differ from Go's `math` package in the last bit.
    static func unary(_ name: String) -> ((Double) -> Double)? {
        switch name {
        case "abs": return { Swift.abs($0) }
        case "ceil": return { $0.rounded(.up) }
        case "floor": return { $0.rounded(.down) }
        case "exp": return { exp($0) }
        case "sqrt": return { $0.squareRoot() }
        case "ln": return { log($0) }
        case "log2": return { log2($0) }
        case "log10": return { log10($0) }
        case "sgn": return { v in v < 0 ? -1 : v > 0 ? 1 : v }
        case "deg": return { $0 * 180 / Double.pi }
        case "rad": return { $0 * Double.pi / 180 }
        case "acos": return { acos($0) }
        case "acosh": return { acosh($0) }
        case "asin": return { asin($0) }
        case "asinh": return { asinh($0) }
        case "atan": return { atan($0) }
        case "atanh": return { atanh($0) }
        case "cos": return { cos($0) }
        case "cosh": return { cosh($0) }
        case "sin": return { sin($0) }
        case "sinh": return { sinh($0) }
        case "tan": return { tan($0) }
        case "tanh": return { tanh($0) }
        default: return nil
        }
    }

    /// `f` applied to every sample; the results drop their metric name.
    static func map(_ vector: Vector, at time: Int64, _ f: (Double) -> Double) -> Vector {
        var out: Vector = []
        out.reserveCapacity(vector.count)
        for sample in vector {
            out.append(VectorSample(labels: sample.labels, timestamp: time, value: f(sample.value), dropName: true))
        }
        return out
    }

    /// `clamp(v, min, max)` (and `clamp_min`, `clamp_max` with an infinite other bound):
    /// empty when `min > max`; a NaN bound gives NaN values.
    static func clamp(_ vector: Vector, min lower: Double, max upper: Double, at time: Int64) -> Vector {
        if upper < lower { return [] }
        return map(vector, at: time) { FloatMath.goMax(lower, FloatMath.goMin(upper, $0)) }
    }

    /// `round(v, to_nearest)`: rounds half up to a multiple of `toNearest`, computed through
    /// its inverse as Prometheus does (`floor(v·(1/n) + 0.5) / (1/n)`).
    static func round(_ vector: Vector, toNearest: Double, at time: Int64) -> Vector {
        let inverse = 1.0 / toNearest
        return map(vector, at: time) { ($0 * inverse + 0.5).rounded(.down) / inverse }
    }
}
