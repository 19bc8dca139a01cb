/// A failure inside a template function: the text after `error calling NAME: `.
struct FunctionError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// What template functions may consult during one expansion.
struct FunctionContext {
    var environment: TemplateEnvironment
}

/// A function callable from a template, with its Go signature as far as argument
/// conversion and counting need it.
struct TemplateFunction: Sendable {
    var params: [ParamType]
    /// The element type of a final `...` parameter.
    var variadic: ParamType?
    var isBuiltin = false
    var body: @Sendable ([GoValue], FunctionContext) throws(FunctionError) -> GoValue

    /// Go's `typ.NumIn()`.
    var numIn: Int { params.count + (variadic == nil ? 0 : 1) }
}

/// text/template's predefined functions (`funcs.go`): `and`, `or`, `not`, `len`, `index`,
/// `slice`, `print`, `printf`, `println`, `html`, `js`, `urlquery`, `call`, and the comparisons.
enum Builtins {
    static let table: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [:]
        func add(_ name: String, _ params: [ParamType], _ variadic: ParamType? = nil,
                 _ body: @escaping @Sendable ([GoValue], FunctionContext) throws(FunctionError) -> GoValue) {
            t[name] = TemplateFunction(params: params, variadic: variadic, isBuiltin: true, body: body)
        }
        // and/or are evaluated lazily by the executor; these bodies are not used.
        add("and", [.value], .value) { args, _ in args.last ?? .invalid }
        add("or", [.value], .value) { args, _ in args.last ?? .invalid }
        add("call", [.value], .value) { args, _ throws(FunctionError) in try call(args) }
        add("html", [], .any) { args, _ in .string(htmlEscape(evalArgs(args))) }
        add("index", [.value], .value) { args, _ throws(FunctionError) in try index(args[0], Array(args.dropFirst())) }
        add("slice", [.value], .value) { args, _ throws(FunctionError) in try slice(args[0], Array(args.dropFirst())) }
        add("js", [], .any) { args, _ in .string(jsEscape(evalArgs(args))) }
        add("len", [.value]) { args, _ throws(FunctionError) in try length(args[0]) }
        add("not", [.value]) { args, _ in .bool(!(args[0].unboxed.truth ?? false)) }
        add("print", [], .any) { args, _ in .string(GoPrinter.sprint(args.map(GoPrinter.arg))) }
        add("printf", [.string], .any) { args, _ in
            guard case .string(let format) = args[0] else { return .string("") }
            return .string(GoPrinter.sprintf(format, args.dropFirst().map(GoPrinter.arg)))
        }
        add("println", [], .any) { args, _ in .string(GoPrinter.sprintln(args.map(GoPrinter.arg))) }
        add("urlquery", [], .any) { args, _ in .string(URLEscaping.queryEscape(evalArgs(args))) }
        add("eq", [.value], .value) { args, _ throws(FunctionError) in .bool(try eq(args[0], Array(args.dropFirst()))) }
        add("ne", [.value, .value]) { args, _ throws(FunctionError) in .bool(!(try eq(args[0], [args[1]]))) }
        add("lt", [.value, .value]) { args, _ throws(FunctionError) in .bool(try lt(args[0], args[1])) }
        add("le", [.value, .value]) { args, _ throws(FunctionError) in .bool(try le(args[0], args[1])) }
        add("gt", [.value, .value]) { args, _ throws(FunctionError) in .bool(!(try le(args[0], args[1]))) }
        add("ge", [.value, .value]) { args, _ throws(FunctionError) in .bool(!(try lt(args[0], args[1]))) }
        return t
    }()

    /// Go's `evalArgs`: `fmt.Sprint` of the arguments, pointers followed.
    static func evalArgs(_ args: [GoValue]) -> String {
        if args.count == 1, case .string(let s) = args[0].unboxed { return s }
        return GoPrinter.sprint(args.map(GoPrinter.printable))
    }

    // MARK: Comparison

    private enum BasicKind: Equatable { case invalid, bool, complex, int, float, string, uint }

    private static func basicKind(_ v: GoValue) -> BasicKind {
        switch v {
        case .bool: .bool
        case .int, .int64, .month, .weekday: .int
        case .uint8: .uint
        case .float: .float
        case .complex: .complex
        case .string, .html: .string
        case .duration(_, false): .int
        default: .invalid
        }
    }

    private static func intValue(_ v: GoValue) -> Int64 { v.signedInteger ?? 0 }

    private static func stringValue(_ v: GoValue) -> String {
        switch v {
        case .string(let s), .html(let s): s
        default: ""
        }
    }

    private static func incompatible(_ a: GoValue, _ b: GoValue) -> FunctionError {
        FunctionError("incompatible types for comparison: \(a.typeName) and \(b.typeName)")
    }
    private static let badComparisonType = FunctionError("invalid type for comparison")

    /// `eq arg1 arg2...`: arg1 == arg2 || arg1 == arg3 …
    static func eq(_ a: GoValue, _ rest: [GoValue]) throws(FunctionError) -> Bool {
        let arg1 = a.unboxed
        guard !rest.isEmpty else { throw FunctionError("missing argument for comparison") }
        let k1 = basicKind(arg1)
        for r in rest {
            let arg = r.unboxed
            let k2 = basicKind(arg)
            var truth = false
            if k1 != k2 {
                if k1 == .int && k2 == .uint {
                    truth = intValue(arg1) >= 0 && UInt64(intValue(arg1)) == uintValue(arg)
                } else if k1 == .uint && k2 == .int {
                    truth = intValue(arg) >= 0 && uintValue(arg1) == UInt64(intValue(arg))
                } else if arg1.isValid && arg.isValid {
                    throw incompatible(arg1, arg)
                }
            } else {
                switch k1 {
                case .bool:
                    if case .bool(let x) = arg1, case .bool(let y) = arg { truth = x == y }
                case .complex:
                    if case .complex(let r1, let i1) = arg1, case .complex(let r2, let i2) = arg { truth = r1 == r2 && i1 == i2 }
                case .float:
                    if case .float(let x) = arg1, case .float(let y) = arg { truth = x == y }
                case .int:
                    truth = intValue(arg1) == intValue(arg)
                case .string:
                    truth = stringValue(arg1) == stringValue(arg)
                case .uint:
                    truth = uintValue(arg1) == uintValue(arg)
                case .invalid:
                    truth = try compareOther(arg1, arg)
                }
            }
            if truth { return true }
        }
        return false
    }

    private static func uintValue(_ v: GoValue) -> UInt64 {
        if case .uint8(let u) = v { return UInt64(u) }
        return 0
    }

    /// Go's reflect kind of a non-basic value, as `eq` distinguishes them.
    private enum OtherKind: Equatable { case invalid, map, slice, pointer, structure, other }

    private static func otherKind(_ v: GoValue) -> OtherKind {
        switch v {
        case .invalid: .invalid
        case .labels, .anyMap: .map
        case .samples: .slice
        case .sample, .time(_, true), .duration(_, true): .pointer
        case .data, .time(_, false): .structure
        default: .other
        }
    }

    private static func show(_ verb: String, _ v: GoValue) -> String {
        GoPrinter.sprintf(verb, [GoPrinter.arg(v)])
    }

    /// `eq` on values that are not basic kinds: nil against nil, comparable types by value.
    private static func compareOther(_ a: GoValue, _ b: GoValue) throws(FunctionError) -> Bool {
        let k1 = otherKind(a), k2 = otherKind(b)
        if k1 != k2 && k1 != .invalid && k2 != .invalid {
            throw FunctionError("non-comparable types \(show("%s", a)): \(a.typeName), \(b.typeName): \(show("%v", b))")
        }
        func isNil(_ v: GoValue) -> Bool {
            switch v {
            case .invalid, .sample(nil): true
            default: false
            }
        }
        if isNil(a) || isNil(b) { return isNil(a) == isNil(b) }
        switch b {
        case .labels, .anyMap, .samples, .data:
            throw FunctionError("non-comparable type \(show("%s", b)): \(b.typeName)")
        default:
            break
        }
        if case .time(let x, false) = a, case .time(let y, false) = b { return x == y }
        return false // distinct pointers
    }

    static func lt(_ a: GoValue, _ b: GoValue) throws(FunctionError) -> Bool {
        let arg1 = a.unboxed, arg2 = b.unboxed
        let k1 = basicKind(arg1)
        guard k1 != .invalid else { throw badComparisonType }
        let k2 = basicKind(arg2)
        guard k2 != .invalid else { throw badComparisonType }
        if k1 != k2 {
            if k1 == .int && k2 == .uint {
                return intValue(arg1) < 0 || UInt64(intValue(arg1)) < uintValue(arg2)
            }
            if k1 == .uint && k2 == .int {
                return intValue(arg2) >= 0 && uintValue(arg1) < UInt64(intValue(arg2))
            }
            throw incompatible(arg1, arg2)
        }
        switch k1 {
        case .bool, .complex, .invalid:
            throw badComparisonType
        case .float:
            if case .float(let x) = arg1, case .float(let y) = arg2 { return x < y }
            return false
        case .int:
            return intValue(arg1) < intValue(arg2)
        case .string:
            return GoStringOrder.less(stringValue(arg1), stringValue(arg2))
        case .uint:
            return uintValue(arg1) < uintValue(arg2)
        }
    }

    static func le(_ a: GoValue, _ b: GoValue) throws(FunctionError) -> Bool {
        if try lt(a, b) { return true }
        return try eq(a, [b])
    }

    // MARK: Indexing and length

    static func length(_ v: GoValue) throws(FunctionError) -> GoValue {
        switch v.unboxed {
        case .string(let s), .html(let s): return .int(s.utf8.count)
        case .labels(let m): return .int(m.count)
        case .anyMap(let m): return .int(m.count)
        case .samples(let s): return .int(s.count)
        case .sample(nil): throw FunctionError("len of nil pointer")
        case .invalid:
            if case .boxed = v { throw FunctionError("len of type interface {}") }
            throw FunctionError("reflect: call of reflect.Value.Type on zero Value")
        case let u:
            if case .sample(let s?) = u { throw FunctionError("len of type \(GoValue.sample(s).typeName.dropFirst())") }
            throw FunctionError("len of type \(u.typeName)")
        }
    }

    private static func indexArgument(_ v: GoValue, _ cap: Int) throws(FunctionError) -> Int {
        var x: Int64 = 0
        switch v.unboxed {
        case let u where u.signedInteger != nil: x = u.signedInteger!
        case .uint8(let u): x = Int64(u)
        case .invalid: throw FunctionError("cannot index slice/array with nil")
        case let u: throw FunctionError("cannot index slice/array with type \(u.typeName)")
        }
        if x < 0 || x > Int64(cap) { throw FunctionError("index out of range: \(x)") }
        return Int(x)
    }

    private static func mapKey(_ v: GoValue) throws(FunctionError) -> String {
        switch v.unboxed {
        case .string(let s): return s
        case .invalid: throw FunctionError("value is nil; should be of type string")
        case let u: throw FunctionError("value has type \(u.typeName); should be string")
        }
    }

    static func index(_ item: GoValue, _ indexes: [GoValue]) throws(FunctionError) -> GoValue {
        var v = item.unboxed
        guard v.isValid else { throw FunctionError("index of untyped nil") }
        for i in indexes {
            switch v {
            case .sample(nil):
                throw FunctionError("index of nil pointer")
            case .string(let s):
                let bytes = Array(s.utf8)
                let x = try indexArgument(i, bytes.count)
                if x == bytes.count { throw FunctionError("reflect: string index out of range") }
                v = .uint8(bytes[x])
            case .samples(let list):
                let x = try indexArgument(i, list.count)
                if x == list.count { throw FunctionError("reflect: slice index out of range") }
                v = .sample(list[x])
            case .labels(let m):
                v = .string(m[try mapKey(i)] ?? "")
            case .anyMap(let m):
                v = .boxed(m[try mapKey(i)] ?? .invalid)
            case .boxed(let inner):
                // An interface element: index what it holds.
                guard inner.isValid else { throw FunctionError("index of nil pointer") }
                v = inner
                v = try index(v, [i])
            case .sample(let s?):
                throw FunctionError("can't index item of type \(GoValue.sample(s).typeName.dropFirst())")
            default:
                throw FunctionError("can't index item of type \(v.typeName)")
            }
        }
        return v
    }

    static func slice(_ item: GoValue, _ indexes: [GoValue]) throws(FunctionError) -> GoValue {
        let v = item.unboxed
        guard v.isValid else { throw FunctionError("slice of untyped nil") }
        if indexes.count > 3 { throw FunctionError("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch v {
        case .string(let s):
            if indexes.count == 3 { throw FunctionError("cannot 3-index slice a string") }
            count = s.utf8.count
        case .samples(let l): count = l.count
        default: throw FunctionError("can't slice item of type \(v.typeName)")
        }
        var idx = [0, count]
        for (k, i) in indexes.enumerated() {
            let x = try indexArgument(i, count)
            if k < 2 { idx[k] = x } else { idx.append(x) }
        }
        if idx[0] > idx[1] { throw FunctionError("invalid slice index: \(idx[0]) > \(idx[1])") }
        if idx.count == 3 && idx[1] > idx[2] { throw FunctionError("invalid slice index: \(idx[1]) > \(idx[2])") }
        switch v {
        case .string(let s):
            return .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self))
        case .samples(let l):
            return .samples(Array(l[idx[0]..<idx[1]]))
        default:
            return v
        }
    }

    private static func call(_ args: [GoValue]) throws(FunctionError) -> GoValue {
        let fn = args[0].unboxed
        guard fn.isValid else { throw FunctionError("call of nil") }
        throw FunctionError("non-function of type \(fn.typeName)")
    }

    // MARK: Escaping

    /// Go's `HTMLEscapeString` (NUL becomes U+FFFD).
    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\0": out += "\u{FFFD}"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Go's `JSEscapeString`.
    static func jsEscape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + GoQuote.hex(scalar.value, 2).uppercased()
                } else if scalar.value < 0x80 || GoUnicode.isPrint(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\\u" + GoQuote.hex(scalar.value, 4).uppercased()
                }
            }
        }
        return out
    }
}

/// Go's `net/url` escaping.
enum URLEscaping {
    /// `url.QueryEscape`: unreserved characters kept, space as `+`, the rest `%XX`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + GoQuote.hex(UInt32(b), 2).uppercased()
            }
        }
        return out
    }
}
