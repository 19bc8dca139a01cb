import Model
import PromQL

/// A query result as the `data` object of Prometheus's HTTP API (`/api/v1/query`).
enum QueryResultJSON {
    static func data(_ value: QueryValue) -> String {
        var out = ""
        switch value {
        case .scalar(let t, let v):
            out += "{\"resultType\":\"scalar\",\"result\":["
            appendTimestamp(t, to: &out)
            out += ",\"" + formatValue(v) + "\"]}"
        case .string(let t, let s):
            out += "{\"resultType\":\"string\",\"result\":["
            appendTimestamp(t, to: &out)
            out += ","
            appendString(s, to: &out)
            out += "]}"
        case .vector(let vector):
            out += "{\"resultType\":\"vector\",\"result\":["
            for (i, sample) in vector.enumerated() {
                if i > 0 { out += "," }
                out += "{\"metric\":"
                appendLabels(sample.labels, to: &out)
                out += ",\"value\":["
                appendTimestamp(sample.timestamp, to: &out)
                out += ",\"" + formatValue(sample.value) + "\"]}"
            }
            out += "]}"
        case .matrix(let matrix):
            out += "{\"resultType\":\"matrix\",\"result\":["
            for (i, series) in matrix.enumerated() {
                if i > 0 { out += "," }
                out += "{\"metric\":"
                appendLabels(series.labels, to: &out)
                out += ",\"values\":["
                for (j, sample) in series.samples.enumerated() {
                    if j > 0 { out += "," }
                    out += "["
                    appendTimestamp(sample.timestamp, to: &out)
                    out += ",\"" + formatValue(sample.value) + "\"]"
                }
                out += "]}"
            }
            out += "]}"
        }
        return out
    }

    /// Prometheus's value strings: `strconv.FormatFloat(v, 'f', -1, 64)`, `+Inf`, `-Inf`, `NaN`.
    static func formatValue(_ v: Double) -> String { GoFloat.formatFixed(v) }

    /// Seconds with up to three decimals, trailing zeros dropped, as Prometheus marshals times.
    static func appendTimestamp(_ t: Int64, to out: inout String) {
        let negative = t < 0
        let magnitude = t.magnitude
        if negative { out += "-" }
        out += String(magnitude / 1000)
        var fraction = magnitude % 1000
        guard fraction != 0 else { return }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        out += "." + String(repeating: "0", count: digits - text.count) + text
    }

    static func appendLabels(_ labels: Labels, to out: inout String) {
        out += "{"
        var first = true
        for label in labels {
            if !first { out += "," }
            first = false
            appendString(label.name, to: &out)
            out += ":"
            appendString(label.value, to: &out)
        }
        out += "}"
    }

    /// A JSON string escaped as Go's encoding/json does (HTML-safe: `<`, `>`, `&` as \u escapes).
    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + hex4(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 12 & 0xf)], digits[Int(v >> 8 & 0xf)], digits[Int(v >> 4 & 0xf)], digits[Int(v & 0xf)]])
    }
}

/// A query result as promtool prints it: `LABELS => VALUE @[TIMESTAMP]`.
enum QueryResultTable {
    static func text(_ value: QueryValue) -> String {
        var out = ""
        switch value {
        case .scalar(let t, let v):
            out += "scalar: \(GoFloat.format(v)) @[\(t)]\n"
        case .string(let t, let s):
            out += "string: \(s) @[\(t)]\n"
        case .vector(let vector):
            for sample in vector {
                out += "\(sample.labels) => \(GoFloat.format(sample.value)) @[\(sample.timestamp)]\n"
            }
        case .matrix(let matrix):
            for series in matrix {
                out += "\(series.labels) =>\n"
                for sample in series.samples {
                    out += "\(GoFloat.format(sample.value)) @[\(sample.timestamp)]\n"
                }
            }
        }
        return out
    }
}
