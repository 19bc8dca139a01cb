/// A PromQL function: its name and signature, as in Prometheus 3's function table.
public struct Function: Sendable, Hashable {
    public let name: String
    public let argTypes: [ValueType]
    /// 0: exactly `argTypes`; n > 0: up to n of the last argument type may be left out;
    /// -1: the last argument type may repeat any number of times (at least once unless
    /// `argTypes` says otherwise).
    public let variadic: Int
    public let returnType: ValueType
    /// Needs the experimental-functions flag in Prometheus (`--enable-feature=promql-experimental-functions`).
    public let isExperimental: Bool

    public init(_ name: String, _ argTypes: [ValueType], variadic: Int = 0, returns returnType: ValueType = .vector, experimental: Bool = false) {
        self.name = name
        self.argTypes = argTypes
        self.variadic = variadic
        self.returnType = returnType
        self.isExperimental = experimental
    }

    /// The function called `name`, when there is one.
    public static func named(_ name: String) -> Function? { table[name] }

    /// Every function, by name.
    public static let table: [String: Function] = {
        var table: [String: Function] = [:]
        for function in all { table[function.name] = function }
        return table
    }()

    /// Every function, in name order.
    public static let all: [Function] = {
        let v = ValueType.vector, m = ValueType.matrix, s = ValueType.scalar, str = ValueType.string
        var list: [Function] = []
        // Element-wise math on instant vectors.
        for name in [
            "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad",
            "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
            "absent", "sort", "sort_desc", "timestamp",
            "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev", "histogram_stdvar",
        ] {
            list.append(Function(name, [v]))
        }
        // Functions over one range vector.
        for name in [
            "absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv",
            "idelta", "increase", "irate", "last_over_time", "max_over_time", "min_over_time",
            "present_over_time", "rate", "resets", "stddev_over_time", "stdvar_over_time", "sum_over_time",
            "first_over_time",
        ] {
            list.append(Function(name, [m]))
        }
        for name in ["mad_over_time", "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time"] {
            list.append(Function(name, [m], experimental: true))
        }
        // Date functions: an optional vector of timestamps (default: vector(time())).
        for name in ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"] {
            list.append(Function(name, [v], variadic: 1))
        }
        list += [
            Function("clamp", [v, s, s]),
            Function("clamp_max", [v, s]),
            Function("clamp_min", [v, s]),
            Function("round", [v, s], variadic: 1),
            Function("histogram_fraction", [s, s, v]),
            Function("histogram_quantile", [s, v]),
            Function("histogram_quantiles", [v, str, s], variadic: -1, experimental: true),
            Function("double_exponential_smoothing", [m, s, s], experimental: true),
            Function("info", [v, v], variadic: 1, experimental: true),
            Function("label_replace", [v, str, str, str, str]),
            Function("label_join", [v, str, str, str], variadic: -1),
            Function("pi", [], returns: s),
            Function("time", [], returns: s),
            Function("predict_linear", [m, s]),
            Function("quantile_over_time", [s, m]),
            Function("scalar", [v], returns: s),
            Function("vector", [s]),
            Function("sort_by_label", [v, str], variadic: -1, experimental: true),
            Function("sort_by_label_desc", [v, str], variadic: -1, experimental: true),
            // Prometheus 3's experimental query-parameter functions.
            Function("start", [], returns: s, experimental: true),
            Function("end", [], returns: s, experimental: true),
            Function("range", [], returns: s, experimental: true),
            Function("step", [], returns: s, experimental: true),
            // Prometheus 3's experimental scalar min/max (also the duration-expression functions).
            Function("min_of", [s, s], returns: s, experimental: true),
            Function("max_of", [s, s], returns: s, experimental: true),
        ]
        return list.sorted { $0.name < $1.name }
    }()

    public static func == (a: Function, b: Function) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
