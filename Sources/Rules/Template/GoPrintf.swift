#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Model

/// Go's `fmt` printing (`Sprint`, `Sprintln`, `Sprintf`) for template values: verbs, flags,
/// width and precision, `%!verb(type=value)` for mismatches, `%!(EXTRA …)` and
/// `%!verb(MISSING)`, maps printed with sorted keys.
struct GoPrinter {
    private var buf = ""

    // Flags of the verb being formatted.
    private var plus = false
    private var minus = false
    private var sharp = false
    private var space = false
    private var zero = false
    private var plusV = false
    private var sharpV = false
    private var wid = 0
    private var widPresent = false
    private var prec = 0
    private var precPresent = false
    private var erroring = false

    /// A value as `fmt` receives it: the dynamic value of an `interface{}` argument.
    enum Arg {
        case null
        case value(GoValue)
        /// A `sample` struct (what a `*sample` becomes when the template prints it).
        case sampleStruct(TemplateSample)
    }

    // MARK: Entry points

    /// `fmt.Sprint`.
    static func sprint(_ args: [Arg]) -> String {
        var p = GoPrinter()
        var prevString = false
        for (i, arg) in args.enumerated() {
            let isString = GoPrinter.isStringKind(arg)
            if i > 0 && !isString && !prevString { p.buf += " " }
            p.printArg(arg, "v")
            prevString = isString
        }
        return p.buf
    }

    /// `fmt.Sprintln`.
    static func sprintln(_ args: [Arg]) -> String {
        var p = GoPrinter()
        for (i, arg) in args.enumerated() {
            if i > 0 { p.buf += " " }
            p.printArg(arg, "v")
        }
        return p.buf + "\n"
    }

    /// `fmt.Sprintf`.
    static func sprintf(_ format: String, _ args: [Arg]) -> String {
        var p = GoPrinter()
        p.doPrintf(Array(format.unicodeScalars), args)
        return p.buf
    }

    /// The argument for a template value passed to an `interface{}` parameter.
    static func arg(_ v: GoValue) -> Arg {
        let u = v.unboxed
        if case .invalid = u { return .null }
        return .value(u)
    }

    /// Go's `printableValue`: pointers are followed (a `*sample` prints as its struct).
    static func printable(_ v: GoValue) -> Arg {
        switch v.unboxed {
        case .invalid: return .value(.string("<no value>"))
        case .sample(let s?): return .sampleStruct(s)
        case .time(let ns, _): return .value(.time(nanoseconds: ns, pointer: false))
        case .duration(let ns, _): return .value(.duration(nanoseconds: ns, pointer: false))
        case let u: return .value(u)
        }
    }

    /// `%v` of one value, as a template action prints it.
    static func printValue(_ v: GoValue) -> String {
        if case .invalid = v { return "<no value>" }
        return sprint([printable(v)])
    }

    private static func isStringKind(_ a: Arg) -> Bool {
        if case .value(let v) = a {
            switch v {
            case .string, .html: return true
            default: return false
            }
        }
        return false
    }

    private static func typeName(_ a: Arg) -> String {
        switch a {
        case .null: return "<nil>"
        case .value(let v): return v.typeName
        case .sampleStruct: return "template.sample"
        }
    }

    // MARK: Printf

    private mutating func clearFlags() {
        plus = false; minus = false; sharp = false; space = false; zero = false
        plusV = false; sharpV = false
        wid = 0; widPresent = false; prec = 0; precPresent = false
    }

    private mutating func doPrintf(_ format: [Unicode.Scalar], _ args: [Arg]) {
        let end = format.count
        var argNum = 0
        var afterIndex = false
        var reordered = false
        var i = 0
        formatLoop: while i < end {
            var goodArgNum = true
            let lasti = i
            while i < end && format[i] != "%" { i += 1 }
            if i > lasti { appendScalars(format[lasti..<i]) }
            if i >= end { break }
            i += 1 // skip %
            clearFlags()
            simpleFormat: while i < end {
                let c = format[i]
                switch c {
                case "#": sharp = true
                case "0": zero = !minus
                case "+": plus = true
                case "-":
                    minus = true
                    zero = false
                case " ": space = true
                default:
                    if c.value >= 0x61 && c.value <= 0x7A && argNum < args.count {
                        if c == "v" {
                            sharpV = sharp; sharp = false
                            plusV = plus; plus = false
                        }
                        printArg(args[argNum], c)
                        argNum += 1
                        i += 1
                        continue formatLoop
                    }
                    break simpleFormat
                }
                i += 1
            }

            // Argument index, width, precision.
            (argNum, i, afterIndex, goodArgNum, reordered) = argNumber(argNum, format, i, args.count, goodArgNum, reordered)
            if i < end && format[i] == "*" {
                i += 1
                (wid, widPresent, argNum) = intFromArg(args, argNum)
                if !widPresent { buf += "%!(BADWIDTH)" }
                if wid < 0 {
                    wid = -wid
                    minus = true
                    zero = false
                }
                afterIndex = false
            } else {
                (wid, widPresent, i) = parseNumber(format, i, end)
                if afterIndex && widPresent { goodArgNum = false }
            }
            if i + 1 < end && format[i] == "." {
                i += 1
                if afterIndex { goodArgNum = false }
                (argNum, i, afterIndex, goodArgNum, reordered) = argNumber(argNum, format, i, args.count, goodArgNum, reordered)
                if i < end && format[i] == "*" {
                    i += 1
                    (prec, precPresent, argNum) = intFromArg(args, argNum)
                    if prec < 0 {
                        prec = 0
                        precPresent = false
                    }
                    if !precPresent { buf += "%!(BADPREC)" }
                    afterIndex = false
                } else {
                    (prec, precPresent, i) = parseNumber(format, i, end)
                    if !precPresent {
                        prec = 0
                        precPresent = true
                    }
                }
            }
            if !afterIndex {
                (argNum, i, afterIndex, goodArgNum, reordered) = argNumber(argNum, format, i, args.count, goodArgNum, reordered)
            }
            if i >= end {
                buf += "%!(NOVERB)"
                break
            }
            let verb = format[i]
            i += 1
            if verb == "%" {
                buf += "%"
            } else if !goodArgNum {
                buf += "%!" + String(Character(verb)) + "(BADINDEX)"
            } else if argNum >= args.count {
                buf += "%!" + String(Character(verb)) + "(MISSING)"
            } else {
                if verb == "v" {
                    sharpV = sharp; sharp = false
                    plusV = plus; plus = false
                }
                printArg(args[argNum], verb)
                argNum += 1
            }
        }
        if !reordered && argNum < args.count {
            clearFlags()
            buf += "%!(EXTRA "
            for (k, arg) in args[argNum...].enumerated() {
                if k > 0 { buf += ", " }
                if case .null = arg {
                    buf += "<nil>"
                } else {
                    buf += GoPrinter.typeName(arg) + "="
                    printArg(arg, "v")
                }
            }
            buf += ")"
        }
    }

    private mutating func appendScalars(_ s: ArraySlice<Unicode.Scalar>) {
        buf.unicodeScalars.append(contentsOf: s)
    }

    private func parseNumber(_ f: [Unicode.Scalar], _ start: Int, _ end: Int) -> (Int, Bool, Int) {
        var i = start
        var num = 0
        var isNum = false
        while i < end, f[i].value >= 0x30, f[i].value <= 0x39 {
            if num > 1_000_000 { return (0, false, end) }
            num = num * 10 + Int(f[i].value - 0x30)
            isNum = true
            i += 1
        }
        return (num, isNum, i)
    }

    private func argNumber(
        _ argNum: Int, _ f: [Unicode.Scalar], _ i: Int, _ numArgs: Int, _ good: Bool, _ reordered: Bool
    ) -> (Int, Int, Bool, Bool, Bool) {
        guard i < f.count, f[i] == "[" else { return (argNum, i, false, good, reordered) }
        // [n]: one-indexed.
        var width = 1
        var ok = false
        var index = 0
        if f.count - i >= 3 {
            var k = i + 1
            while k < f.count {
                if f[k] == "]" {
                    let (n, isNum, newi) = parseNumber(f, i + 1, k)
                    if !isNum || newi != k {
                        width = k - i + 1
                    } else {
                        index = n - 1
                        width = k - i + 1
                        ok = true
                    }
                    break
                }
                k += 1
            }
        }
        if ok && index >= 0 && index < numArgs { return (index, i + width, true, good, true) }
        return (argNum, i + width, ok, false, true)
    }

    private func intFromArg(_ args: [Arg], _ argNum: Int) -> (Int, Bool, Int) {
        guard argNum < args.count else { return (0, false, argNum) }
        var num = 0
        var isInt = false
        if case .value(let v) = args[argNum] {
            if let n = v.signedInteger {
                num = Int(n)
                isInt = true
            } else if case .uint8(let n) = v {
                num = Int(n)
                isInt = true
            }
        }
        if num > 1_000_000 || num < -1_000_000 {
            num = 0
            isInt = false
        }
        return (num, isInt, argNum + 1)
    }

    // MARK: Arguments

    private mutating func printArg(_ arg: Arg, _ verb: Unicode.Scalar) {
        switch arg {
        case .null:
            if verb == "T" || verb == "v" { padString("<nil>") } else { badVerb(verb, arg) }
            return
        case .sampleStruct(let s):
            if verb == "T" { fmtS("template.sample"); return }
            printSampleStruct(s, verb, depth: 0)
            return
        case .value(let v):
            if verb == "T" {
                fmtS(v.typeName)
                return
            }
            printValue(v, verb, depth: 0)
        }
    }

    private mutating func printValue(_ v: GoValue, _ verb: Unicode.Scalar, depth: Int) {
        switch v {
        case .invalid:
            if verb == "v" { buf += "<nil>" } else { badVerb(verb, .null) }
        case .boxed(let inner):
            if case .invalid = inner {
                buf += sharpV ? "interface {}(nil)" : "<nil>"
            } else {
                printValue(inner, verb, depth: depth + 1)
            }
        case .bool(let b):
            if verb == "t" || verb == "v" { padString(b ? "true" : "false") } else { badVerb(verb, .value(v)) }
        case .int(let n):
            fmtInteger(UInt64(bitPattern: Int64(n)), signed: true, verb, .value(v))
        case .int64(let n):
            fmtInteger(UInt64(bitPattern: n), signed: true, verb, .value(v))
        case .month(let n), .weekday(let n):
            if "vsxXq".unicodeScalars.contains(verb) && !sharpV {
                fmtString(GoTime.name(of: v), verb, .value(v))
            } else {
                fmtInteger(UInt64(bitPattern: Int64(n)), signed: true, verb, .value(v))
            }
        case .uint8(let n):
            fmtInteger(UInt64(n), signed: false, verb, .value(v))
        case .float(let f):
            fmtFloat(f, verb, .value(v))
        case .complex(let re, let im):
            fmtComplex(re, im, verb, .value(v))
        case .string(let s), .html(let s):
            fmtString(s, verb, .value(v))
        case .time(let ns, _):
            if "vsxXq".unicodeScalars.contains(verb) && !sharpV {
                fmtString(GoTime.format(nanoseconds: ns), verb, .value(v))
            } else {
                badVerb(verb, .value(v))
            }
        case .duration(let ns, _):
            if "vsxXq".unicodeScalars.contains(verb) && !sharpV {
                fmtString(GoTime.durationString(ns), verb, .value(v))
            } else {
                fmtInteger(UInt64(bitPattern: ns), signed: true, verb, .value(v))
            }
        case .labels(let m):
            printMap(m.keys.sorted(by: GoStringOrder.less).map { ($0, GoValue.string(m[$0]!)) }, typeName: v.typeName, verb, depth)
        case .anyMap(let m):
            printMap(m.keys.sorted(by: GoStringOrder.less).map { ($0, GoValue.interface(m[$0]!)) }, typeName: v.typeName, verb, depth)
        case .samples(let list):
            if sharpV {
                buf += v.typeName + "{"
                for (i, s) in list.enumerated() {
                    if i > 0 { buf += ", " }
                    printSamplePointer(s, verb, depth: depth + 1)
                }
                buf += "}"
            } else {
                buf += "["
                for (i, s) in list.enumerated() {
                    if i > 0 { buf += " " }
                    printSamplePointer(s, verb, depth: depth + 1)
                }
                buf += "]"
            }
        case .sample(let s):
            guard let s else {
                if verb == "v" || verb == "p" { padString(sharpV ? "(*template.sample)(nil)" : "<nil>") } else { badVerb(verb, .value(v)) }
                return
            }
            printSamplePointer(s, verb, depth: depth)
        case .data(let d):
            if sharpV { buf += v.typeName }
            buf += "{"
            let fields: [(String, GoValue)] = [
                ("Labels", .labels(d.labels)), ("ExternalLabels", .labels(d.externalLabels)),
                ("ExternalURL", .string(d.externalURL)), ("Value", .boxed(.float(d.value))),
            ]
            for (i, (name, value)) in fields.enumerated() {
                if i > 0 { buf += sharpV ? ", " : " " }
                if plusV || sharpV { buf += name + ":" }
                printValue(value, verb, depth: depth + 1)
            }
            buf += "}"
        }
    }

    /// A non-nil `*sample`: `&{…}` at the top level. (Go prints a nested pointer as its
    /// address; the struct is printed instead, which is the only useful deterministic choice.)
    private mutating func printSamplePointer(_ s: TemplateSample, _ verb: Unicode.Scalar, depth: Int) {
        buf += "&"
        printSampleStruct(s, verb, depth: depth + 1)
    }

    private mutating func printSampleStruct(_ s: TemplateSample, _ verb: Unicode.Scalar, depth: Int) {
        if sharpV { buf += "template.sample" }
        buf += "{"
        if plusV || sharpV { buf += "Labels:" }
        printValue(.labels(s.labels), verb, depth: depth + 1)
        buf += sharpV ? ", " : " "
        if plusV || sharpV { buf += "Value:" }
        printValue(.boxed(.float(s.value)), verb, depth: depth + 1)
        buf += "}"
    }

    private mutating func printMap(_ entries: [(String, GoValue)], typeName: String, _ verb: Unicode.Scalar, _ depth: Int) {
        buf += sharpV ? typeName + "{" : "map["
        for (i, (k, v)) in entries.enumerated() {
            if i > 0 { buf += sharpV ? ", " : " " }
            printValue(.string(k), verb, depth: depth + 1)
            buf += ":"
            printValue(v, verb, depth: depth + 1)
        }
        buf += sharpV ? "}" : "]"
    }

    private mutating func badVerb(_ verb: Unicode.Scalar, _ arg: Arg) {
        erroring = true
        buf += "%!" + String(Character(verb)) + "("
        switch arg {
        case .null:
            buf += "<nil>"
        default:
            buf += GoPrinter.typeName(arg) + "="
            printArg(arg, "v")
        }
        buf += ")"
        erroring = false
    }

    // MARK: Padding

    private mutating func writePadding(_ n: Int) {
        guard n > 0 else { return }
        buf += String(repeating: zero && !minus ? "0" : " ", count: n)
    }

    private mutating func pad(_ s: String) {
        guard widPresent && wid != 0 else {
            buf += s
            return
        }
        let width = wid - s.unicodeScalars.count
        if !minus {
            writePadding(width)
            buf += s
        } else {
            buf += s
            writePadding(width)
        }
    }

    private mutating func padString(_ s: String) { pad(s) }

    // MARK: Strings

    private func truncate(_ s: String) -> String {
        guard precPresent else { return s }
        let scalars = s.unicodeScalars
        guard scalars.count > prec else { return s }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars.prefix(prec))
        return out
    }

    private mutating func fmtS(_ s: String) { pad(truncate(s)) }

    private mutating func fmtQ(_ s: String) {
        let t = truncate(s)
        if sharp && GoQuote.canBackquote(t) {
            pad("`" + t + "`")
        } else if plus {
            pad(GoQuote.quoteASCII(t))
        } else {
            pad(GoQuote.quote(t))
        }
    }

    private mutating func fmtString(_ s: String, _ verb: Unicode.Scalar, _ arg: Arg) {
        switch verb {
        case "v": if sharpV { fmtQ(s) } else { fmtS(s) }
        case "s": fmtS(s)
        case "x": fmtSx(Array(s.utf8), upper: false)
        case "X": fmtSx(Array(s.utf8), upper: true)
        case "q": fmtQ(s)
        default: badVerb(verb, arg)
        }
    }

    private mutating func fmtSx(_ b: [UInt8], upper: Bool) {
        let digits = Array((upper ? "0123456789ABCDEFX" : "0123456789abcdefx").utf8)
        var length = b.count
        if precPresent && prec < length { length = prec }
        var width = 2 * length
        if width > 0 {
            if space {
                if sharp { width *= 2 }
                width += length - 1
            } else if sharp {
                width += 2
            }
        } else {
            if widPresent { writePadding(wid) }
            return
        }
        if widPresent && wid > width && !minus { writePadding(wid - width) }
        var out: [UInt8] = []
        if sharp { out += [UInt8(ascii: "0"), digits[16]] }
        for i in 0..<length {
            if space && i > 0 {
                out.append(UInt8(ascii: " "))
                if sharp { out += [UInt8(ascii: "0"), digits[16]] }
            }
            out.append(digits[Int(b[i] >> 4)])
            out.append(digits[Int(b[i] & 0xF)])
        }
        buf += String(decoding: out, as: UTF8.self)
        if widPresent && wid > width && minus { writePadding(wid - width) }
    }

    // MARK: Integers

    private mutating func fmtInteger(_ u: UInt64, signed: Bool, _ verb: Unicode.Scalar, _ arg: Arg) {
        switch verb {
        case "v":
            if sharpV && !signed {
                fmt0x64(u, leading0x: true)
            } else {
                fmtInteger(u, base: 10, signed: signed, verb: verb, upper: false)
            }
        case "d": fmtInteger(u, base: 10, signed: signed, verb: verb, upper: false)
        case "b": fmtInteger(u, base: 2, signed: signed, verb: verb, upper: false)
        case "o", "O": fmtInteger(u, base: 8, signed: signed, verb: verb, upper: false)
        case "x": fmtInteger(u, base: 16, signed: signed, verb: verb, upper: false)
        case "X": fmtInteger(u, base: 16, signed: signed, verb: verb, upper: true)
        case "c":
            pad(String(Character(Unicode.Scalar(UInt32(truncatingIfNeeded: u)) ?? "\u{FFFD}")))
        case "q":
            let r = Unicode.Scalar(UInt32(truncatingIfNeeded: u)) ?? "\u{FFFD}"
            pad(GoQuote.quoteRune(u > 0x10FFFF ? "\u{FFFD}" : r))
        case "U":
            fmtUnicode(u)
        default:
            badVerb(verb, arg)
        }
    }

    private mutating func fmt0x64(_ v: UInt64, leading0x: Bool) {
        let saved = sharp
        sharp = leading0x
        fmtInteger(v, base: 16, signed: false, verb: "v", upper: false)
        sharp = saved
    }

    private mutating func fmtUnicode(_ u: UInt64) {
        var s = "U+" + String(u, radix: 16, uppercase: true)
        let minDigits = precPresent && prec > 4 ? prec : 4
        let hexCount = s.count - 2
        if hexCount < minDigits { s = "U+" + String(repeating: "0", count: minDigits - hexCount) + s.dropFirst(2) }
        if sharp, u <= 0x10FFFF, let r = Unicode.Scalar(UInt32(u)), GoUnicode.isPrint(r) {
            s += " '" + String(Character(r)) + "'"
        }
        let savedZero = zero
        zero = false
        pad(s)
        zero = savedZero
    }

    private mutating func fmtInteger(_ value: UInt64, base: UInt64, signed: Bool, verb: Unicode.Scalar, upper: Bool) {
        var u = value
        let negative = signed && Int64(bitPattern: u) < 0
        if negative { u = 0 &- u }
        var precision = 0
        if precPresent {
            precision = prec
            if precision == 0 && u == 0 {
                let savedZero = zero
                zero = false
                writePadding(wid)
                zero = savedZero
                return
            }
        } else if zero && !minus && widPresent {
            precision = wid
            if negative || plus || space { precision -= 1 }
        }
        var digits = u == 0 ? "0" : String(u, radix: Int(base), uppercase: upper)
        if digits.count < precision { digits = String(repeating: "0", count: precision - digits.count) + digits }
        if sharp {
            switch base {
            case 2: digits = "0b" + digits
            case 8: if !digits.hasPrefix("0") { digits = "0" + digits }
            case 16: digits = (upper ? "0X" : "0x") + digits
            default: break
            }
        }
        if verb == "O" { digits = "0o" + digits }
        if negative {
            digits = "-" + digits
        } else if plus {
            digits = "+" + digits
        } else if space {
            digits = " " + digits
        }
        let savedZero = zero
        zero = false
        pad(digits)
        zero = savedZero
    }

    // MARK: Floats

    private mutating func fmtFloat(_ v: Double, _ verb: Unicode.Scalar, _ arg: Arg) {
        switch verb {
        case "v": fmtFloat(v, verb: "g", defaultPrecision: -1)
        case "b", "g", "G", "x", "X": fmtFloat(v, verb: verb, defaultPrecision: -1)
        case "f", "e", "E", "F": fmtFloat(v, verb: verb, defaultPrecision: 6)
        default: badVerb(verb, arg)
        }
    }

    private mutating func fmtComplex(_ re: Double, _ im: Double, _ verb: Unicode.Scalar, _ arg: Arg) {
        switch verb {
        case "v", "b", "g", "G", "x", "X", "f", "F", "e", "E":
            let savedPlus = plus
            buf += "("
            fmtFloat(re, verb == "v" ? "g" : verb, arg)
            plus = true
            fmtFloat(im, verb == "v" ? "g" : verb, arg)
            buf += "i)"
            plus = savedPlus
        default:
            badVerb(verb, arg)
        }
    }

    private mutating func fmtFloat(_ v: Double, verb: Unicode.Scalar, defaultPrecision: Int) {
        let precision = precPresent ? prec : defaultPrecision
        // Without flags or width (`%.2f`, `%g`, `%v`: nearly always) Go prints the number as
        // strconv formats it (`+Inf`, `-Inf`, `NaN` included); the rest handles signs and padding.
        if !plus && !space && !sharp && !widPresent {
            buf += GoFloatFormat.format(v, verb: verb, precision: precision)
            return
        }
        var num = Array(GoFloatFormat.format(v, verb: verb, precision: precision).unicodeScalars)
        if num.first == "-" || num.first == "+" {
            // keep the sign
        } else {
            num.insert("+", at: 0)
        }
        if space && num[0] == "+" && !plus { num[0] = " " }
        if num.count > 1 && (num[1] == "I" || num[1] == "N") {
            let savedZero = zero
            zero = false
            if num[1] == "N" && !space && !plus { num.removeFirst() }
            pad(String(String.UnicodeScalarView(num)))
            zero = savedZero
            return
        }
        if sharp && verb != "b" {
            var digits = 0
            switch verb {
            case "v", "g", "G", "x":
                digits = precision
                if digits == -1 { digits = 6 }
            default:
                break
            }
            var tail: [Unicode.Scalar] = []
            var hasDecimalPoint = false
            var sawNonzeroDigit = false
            var i = 1
            while i < num.count {
                let c = num[i]
                if c == "." {
                    hasDecimalPoint = true
                } else if c == "p" || c == "P" || ((c == "e" || c == "E") && verb != "x" && verb != "X") {
                    tail = Array(num[i...])
                    num.removeSubrange(i...)
                    break
                } else {
                    if c != "0" { sawNonzeroDigit = true }
                    if sawNonzeroDigit { digits -= 1 }
                }
                i += 1
            }
            if !hasDecimalPoint {
                if num.count == 2 && num[1] == "0" { digits -= 1 }
                num.append(".")
            }
            while digits > 0 {
                num.append("0")
                digits -= 1
            }
            num += tail
        }
        if plus || num[0] != "+" {
            if zero && !minus && widPresent && wid > num.count {
                buf.unicodeScalars.append(num[0])
                writePadding(wid - num.count)
                buf.unicodeScalars.append(contentsOf: num[1...])
                return
            }
            pad(String(String.UnicodeScalarView(num)))
            return
        }
        pad(String(String.UnicodeScalarView(num[1...])))
    }
}

/// `strconv.FormatFloat(v, verb, precision, 64)` for the verbs fmt uses.
enum GoFloatFormat {
    static func format(_ v: Double, verb: Unicode.Scalar, precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        switch verb {
        case "g", "G":
            if precision < 0 {
                let s = GoFloat.format(v)
                return verb == "G" ? String(s.map { $0 == "e" ? "E" : $0 }) : s
            }
            return cFormat(v, verb == "G" ? "G" : "g", precision)
        case "e", "E":
            if precision < 0 { return shortestE(v, upper: verb == "E") }
            return cFormat(v, verb == "E" ? "E" : "e", precision)
        case "f", "F":
            if precision < 0 { return GoFloat.formatFixed(v) }
            return cFormat(v, "f", precision)
        case "b":
            return binary(v)
        case "x", "X":
            return hex(v, upper: verb == "X")
        default:
            return "%" + String(Character(verb))
        }
    }

    /// C's `%.<precision><conv>` (at most 1,311 characters: `%.1000f` of -1e308), formatted
    /// on the stack when short, as it nearly always is.
    private static func cFormat(_ v: Double, _ conv: String, _ precision: Int) -> String {
        if conv == "f", let exact = ExactDecimal.fixed(v, precision: precision) { return exact }
        if conv == "g", let exact = ExactDecimal.general(v, precision: precision) { return exact }
        let fmt = "%." + String(min(precision, 1000)) + conv
        func format(capacity: Int) -> (String?, Int) {
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { p in
                let n = Int(withVaList([v]) { vsnprintf(p.baseAddress, p.count, fmt, $0) })
                guard n >= 0, n < p.count else { return (nil, n) }
                let bytes = UnsafeRawBufferPointer(start: p.baseAddress, count: n).bindMemory(to: UInt8.self)
                return (String(decoding: bytes, as: UTF8.self), n)
            }
        }
        let (short, needed) = format(capacity: 64)
        if let short { return short }
        return format(capacity: max(needed, 0) + 1).0 ?? ""
    }

    private static func shortestE(_ v: Double, upper: Bool) -> String {
        let (negative, digits, point) = shortestDigits(v)
        var s = negative ? "-" : ""
        guard !digits.isEmpty else { return s + (upper ? "0E+00" : "0e+00") }
        s.unicodeScalars.append(Unicode.Scalar(digits[0]))
        if digits.count > 1 {
            s += "."
            for d in digits.dropFirst() { s.unicodeScalars.append(Unicode.Scalar(d)) }
        }
        let exp = point - 1
        s += upper ? "E" : "e"
        s += exp < 0 ? "-" : "+"
        if abs(exp) < 10 { s += "0" }
        return s + String(abs(exp))
    }

    /// Shortest round-trip decimal digits and decimal point position.
    static func shortestDigits(_ v: Double) -> (Bool, [UInt8], Int) {
        let g = GoFloat.format(v) // shortest digits in %g form
        var negative = false
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        var exponent = 0
        let bytes = Array(g.utf8)
        var i = 0
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: ".") {
                seenPoint = true
            } else if c == UInt8(ascii: "e") {
                exponent = Int(String(decoding: bytes[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                digits.append(c)
                if !seenPoint { point += 1 }
            }
            i += 1
        }
        point += exponent
        while let f = digits.first, f == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while let l = digits.last, l == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { point = 0 }
        return (negative, digits, point)
    }

    /// `%b`: decimalless scientific notation with a power-of-two exponent.
    private static func binary(_ v: Double) -> String {
        let bits = v.bitPattern
        var exp = Int((bits >> 52) & 0x7FF)
        var mant = bits & ((1 << 52) - 1)
        if exp == 0 { exp += 1 } else { mant |= 1 << 52 }
        exp -= 1075
        return (v.sign == .minus ? "-" : "") + String(mant) + "p" + (exp >= 0 ? "+" : "") + String(exp)
    }

    /// `%x` with the shortest hexadecimal mantissa: `0x1.8p+01`.
    private static func hex(_ v: Double, upper: Bool) -> String {
        var s = v.sign == .minus ? "-" : ""
        if v == 0 { return s + (upper ? "0X0P+00" : "0x0p+00") }
        let bits = v.bitPattern
        var exp = Int((bits >> 52) & 0x7FF)
        var mant = bits & ((1 << 52) - 1)
        if exp == 0 {
            // Normalize a subnormal.
            exp = 1
            while mant & (1 << 52) == 0 {
                mant <<= 1
                exp -= 1
            }
            mant &= (1 << 52) - 1
        }
        exp -= 1023
        var frac = String(mant, radix: 16)
        frac = String(repeating: "0", count: 13 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        s += "0x1"
        if !frac.isEmpty { s += "." + frac }
        s += "p" + (exp >= 0 ? "+" : "-")
        let e = abs(exp)
        if e < 10 { s += "0" }
        s += String(e)
        return upper ? s.uppercased() : s
    }
}
