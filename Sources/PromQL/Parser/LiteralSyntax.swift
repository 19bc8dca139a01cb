import Foundation
import Model

/// An error message as a value, for `Result`.
struct SyntaxMessage: Error {
    var text: String
}

/// Prometheus's duration syntax (`model.ParseDuration`, `model.Duration.String`).
enum DurationSyntax {
    private static let units: [(name: String, ms: UInt64)] = [
        ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// `model.ParseDuration`: number-unit pairs with units in decreasing order, each at
    /// most once; `0` alone is allowed.
    static func milliseconds(_ text: String) -> Result<Int64, SyntaxMessage> {
        if text == "0" { return .success(0) }
        if text.isEmpty { return .failure(SyntaxMessage(text: "empty duration string")) }
        let invalid = SyntaxMessage(text: "not a valid duration string: " + GoString.quote(text))
        let bytes = Array(text.utf8)
        var i = 0
        var total: UInt64 = 0
        var lastUnit = -1
        let limitNanos = UInt64(1) << 63
        while i < bytes.count {
            guard Lexer.isDigit(bytes[i]) else { return .failure(invalid) }
            var value: UInt64 = 0
            var overflow = false
            while i < bytes.count, Lexer.isDigit(bytes[i]) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] - 0x30))
                overflow = overflow || o1 || o2
                value = a
                i += 1
            }
            if overflow { return .failure(invalid) }
            let unitStart = i
            while i < bytes.count, !Lexer.isDigit(bytes[i]) { i += 1 }
            guard i > unitStart else { return .failure(invalid) }
            let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            guard let index = units.firstIndex(where: { $0.name == unit }) else {
                return .failure(SyntaxMessage(text: "unknown unit \(GoString.quote(unit)) in duration \(GoString.quote(text))"))
            }
            guard index > lastUnit else { return .failure(invalid) }
            lastUnit = index
            // Prometheus bounds durations by time.Duration's int64 nanoseconds.
            let nanosPerUnit = units[index].ms * 1_000_000
            if value > limitNanos / nanosPerUnit { return .failure(SyntaxMessage(text: "duration out of range")) }
            total += value * units[index].ms
            if total > (limitNanos - 1) / 1_000_000 { return .failure(SyntaxMessage(text: "duration out of range")) }
        }
        return .success(Int64(total))
    }

    /// `model.Duration.String()`: `1h30m`, `90d` (years and weeks only when exact), `0s`;
    /// negative values get a leading `-`.
    static func format(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        if milliseconds < 0 { return "-" + format(milliseconds: milliseconds == .min ? .max : -milliseconds) }
        var ms = UInt64(milliseconds)
        var out = ""
        for (index, unit) in units.enumerated() {
            if index < 2, ms % unit.ms != 0 { continue }
            let v = ms / unit.ms
            if v > 0 {
                out += String(v) + unit.name
                ms -= v * unit.ms
            }
        }
        return out
    }

    /// Milliseconds of a literal number of seconds, rounded to nanoseconds first as
    /// Prometheus does, then truncated to milliseconds.
    static func literalMilliseconds(_ seconds: Double) -> Int64 {
        SafeInt.clamped((seconds * 1e9).rounded(.toNearestOrAwayFromZero)) / 1_000_000
    }

    /// The canonical text of a number literal written as a duration (`5m`, `-1h30m`).
    static func literalText(seconds: Double) -> String {
        format(milliseconds: literalMilliseconds(seconds))
    }

    /// The value of a duration expression that does not depend on the query, in ms.
    static func constantMilliseconds(_ expr: DurationExpr) -> Int64? {
        guard let seconds = constantSeconds(expr), seconds.isFinite else { return nil }
        return SafeInt.clamped((seconds * 1000).rounded(.toNearestOrAwayFromZero))
    }

    private static func constantSeconds(_ expr: DurationExpr) -> Double? {
        switch expr {
        case .literal(let ms): return Double(ms) / 1000
        case .number(let n): return n
        case .step, .range: return nil
        case .negate(let e): return constantSeconds(e).map { -$0 }
        case .paren(let e): return constantSeconds(e)
        case .minOf(let a, let b):
            guard let x = constantSeconds(a), let y = constantSeconds(b) else { return nil }
            return Swift.min(x, y)
        case .maxOf(let a, let b):
            guard let x = constantSeconds(a), let y = constantSeconds(b) else { return nil }
            return Swift.max(x, y)
        case .binary(let op, let a, let b):
            guard let x = constantSeconds(a), let y = constantSeconds(b) else { return nil }
            switch op {
            case .add: return x + y
            case .sub: return x - y
            case .mul: return x * y
            case .div: return y == 0 ? nil : x / y
            case .mod: return y == 0 ? nil : fmod(x, y)
            case .pow: return pow(x, y)
            }
        }
    }
}

/// Prometheus's number syntax: `strconv.ParseInt(s, 0, 64)` (decimal, `0x` hex, leading-`0`
/// octal, `_` separators), falling back to `strconv.ParseFloat`.
enum NumberSyntax {
    static func value(_ text: String) -> Result<Double, SyntaxMessage> {
        if let n = integer(text) { return .success(Double(n)) }
        let lower = text.lowercased()
        if lower == "inf" || lower == "infinity" { return .success(.infinity) }
        if lower == "nan" { return .success(.nan) }
        var plain = text
        if text.contains("_") {
            guard underscoresOK(text) else { return .failure(floatError(text, "invalid syntax")) }
            plain.removeAll { $0 == "_" }
        }
        // Hexadecimal integers that overflow int64 are still floats to Go.
        let bytes = Array(plain.utf8)
        if bytes.count > 2, bytes[0] == 0x30, bytes[1] | 0x20 == UInt8(ascii: "x") {
            var value = 0.0
            for b in bytes[2...] {
                guard let d = GoQuoting.digitValue(b) else { return .failure(floatError(text, "invalid syntax")) }
                value = value * 16 + Double(d)
            }
            return value.isFinite ? .success(value) : .failure(floatError(text, "value out of range"))
        }
        guard let value = GoFloat.parse(plain) else { return .failure(floatError(text, "invalid syntax")) }
        if value.isInfinite { return .failure(floatError(text, "value out of range")) }
        return .success(value)
    }

    private static func floatError(_ text: String, _ reason: String) -> SyntaxMessage {
        SyntaxMessage(text: "error parsing number: strconv.ParseFloat: parsing \(GoString.quote(text)): \(reason)")
    }

    /// `strconv.ParseInt(text, 0, 64)`, or nil when Go would fail.
    static func integer(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.contains(UInt8(ascii: "_")) {
            guard underscoresOK(text) else { return nil }
            bytes.removeAll { $0 == UInt8(ascii: "_") }
        }
        var base: UInt64 = 10
        var digits = bytes[...]
        if bytes.count >= 2, bytes[0] == 0x30 {
            switch bytes[1] | 0x20 {
            case UInt8(ascii: "x"): base = 16; digits = bytes[2...]
            case UInt8(ascii: "o"): base = 8; digits = bytes[2...]
            case UInt8(ascii: "b"): base = 2; digits = bytes[2...]
            default: base = 8; digits = bytes[1...]
            }
        }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for b in digits {
            guard let d = GoQuoting.digitValue(b), UInt64(d) < base else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            value = a
        }
        return value <= UInt64(Int64.max) ? Int64(value) : nil
    }

    /// Go's `underscoreOK`: `_` only between digits, or after a base prefix.
    static func underscoresOK(_ text: String) -> Bool {
        let s = Array(text.utf8)
        var saw: UInt8 = UInt8(ascii: "^")
        var i = 0
        var hex = false
        if s.count >= 2, s[0] == 0x30, [UInt8(ascii: "b"), UInt8(ascii: "o"), UInt8(ascii: "x")].contains(s[1] | 0x20) {
            i = 2
            saw = UInt8(ascii: "0")
            hex = s[1] | 0x20 == UInt8(ascii: "x")
        }
        while i < s.count {
            let c = s[i]
            if Lexer.isDigit(c) || (hex && GoQuoting.digitValue(c) != nil) {
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

/// Conversions that never trap.
enum SafeInt {
    /// `value` as Int64, saturating at the bounds; NaN becomes 0.
    static func clamped(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 9.223372036854775807e18 { return .max }
        if value <= -9.223372036854775808e18 { return .min }
        return Int64(value)
    }
}

/// Go's fixed-point formatting as Prometheus uses it in messages and the printer.
enum GoFormat {
    /// `fmt.Sprintf("%f", v)`.
    static func fixed6(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return String(format: "%.6f", value)
    }

    /// `%.3f` of a millisecond timestamp in seconds: `100.000`, `-1.500`.
    static func seconds3(milliseconds ms: Int64) -> String {
        let negative = ms < 0
        let magnitude = ms.magnitude
        var fraction = String(magnitude % 1000)
        while fraction.count < 3 { fraction = "0" + fraction }
        return (negative ? "-" : "") + String(magnitude / 1000) + "." + fraction
    }
}
