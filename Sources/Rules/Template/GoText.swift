import Model

/// Go's `strconv` quoting and unquoting as text/template needs them.
enum GoQuote {
    /// `strconv.Quote`.
    static func quote(_ s: String) -> String { GoString.quote(s) }

    /// `strconv.QuoteToASCII`.
    static func quoteASCII(_ s: String) -> String { GoString.quoteToASCII(s) }

    /// `strconv.QuoteRune`.
    static func quoteRune(_ r: Unicode.Scalar) -> String {
        if r == "'" { return "'\\''" }
        if r == "\"" { return "'\"'" }
        let q = GoString.quote(String(Character(r)))
        return "'" + q.dropFirst().dropLast() + "'"
    }

    /// `strconv.CanBackquote`.
    static func canBackquote(_ s: String) -> Bool {
        for scalar in s.unicodeScalars {
            if scalar == "`" || scalar == "\u{FEFF}" { return false }
            if scalar.value < 0x20 && scalar != "\t" { return false }
            if scalar.value == 0x7F { return false }
        }
        return true
    }

    /// `%#U` of a rune: `U+0041 'A'` (or just `U+0001` when not printable).
    static func unicodeDescription(_ r: Unicode.Scalar?) -> String {
        guard let r else { return "U+FFFFFFFFFFFFFFFF" }
        var s = "U+" + hex(r.value, 4).uppercased()
        if GoUnicode.isPrint(r) { s += " '" + String(Character(r)) + "'" }
        return s
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `strconv.Unquote` for `"…"` and `` `…` `` literals; nil means `invalid syntax`.
    static func unquote(_ s: String) -> String? {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count >= 2, let q = scalars.first, q == scalars.last else { return nil }
        if q == "`" {
            var body = ""
            for c in scalars[1..<(scalars.count - 1)] {
                if c == "`" { return nil }
                if c != "\r" { body.unicodeScalars.append(c) }
            }
            return body
        }
        guard q == "\"" else { return nil }
        var bytes: [UInt8] = []
        var i = 1
        let end = scalars.count - 1
        while i < end {
            let c = scalars[i]
            if c == "\"" || c == "\n" { return nil }
            if c != "\\" {
                bytes.append(contentsOf: Array(String(Character(c)).utf8))
                i += 1
                continue
            }
            guard let (value, isByte, next) = unquoteEscape(scalars, i + 1, end, quote: "\"") else { return nil }
            if isByte { bytes.append(UInt8(value)) } else if let u = Unicode.Scalar(value) {
                bytes.append(contentsOf: Array(String(Character(u)).utf8))
            } else { return nil }
            i = next
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes the escape after a backslash at `i` (exclusive end `end`): the value, whether it
    /// is a raw byte (`\x`, octal), and the index after the escape. nil on a syntax error.
    static func unquoteEscape(_ s: [Unicode.Scalar], _ i: Int, _ end: Int, quote: Unicode.Scalar) -> (UInt32, Bool, Int)? {
        guard i < end else { return nil }
        let c = s[i]
        switch c {
        case "a": return (7, false, i + 1)
        case "b": return (8, false, i + 1)
        case "f": return (12, false, i + 1)
        case "n": return (10, false, i + 1)
        case "r": return (13, false, i + 1)
        case "t": return (9, false, i + 1)
        case "v": return (11, false, i + 1)
        case "\\": return (92, false, i + 1)
        case "'", "\"":
            guard c == quote else { return nil }
            return (c.value, false, i + 1)
        case "x", "u", "U":
            let n = c == "x" ? 2 : (c == "u" ? 4 : 8)
            guard i + n < end else { return nil }
            var v: UInt32 = 0
            for k in 1...n {
                guard let d = hexValue(s[i + k]) else { return nil }
                v = v << 4 | d
            }
            if c == "x" { return (v, true, i + 1 + n) }
            guard v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else { return nil }
            return (v, false, i + 1 + n)
        case "0"..."7":
            guard i + 2 < end else { return nil }
            var v: UInt32 = 0
            for k in 0..<3 {
                guard let d = octalValue(s[i + k]) else { return nil }
                v = v << 3 | d
            }
            guard v <= 255 else { return nil }
            return (v, true, i + 3)
        default:
            return nil
        }
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    private static func octalValue(_ c: Unicode.Scalar) -> UInt32? {
        guard ("0"..."7").contains(c) else { return nil }
        return c.value - 48
    }
}

/// Go's `unicode` predicates.
enum GoUnicode {
    /// `unicode.IsLetter`: categories Lu, Ll, Lt, Lm, Lo.
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            return (s.value >= 0x41 && s.value <= 0x5A) || (s.value >= 0x61 && s.value <= 0x7A)
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `unicode.IsDigit`: category Nd.
    static func isDigit(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s.value >= 0x30 && s.value <= 0x39 }
        return s.properties.generalCategory == .decimalNumber
    }

    /// `unicode.IsPrint` / `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols, ASCII space.
    static func isPrint(_ s: Unicode.Scalar) -> Bool { GoString.isPrintable(s) }

    /// `unicode.ToUpper` (simple case mapping: characters whose upper case is several
    /// characters stay unchanged, as in Go).
    static func toUpper(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.value < 0x80 {
            return s.value >= 0x61 && s.value <= 0x7A ? Unicode.Scalar(s.value - 32)! : s
        }
        let m = s.properties.uppercaseMapping.unicodeScalars
        if m.count == 1 { return m.first! }
        // Where the full mapping expands (ᾀ → ἈΙ), the simple one is the title case (ᾈ).
        let t = s.properties.titlecaseMapping.unicodeScalars
        return t.count == 1 ? t.first! : s
    }

    static func toLower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.value < 0x80 {
            return s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(s.value + 32)! : s
        }
        if s.value == 0x130 { return "i" } // İ: the simple mapping drops the combining dot
        let m = s.properties.lowercaseMapping.unicodeScalars
        return m.count == 1 ? m.first! : s
    }

}

/// Byte-wise string order, as Go compares strings.
enum GoStringOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        var ai = a.utf8.makeIterator()
        var bi = b.utf8.makeIterator()
        while true {
            switch (ai.next(), bi.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?):
                if x != y { return x < y }
            }
        }
    }
}
