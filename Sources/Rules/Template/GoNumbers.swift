#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `strconv` number parsing, as text/template literals and Prometheus's `convertToFloat` use it.
enum GoStrconv {
    enum NumError: Error, Equatable {
        case syntax
        case range

        var text: String { self == .syntax ? "invalid syntax" : "value out of range" }
    }

    /// `strconv.ParseFloat(s, 64)`: decimal and hexadecimal (`0x1p-2`) floats, `_` separators
    /// after a base prefix or between digits, `inf`/`infinity`/`nan` in any case.
    static func parseFloat(_ s: String) -> Result<Double, NumError> {
        var bytes = Array(s.utf8)
        guard !bytes.isEmpty else { return .failure(.syntax) }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        let rest = String(decoding: bytes[i...], as: UTF8.self).lowercased()
        if rest == "inf" || rest == "infinity" { return .success(negative ? -.infinity : .infinity) }
        if rest == "nan" && i == 0 { return .success(.nan) }
        var hex = false
        if bytes.count - i >= 2 && bytes[i] == UInt8(ascii: "0") && (bytes[i + 1] | 0x20) == UInt8(ascii: "x") {
            hex = true
            i += 2
        }
        var sawDigits = false
        var sawDot = false
        var underscores = false
        var j = i
        mantissa: while j < bytes.count {
            let c = bytes[j]
            switch c {
            case UInt8(ascii: "_"):
                underscores = true
            case UInt8(ascii: "."):
                if sawDot { break mantissa }
                sawDot = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigits = true
            default:
                if hex && ((c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "f")) {
                    sawDigits = true
                } else {
                    break mantissa
                }
            }
            j += 1
        }
        guard sawDigits else { return .failure(.syntax) }
        let expChar: UInt8 = hex ? UInt8(ascii: "p") : UInt8(ascii: "e")
        if j < bytes.count && (bytes[j] | 0x20) == expChar {
            j += 1
            if j < bytes.count && (bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-")) { j += 1 }
            var expDigits = false
            while j < bytes.count && ((bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9")) || bytes[j] == UInt8(ascii: "_")) {
                if bytes[j] == UInt8(ascii: "_") { underscores = true } else { expDigits = true }
                j += 1
            }
            guard expDigits else { return .failure(.syntax) }
        } else if hex {
            return .failure(.syntax) // a hexadecimal mantissa requires a 'p' exponent
        }
        guard j == bytes.count else { return .failure(.syntax) }
        if underscores {
            guard underscoreOK(s) else { return .failure(.syntax) }
            bytes.removeAll { $0 == UInt8(ascii: "_") }
        }
        let cleaned = String(decoding: bytes, as: UTF8.self)
        let value = cleaned.withCString { strtod($0, nil) }
        if value.isInfinite { return .failure(.range) }
        return .success(value)
    }

    /// `strconv.ParseUint(s, 0, 64)`.
    static func parseUint(_ s: String) -> Result<UInt64, NumError> {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty else { return .failure(.syntax) }
        var base: UInt64 = 10
        var i = 0
        if bytes[0] == UInt8(ascii: "0") {
            if bytes.count >= 3 && (bytes[1] | 0x20) == UInt8(ascii: "b") {
                base = 2; i = 2
            } else if bytes.count >= 3 && (bytes[1] | 0x20) == UInt8(ascii: "o") {
                base = 8; i = 2
            } else if bytes.count >= 3 && (bytes[1] | 0x20) == UInt8(ascii: "x") {
                base = 16; i = 2
            } else {
                base = 8; i = 1
            }
        }
        var n: UInt64 = 0
        var underscores = false
        var overflow = false
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            var d: UInt64
            switch c {
            case UInt8(ascii: "_"):
                underscores = true
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt64(c - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt64(c - UInt8(ascii: "A")) + 10
            default: return .failure(.syntax)
            }
            guard d < base else { return .failure(.syntax) }
            let (m, o1) = n.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { overflow = true }
            n = a
        }
        if underscores && !underscoreOK(s) { return .failure(.syntax) }
        if overflow { return .failure(.range) }
        return .success(n)
    }

    /// `strconv.ParseInt(s, 0, 64)`.
    static func parseInt(_ s: String) -> Result<Int64, NumError> {
        guard !s.isEmpty else { return .failure(.syntax) }
        var body = Substring(s)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        let un: UInt64
        switch parseUint(String(body)) {
        case .success(let v): un = v
        case .failure(let e): return .failure(e)
        }
        if !negative && un >= 1 << 63 { return .failure(.range) }
        if negative && un > 1 << 63 { return .failure(.range) }
        if negative { return .success(un == 1 << 63 ? Int64.min : -Int64(un)) }
        return .success(Int64(un))
    }

    /// Go's check that `_` only separates digits (or follows a base prefix).
    static func underscoreOK(_ s: String) -> Bool {
        var b = Array(s.utf8)
        var saw: UInt8 = UInt8(ascii: "^")
        if let f = b.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { b.removeFirst() }
        var i = 0
        var hex = false
        if b.count >= 2 && b[0] == UInt8(ascii: "0") {
            let l = b[1] | 0x20
            if l == UInt8(ascii: "b") || l == UInt8(ascii: "o") || l == UInt8(ascii: "x") {
                i = 2
                saw = UInt8(ascii: "0")
                hex = l == UInt8(ascii: "x")
            }
        }
        while i < b.count {
            let c = b[i]
            let l = c | 0x20
            if (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (hex && l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f")) {
                saw = UInt8(ascii: "0")
            } else if c == UInt8(ascii: "_") {
                if saw != UInt8(ascii: "0") { return false }
                saw = UInt8(ascii: "_")
            } else {
                if saw == UInt8(ascii: "_") { return false }
                saw = UInt8(ascii: "!")
            }
            i += 1
        }
        return saw != UInt8(ascii: "_")
    }
}

/// Go's `parse.NumberNode` construction from a number, character or complex literal.
enum GoNumberLiteral {
    struct Failure: Error { var message: String }

    static func parse(_ text: String, kind: TokenKind, pos: Int) -> Result<NumberNode, Failure> {
        var n = NumberNode(pos: pos, text: text)
        if kind == .charConstant {
            let scalars = Array(text.unicodeScalars)
            guard scalars.count >= 2 else { return .failure(Failure(message: "invalid syntax")) }
            var value: UInt32
            var next: Int
            let c = scalars[1]
            if c == "'" { return .failure(Failure(message: "invalid syntax")) }
            if c == "\\" {
                guard let (v, _, after) = GoQuote.unquoteEscape(scalars, 2, scalars.count, quote: "'") else {
                    return .failure(Failure(message: "invalid syntax"))
                }
                value = v
                next = after
            } else {
                value = c.value
                next = 2
            }
            guard next == scalars.count - 1, scalars[next] == "'" else {
                return .failure(Failure(message: "malformed character constant: \(text)"))
            }
            n.isInt = true; n.int64 = Int64(value)
            n.isUint = true; n.uint64 = UInt64(value)
            n.isFloat = true; n.float64 = Double(value)
            return .success(n)
        }
        if kind == .complex {
            guard let (re, im) = parseComplex(text) else { return .failure(Failure(message: "expected integer")) }
            n.isComplex = true
            n.complex = (re, im)
            simplifyComplex(&n)
            return .success(n)
        }
        if text.hasSuffix("i"), case .success(let f) = GoStrconv.parseFloat(String(text.dropLast())) {
            n.isComplex = true
            n.complex = (0, f)
            simplifyComplex(&n)
            return .success(n)
        }
        let u = GoStrconv.parseUint(text)
        if case .success(let v) = u {
            n.isUint = true
            n.uint64 = v
        }
        if case .success(let i) = GoStrconv.parseInt(text) {
            n.isInt = true
            n.int64 = i
            if i == 0 {
                n.isUint = true // in case of -0
                n.uint64 = 0
            }
        }
        if n.isInt {
            n.isFloat = true
            n.float64 = Double(n.int64)
        } else if n.isUint {
            n.isFloat = true
            n.float64 = Double(n.uint64)
        } else if case .success(let f) = GoStrconv.parseFloat(text) {
            if !text.contains(where: { ".eEpP".contains($0) }) {
                return .failure(Failure(message: "integer overflow: \(GoQuote.quote(text))"))
            }
            n.isFloat = true
            n.float64 = f
            if !n.isInt, f >= -9.223372036854775808e18, f < 9.223372036854775808e18, Double(Int64(f)) == f {
                n.isInt = true
                n.int64 = Int64(f)
            }
            if !n.isUint, f >= 0, f < 1.8446744073709551616e19, Double(UInt64(f)) == f {
                n.isUint = true
                n.uint64 = UInt64(f)
            }
        }
        if !n.isInt && !n.isUint && !n.isFloat {
            return .failure(Failure(message: "illegal number syntax: \(GoQuote.quote(text))"))
        }
        return .success(n)
    }

    private static func simplifyComplex(_ n: inout NumberNode) {
        guard n.complex.im == 0 else { return }
        n.isFloat = true
        n.float64 = n.complex.re
        let f = n.float64
        if f >= -9.223372036854775808e18, f < 9.223372036854775808e18, Double(Int64(f)) == f {
            n.isInt = true
            n.int64 = Int64(f)
        }
        if f >= 0, f < 1.8446744073709551616e19, Double(UInt64(f)) == f {
            n.isUint = true
            n.uint64 = UInt64(f)
        }
    }

    /// `1+2i`, `-1.5e3-2i`: the real and imaginary parts.
    private static func parseComplex(_ text: String) -> (Double, Double)? {
        let b = Array(text.utf8)
        guard b.last == UInt8(ascii: "i") else { return nil }
        var split = -1
        for k in stride(from: b.count - 2, through: 1, by: -1) where b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-") {
            let prev = b[k - 1] | 0x20
            if prev == UInt8(ascii: "e") || prev == UInt8(ascii: "p") { continue }
            split = k
            break
        }
        guard split > 0 else { return nil }
        let re = String(decoding: b[0..<split], as: UTF8.self)
        let im = String(decoding: b[split..<(b.count - 1)], as: UTF8.self)
        guard case .success(let r) = GoStrconv.parseFloat(re), case .success(let i) = GoStrconv.parseFloat(im) else { return nil }
        return (r, i)
    }
}
