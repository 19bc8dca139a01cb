import Model

/// Go-style quoting helpers for PromQL strings and error messages.
enum GoQuoting {
    /// The value of a string token (quotes included) the lexer has already validated:
    /// Go escapes for `"…"` and `'…'`, nothing for `` `…` ``. `\xNN` and octal escapes
    /// are bytes; a byte sequence that is not UTF-8 becomes U+FFFD (Swift strings hold
    /// only valid Unicode).
    static func unquote(_ token: String) -> String {
        let bytes = Array(token.utf8)
        guard bytes.count >= 2 else { return "" }
        let quote = bytes[0]
        let body = bytes[1..<(bytes.count - 1)]
        if quote == UInt8(ascii: "`") { return String(decoding: body, as: UTF8.self) }
        guard body.contains(UInt8(ascii: "\\")) else { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            i += 1
            guard b == UInt8(ascii: "\\"), i < body.endIndex else {
                out.append(b)
                continue
            }
            let e = body[i]
            i += 1
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(e - UInt8(ascii: "0"))
                var n = 1
                while n < 3, i < body.endIndex, let d = digitValue(body[i]), d < 8 {
                    value = value * 8 + d
                    i += 1
                    n += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                var value: UInt32 = 0
                var n = 0
                while n < count, i < body.endIndex, let d = digitValue(body[i]), d < 16 {
                    value = value &* 16 &+ d
                    i += 1
                    n += 1
                }
                if e == UInt8(ascii: "x") {
                    out.append(UInt8(truncatingIfNeeded: value))
                } else {
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(value) ?? "\u{FFFD}")).utf8))
                }
            default:
                // `\\`, `\"`, `\'` and anything else: the character itself.
                out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func digitValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Go's `%q` for a rune: `'a'`, `'\n'`, `'\x00'`, `'\''`.
    static func quoteRune(_ scalar: Unicode.Scalar?) -> String {
        guard let scalar else { return "'\\ufffd'" }
        switch scalar {
        case "'": return "'\\''"
        case "\\": return "'\\\\'"
        case "\u{07}": return "'\\a'"
        case "\u{08}": return "'\\b'"
        case "\u{0C}": return "'\\f'"
        case "\n": return "'\\n'"
        case "\r": return "'\\r'"
        case "\t": return "'\\t'"
        case "\u{0B}": return "'\\v'"
        default:
            // GoString.quote escapes exactly the non-printable characters the same way.
            let quoted = GoString.quote(String(Character(scalar)))
            let inner = quoted.dropFirst().dropLast()
            return "'" + (inner == "\\\"" ? "\"" : String(inner)) + "'"
        }
    }

    /// Go's `%#U`: `U+0071 'q'`, or `U+000A` for a non-printable rune.
    static func unicodeFormat(_ scalar: Unicode.Scalar) -> String {
        var hex = String(scalar.value, radix: 16, uppercase: true)
        while hex.count < 4 { hex = "0" + hex }
        let quoted = GoString.quote(String(Character(scalar)))
        let printable = !quoted.contains("\\") || scalar == "\"" || scalar == "\\"
        return printable ? "U+\(hex) '\(scalar)'" : "U+\(hex)"
    }
}
