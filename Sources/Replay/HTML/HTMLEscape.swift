/// Text and attribute escaping for the HTML report, valid in HTML and in inline SVG (XML):
/// `& < > " '` become entities, and characters XML 1.0 forbids (C0 controls other than tab,
/// newline and carriage return, U+FFFE, U+FFFF) become U+FFFD, so the page and every SVG in
/// it stay well-formed whatever a label value holds.
enum HTMLEscape {
    static func text(_ s: String) -> String {
        var needs = false
        for u in s.unicodeScalars where isSpecial(u) {
            needs = true
            break
        }
        guard needs else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(isForbidden(u) ? "\u{FFFD}" : u)
            }
        }
        return out
    }

    /// The same escaping; named for the call sites that fill attributes.
    static func attribute(_ s: String) -> String { text(s) }

    private static func isSpecial(_ u: Unicode.Scalar) -> Bool {
        u == "&" || u == "<" || u == ">" || u == "\"" || u == "'" || isForbidden(u)
    }

    private static func isForbidden(_ u: Unicode.Scalar) -> Bool {
        (u.value < 0x20 && u != "\t" && u != "\n" && u != "\r") || u.value == 0xFFFE || u.value == 0xFFFF
    }

    /// At most `limit` characters, the rest replaced by an ellipsis.
    static func truncated(_ s: String, to limit: Int) -> String {
        guard s.count > limit else { return s }
        return String(s.prefix(max(0, limit - 1))) + "…"
    }
}

/// Fixed-point numbers without locale or platform differences, for SVG coordinates.
enum FixedPoint {
    /// `v` with exactly two decimals when it has a fraction, none otherwise: `12`, `12.5`, `-0.25`.
    static func coordinate(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let clamped = min(max(v, -1e12), 1e12)
        let hundredths = Int64((clamped * 100).rounded())
        let negative = hundredths < 0
        let abs = hundredths.magnitude
        var out = (negative ? "-" : "") + String(abs / 100)
        let fraction = abs % 100
        if fraction != 0 {
            out += fraction % 10 == 0 ? ".\(fraction / 10)" : (fraction < 10 ? ".0\(fraction)" : ".\(fraction)")
        }
        return out
    }
}
