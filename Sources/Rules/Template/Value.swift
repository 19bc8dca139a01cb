/// A dynamically typed value as a Prometheus template sees it: the Go values behind
/// `reflect.Value` that text/template handles, restricted to the types Prometheus's data and
/// functions produce.
indirect enum GoValue: Sendable {
    /// No value (Go's invalid `reflect.Value`): a nil interface dug out of a pipeline.
    case invalid
    case string(String)
    /// `html/template.HTML` from `safeHtml`: a string kind with its own type.
    case html(String)
    case int(Int)
    /// `int64` (from methods such as `Unix`).
    case int64(Int64)
    /// `time.Month` and `time.Weekday` (integers that print as names).
    case month(Int)
    case weekday(Int)
    /// A byte, from indexing a string.
    case uint8(UInt8)
    case float(Double)
    case complex(Double, Double)
    case bool(Bool)
    /// `map[string]string` (labels).
    case labels([String: String])
    /// `map[string]interface{}` (the result of `args`).
    case anyMap([String: GoValue])
    /// Prometheus's `queryResult` (`[]*sample`).
    case samples([TemplateSample])
    /// `*sample`; nil is a nil pointer.
    case sample(TemplateSample?)
    /// A time in ns since the epoch (UTC); `pointer` for `*time.Time` (from `toTime`).
    case time(nanoseconds: Int64, pointer: Bool)
    /// A `time.Duration` in ns; `pointer` for `*time.Duration` (from `toDuration`).
    case duration(nanoseconds: Int64, pointer: Bool)
    /// The alert template data struct (`.Labels`, `.ExternalLabels`, `.ExternalURL`, `.Value`).
    case data(TemplateData)
    /// A value held in an `interface{}`-typed place (struct field, map element, function
    /// result); `boxed(.invalid)` is a nil interface. Never nested.
    case boxed(GoValue)

    /// Wraps in an interface (no double wrapping).
    static func interface(_ v: GoValue) -> GoValue {
        if case .boxed = v { return v }
        return .boxed(v)
    }

    var isValid: Bool {
        if case .invalid = self { return false }
        return true
    }

    /// Go's `indirectInterface`: the concrete value inside an interface.
    var unboxed: GoValue {
        if case .boxed(let inner) = self { return inner }
        return self
    }

    /// The value of a signed integer kind (`int`, `int64`, `time.Duration`, `time.Month`, …).
    var signedInteger: Int64? {
        switch self {
        case .int(let i): Int64(i)
        case .int64(let i): i
        case .month(let i), .weekday(let i): Int64(i)
        case .duration(let ns, false): ns
        default: nil
        }
    }

    /// Whether this is an interface-kind value (Go's `Kind() == reflect.Interface`).
    var isBoxed: Bool {
        if case .boxed = self { return true }
        return false
    }

    /// Go's `reflect.Type.String()` of the static type.
    var typeName: String {
        switch self {
        case .invalid: return "<nil>"
        case .string: return "string"
        case .html: return "template.HTML"
        case .int: return "int"
        case .int64: return "int64"
        case .month: return "time.Month"
        case .weekday: return "time.Weekday"
        case .uint8: return "uint8"
        case .float: return "float64"
        case .complex: return "complex128"
        case .bool: return "bool"
        case .labels: return "map[string]string"
        case .anyMap: return "map[string]interface {}"
        case .samples: return "template.queryResult"
        case .sample: return "*template.sample"
        case .time(_, let pointer): return pointer ? "*time.Time" : "time.Time"
        case .duration(_, let pointer): return pointer ? "*time.Duration" : "time.Duration"
        case .data: return "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }"
        case .boxed: return "interface {}"
        }
    }

    /// Go's `isTrue`: the truth of a value in `if`, `with`, `and`, `or`, `not`
    /// (nil for values without a truth value).
    var truth: Bool? {
        switch self {
        case .invalid: return false
        case .string(let s), .html(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .int64(let i): return i != 0
        case .month(let i), .weekday(let i): return i != 0
        case .uint8(let u): return u != 0
        case .float(let f): return f != 0
        case .complex(let re, let im): return re != 0 || im != 0
        case .bool(let b): return b
        case .labels(let m): return !m.isEmpty
        case .anyMap(let m): return !m.isEmpty
        case .samples(let s): return !s.isEmpty
        case .sample(let s): return s != nil
        case .time: return true // a struct, or a non-nil pointer
        case .duration(let ns, let pointer): return pointer ? true : ns != 0
        case .data: return true
        case .boxed(let inner): return inner.isValid // non-nil interface
        }
    }
}

/// Parameter types of template functions, as far as argument checking needs them.
enum ParamType: Sendable, Equatable {
    case string
    /// `interface{}`.
    case any
    /// `reflect.Value` (the builtins): any value, passed as is.
    case value
    /// `queryResult`.
    case samples
    /// `*sample`.
    case sample

    var goName: String {
        switch self {
        case .string: "string"
        case .any: "interface {}"
        case .value: "reflect.Value"
        case .samples: "template.queryResult"
        case .sample: "*template.sample"
        }
    }

    /// Go's `canBeNil`.
    var canBeNil: Bool { self != .string }

    /// `reflect.Zero` of the type.
    var zero: GoValue {
        switch self {
        case .string: .string("")
        case .any, .value: .invalid
        case .samples: .samples([])
        case .sample: .sample(nil)
        }
    }

    /// Whether a (non-interface) value is assignable to the type.
    func accepts(_ v: GoValue) -> Bool {
        switch (self, v) {
        case (.any, _), (.value, _): true
        case (.string, .string): true
        case (.samples, .samples): true
        case (.sample, .sample): true
        default: false
        }
    }
}
