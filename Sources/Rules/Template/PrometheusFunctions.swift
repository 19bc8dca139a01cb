#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prometheus 3's template function map (`template/template.go`), on top of text/template's builtins.
enum PrometheusFunctions {
    static let table: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [:]
        func add(_ name: String, _ params: [ParamType], _ variadic: ParamType? = nil,
                 _ body: @escaping @Sendable ([GoValue], FunctionContext) throws(FunctionError) -> GoValue) {
            t[name] = TemplateFunction(params: params, variadic: variadic, isBuiltin: false, body: body)
        }
        @Sendable func string(_ v: GoValue) -> String {
            if case .string(let s) = v { return s }
            return ""
        }
        @Sendable func sample(_ v: GoValue) throws(FunctionError) -> TemplateSample {
            guard case .sample(let s?) = v else {
                throw FunctionError("runtime error: invalid memory address or nil pointer dereference")
            }
            return s
        }

        add("query", [.string]) { args, ctx throws(FunctionError) in
            do {
                return .samples(try ctx.environment.query(string(args[0]), ctx.environment.time))
            } catch {
                throw FunctionError(String(describing: error))
            }
        }
        add("first", [.samples]) { args, _ throws(FunctionError) in
            guard case .samples(let list) = args[0], let s = list.first else {
                throw FunctionError("first() called on vector with no elements")
            }
            return .sample(s)
        }
        add("label", [.string, .sample]) { args, _ throws(FunctionError) in
            .string(try sample(args[1]).labels[string(args[0])] ?? "")
        }
        add("value", [.sample]) { args, _ throws(FunctionError) in .boxed(.float(try sample(args[0]).value)) }
        add("strvalue", [.sample]) { args, _ throws(FunctionError) in .string(try sample(args[0]).labels["__value__"] ?? "") }
        add("args", [], .any) { args, _ in
            var m: [String: GoValue] = [:]
            for (i, a) in args.enumerated() { m["arg\(i)"] = a.unboxed }
            return .anyMap(m)
        }
        add("reReplaceAll", [.string, .string, .string]) { args, _ throws(FunctionError) in
            let pattern = string(args[0])
            let re: GoRegexp
            do throws(GoRegexp.CompileError) {
                re = try GoRegexp(pattern)
            } catch {
                throw FunctionError(GoRegexp.mustCompileMessage(pattern, error))
            }
            return .string(re.replaceAll(in: string(args[2]), with: string(args[1])))
        }
        add("safeHtml", [.string]) { args, _ in .html(string(args[0])) }
        add("match", [.string, .string]) { args, _ throws(FunctionError) in
            do throws(GoRegexp.CompileError) {
                return .bool(try GoRegexp(string(args[0])).matches(string(args[1])))
            } catch {
                throw FunctionError(error.message)
            }
        }
        add("title", [.string]) { args, _ in .string(TextFunctions.title(string(args[0]))) }
        add("toUpper", [.string]) { args, _ in .string(TextFunctions.upper(string(args[0]))) }
        add("toLower", [.string]) { args, _ in .string(TextFunctions.lower(string(args[0]))) }
        add("graphLink", [.string]) { args, _ in
            .string("/graph?g0.expr=" + URLEscaping.queryEscape(string(args[0])) + "&g0.tab=0")
        }
        add("tableLink", [.string]) { args, _ in
            .string("/graph?g0.expr=" + URLEscaping.queryEscape(string(args[0])) + "&g0.tab=1")
        }
        add("sortByLabel", [.string, .samples]) { args, _ in
            guard case .samples(let list) = args[1] else { return args[1] }
            let label = string(args[0])
            // A stable sort by the label's value, compared byte-wise as Go does.
            let sorted = list.enumerated().sorted { a, b in
                let x = a.element.labels[label] ?? "", y = b.element.labels[label] ?? ""
                if GoStringOrder.less(x, y) { return true }
                if GoStringOrder.less(y, x) { return false }
                return a.offset < b.offset
            }.map(\.element)
            return .samples(sorted)
        }
        add("stripPort", [.string]) { args, _ in
            let hostPort = string(args[0])
            guard let (host, _) = NetAddress.splitHostPort(hostPort) else { return .string(hostPort) }
            return .string(host)
        }
        add("stripDomain", [.string]) { args, _ in .string(NetAddress.stripDomain(string(args[0]))) }
        add("humanize", [.any]) { args, _ throws(FunctionError) in .string(try Humanize.humanize(args[0])) }
        add("humanize1024", [.any]) { args, _ throws(FunctionError) in .string(try Humanize.humanize1024(args[0])) }
        add("humanizeDuration", [.any]) { args, _ throws(FunctionError) in .string(try Humanize.humanizeDuration(args[0])) }
        add("humanizePercentage", [.any]) { args, _ throws(FunctionError) in .string(try Humanize.humanizePercentage(args[0])) }
        add("humanizeTimestamp", [.any]) { args, _ throws(FunctionError) in .string(try Humanize.humanizeTimestamp(args[0])) }
        add("toTime", [.any]) { args, _ throws(FunctionError) in
            let v = try Humanize.convertToFloat(args[0])
            return .time(nanoseconds: try Humanize.timestampNanoseconds(v), pointer: true)
        }
        add("toDuration", [.any]) { args, _ throws(FunctionError) in
            let v = try Humanize.convertToFloat(args[0])
            return .duration(nanoseconds: try Humanize.durationNanoseconds(v), pointer: false)
        }
        add("now", []) { _, ctx in .float(Double(ctx.environment.time) / 1000) }
        add("pathPrefix", []) { _, ctx in .string(ExternalURL.path(ctx.environment.externalURL)) }
        add("externalURL", []) { _, ctx in .string(ctx.environment.externalURL) }
        add("parseDuration", [.string]) { args, _ throws(FunctionError) in
            let ns = try PrometheusDuration.parse(string(args[0]), allowNegative: true)
            return .float(Double(ns) / 1e9)
        }
        return t
    }()
}

/// `strings.ToUpper`, `strings.ToLower` and `cases.Title(language.AmericanEnglish, cases.NoLower)`.
enum TextFunctions {
    static func upper(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars { out.unicodeScalars.append(GoUnicode.toUpper(c)) }
        return out
    }

    static func lower(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars { out.unicodeScalars.append(GoUnicode.toLower(c)) }
        return out
    }

    /// Characters inside words that do not end them (Unicode MidLetter / MidNumLet / Single_Quote).
    private static func isMid(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07,
             0xFF0E, 0xFF1A:
            return true
        default:
            return false
        }
    }

    private static func isBreak(_ c: Unicode.Scalar) -> Bool {
        if c == "_" || isMid(c) { return false }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber, .format:
            return false
        default:
            return true
        }
    }

    /// Title-cases the first cased letter of each word, leaving the rest unchanged.
    static func title(_ s: String) -> String {
        var out = ""
        var midWord = false
        var previousWasMid = false
        for c in s.unicodeScalars {
            if previousWasMid && isMid(c) { midWord = false }
            if c.properties.isCased {
                if !midWord {
                    out += c.properties.titlecaseMapping
                    midWord = true
                } else {
                    out.unicodeScalars.append(c)
                }
            } else {
                out.unicodeScalars.append(c)
                if isBreak(c) { midWord = false }
            }
            previousWasMid = isMid(c)
        }
        return out
    }
}

/// Go's `net.SplitHostPort`, `net.JoinHostPort` and `net.ParseIP` as `stripPort`/`stripDomain` use them.
enum NetAddress {
    static func splitHostPort(_ hostPort: String) -> (String, String)? {
        let b = Array(hostPort.utf8)
        guard let i = b.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        var host: [UInt8]
        var j = 0, k = 0
        if b.first == UInt8(ascii: "[") {
            guard let end = b.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            if end + 1 == b.count { return nil }
            if end + 1 != i { return nil }
            host = Array(b[1..<end])
            j = 1
            k = end + 1
        } else {
            host = Array(b[0..<i])
            if host.contains(UInt8(ascii: ":")) { return nil }
        }
        if b[j...].contains(UInt8(ascii: "[")) { return nil }
        if b[k...].contains(UInt8(ascii: "]")) { return nil }
        return (String(decoding: host, as: UTF8.self), String(decoding: b[(i + 1)...], as: UTF8.self))
    }

    static func joinHostPort(_ host: String, _ port: String) -> String {
        host.contains(":") ? "[" + host + "]:" + port : host + ":" + port
    }

    static func isIP(_ s: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        if s.withCString({ inet_pton(AF_INET, $0, &v4) }) == 1 { return true }
        if s.contains("%") { return false }
        return s.withCString({ inet_pton(AF_INET6, $0, &v6) }) == 1
    }

    static func stripDomain(_ hostPort: String) -> String {
        var host = hostPort
        var port = ""
        if let (h, p) = splitHostPort(hostPort) {
            host = h
            port = p
        }
        if isIP(host) { return hostPort }
        host = String(host.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if !port.isEmpty { return joinHostPort(host, port) }
        return host
    }
}

/// The path of an external URL (`url.URL.Path`): after the authority, before `?` or `#`.
enum ExternalURL {
    static func path(_ url: String) -> String {
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        if let scheme = rest.firstRange(ofText: "://") {
            rest = rest[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return "" }
            rest = rest[slash...]
        }
        return percentDecode(String(rest))
    }

    private static func percentDecode(_ s: String) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let v = UInt8(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func firstRange(ofText needle: String) -> Range<Substring.Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) {
                return i..<index(i, offsetBy: needle.count)
            }
            i = index(after: i)
        }
        return nil
    }
}

/// `model.ParseDuration` (Prometheus durations: `1y2w3d4h5m6s7ms`, `0`), optionally with a sign.
enum PrometheusDuration {
    static func parse(_ s: String, allowNegative: Bool) throws(FunctionError) -> Int64 {
        if allowNegative, s.hasPrefix("-") {
            return -(try parse(String(s.dropFirst()), allowNegative: false))
        }
        if s == "0" { return 0 }
        if s.isEmpty { throw FunctionError("empty duration string") }
        let units: [(String, UInt64, Int)] = [
            ("y", 365 * 24 * 3600 * 1_000_000_000, 1), ("w", 7 * 24 * 3600 * 1_000_000_000, 2),
            ("d", 24 * 3600 * 1_000_000_000, 3), ("h", 3600 * 1_000_000_000, 4), ("m", 60 * 1_000_000_000, 5),
            ("s", 1_000_000_000, 6), ("ms", 1_000_000, 7),
        ]
        let invalid = FunctionError("not a valid duration string: \(GoQuote.quote(s))")
        let b = Array(s.utf8)
        var i = 0
        var total: UInt64 = 0
        var lastUnit = 0
        while i < b.count {
            guard b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") else { throw invalid }
            let start = i
            while i < b.count && b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") { i += 1 }
            guard let v = UInt64(String(decoding: b[start..<i], as: UTF8.self)) else { throw invalid }
            let unitStart = i
            while i < b.count && !(b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9")) { i += 1 }
            guard i > unitStart else { throw invalid }
            let u = String(decoding: b[unitStart..<i], as: UTF8.self)
            guard let unit = units.first(where: { $0.0 == u }) else {
                throw FunctionError("unknown unit \(GoQuote.quote(u)) in duration \(GoQuote.quote(s))")
            }
            guard unit.2 > lastUnit else { throw invalid }
            lastUnit = unit.2
            if v > (1 << 63) / unit.1 { throw FunctionError("duration out of range") }
            total += v * unit.1
            if total > UInt64(Int64.max) { throw FunctionError("duration out of range") }
        }
        return Int64(total)
    }
}
