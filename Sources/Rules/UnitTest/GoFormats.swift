import Model

/// The few Go formats promtool's test output is made of.
enum GoFormat {
    /// `strconv.FormatFloat(v, 'E', -1, 64)`: `5E+01`, `1.5E-07`, `-0E+00`, `+Inf`, `NaN`.
    static func exponent(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        // Go's shortest %g uses the same digits; only its layout differs.
        var g = GoFloat.format(value)
        if let e = g.firstIndex(of: "e") {
            g.replaceSubrange(e...e, with: "E")
            return g
        }
        var sign = ""
        if g.hasPrefix("-") {
            sign = "-"
            g.removeFirst()
        }
        let parts = g.split(separator: ".", omittingEmptySubsequences: false)
        var digits = Array(parts[0]) + (parts.count > 1 ? Array(parts[1]) : [])
        var point = parts[0].count
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let exponent = digits == ["0"] ? 0 : point - 1
        var out = sign + String(digits[0])
        if digits.count > 1 { out += "." + String(digits[1...]) }
        out += exponent < 0 ? "E-" : "E+"
        let magnitude = abs(exponent)
        out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
        return out
    }

    /// `model.Duration.String()` of a duration in ms: `0s`, `90s` as `1m30s`, `1d`, `2w`, `1y`.
    static func modelDuration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = ""
        func unit(_ name: String, _ size: Int64, exact: Bool) {
            if exact && rest % size != 0 { return }
            let n = rest / size
            if n > 0 {
                out += "\(n)\(name)"
                rest -= n * size
            }
        }
        unit("y", 365 * 86_400_000, exact: true)
        unit("w", 7 * 86_400_000, exact: true)
        unit("d", 86_400_000, exact: false)
        unit("h", 3_600_000, exact: false)
        unit("m", 60_000, exact: false)
        unit("s", 1000, exact: false)
        unit("ms", 1, exact: false)
        return out
    }

    /// `time.Duration.String()` of a duration in ms: `0s`, `500ms`, `1m0s`, `1h2m3.5s`.
    static func timeDuration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        let negative = ms < 0
        let u = ms.magnitude
        var out: String
        if u < 1000 {
            out = "\(u)ms"
        } else {
            let hours = u / 3_600_000
            let minutes = u / 60_000 % 60
            let millis = u % 60_000
            var seconds = "\(millis / 1000)"
            if millis % 1000 != 0 {
                var fraction = String(millis % 1000)
                fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
                while fraction.hasSuffix("0") { fraction.removeLast() }
                seconds += "." + fraction
            }
            out = ""
            if hours > 0 { out += "\(hours)h" }
            if hours > 0 || minutes > 0 { out += "\(minutes)m" }
            out += seconds + "s"
        }
        return negative ? "-" + out : out
    }

    /// Go's `strings.Split(lines, "\n")` then every line but the first prefixed with `indent`
    /// (promtool's `indentLines`).
    static func indentLines(_ lines: String, _ indent: String) -> String {
        lines.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? String($0.element) : indent + $0.element }
            .joined(separator: "\n")
    }
}
