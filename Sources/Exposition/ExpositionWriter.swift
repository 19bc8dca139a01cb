import Model

/// Writes metric families in either text format, escaping and quoting as Prometheus
/// does, so that what it writes parses back to the same samples and metadata.
public struct ExpositionWriter: Sendable {
    public let format: ExpositionFormat

    public init(format: ExpositionFormat) { self.format = format }

    /// The whole exposition for `families` (OpenMetrics ends with `# EOF`).
    public func write(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families { write(family, to: &out) }
        if format == .openMetrics { out += "# EOF\n" }
        return out
    }

    /// Appends one family: metadata lines, then samples.
    public func write(_ family: MetricFamily, to out: inout String) {
        switch format {
        case .text:
            if let help = family.help {
                out += "# HELP "; appendName(family.name, to: &out); out += " "
                out += escape(help, quotes: false); out += "\n"
            }
            if let type = family.type {
                out += "# TYPE "; appendName(family.name, to: &out); out += " "
                out += type.textFormatName; out += "\n"
            }
        case .openMetrics:
            if let type = family.type {
                out += "# TYPE "; appendName(family.name, to: &out); out += " "
                out += type.rawValue; out += "\n"
            }
            if let unit = family.unit {
                out += "# UNIT "; appendName(family.name, to: &out); out += " "
                out += unit; out += "\n"
            }
            if let help = family.help {
                out += "# HELP "; appendName(family.name, to: &out); out += " "
                out += escape(help, quotes: true); out += "\n"
            }
        }
        for sample in family.samples { write(sample, to: &out) }
    }

    /// Appends one sample line.
    public func write(_ sample: ExpositionSample, to out: inout String) {
        appendSeries(sample.labels, to: &out)
        out += " "
        switch format {
        case .text:
            out += GoFloat.format(sample.value)
            if let t = sample.timestamp { out += " "; out += String(t) }
        case .openMetrics:
            out += GoFloat.formatOpenMetrics(sample.value)
            if let t = sample.timestamp { out += " "; out += ExpositionWriter.openMetricsSeconds(t) }
            if let exemplar = sample.exemplar {
                out += " # "
                appendLabelSet(exemplar.labels, metricName: nil, to: &out)
                out += " "
                out += GoFloat.formatOpenMetrics(exemplar.value)
                if let t = exemplar.timestamp { out += " "; out += ExpositionWriter.openMetricsSeconds(t) }
            }
        }
        out += "\n"
    }

    /// `name{labels}`, or `{"name", labels}` when the name needs quoting.
    private func appendSeries(_ labels: Labels, to out: inout String) {
        let name = labels.metricName ?? ""
        let rest = labels.droppingMetricName
        if MetricNames.isValidLegacyMetricName(name) {
            out += name
            if !rest.isEmpty { appendLabelSet(rest, metricName: nil, to: &out) }
        } else {
            appendLabelSet(rest, metricName: name, to: &out)
        }
    }

    private func appendLabelSet(_ labels: Labels, metricName: String?, to out: inout String) {
        out += "{"
        var first = true
        if let metricName {
            out += "\""; out += escape(metricName, quotes: true); out += "\""
            first = false
        }
        for label in labels {
            if !first { out += "," }
            first = false
            if MetricNames.isValidLegacyLabelName(label.name) {
                out += label.name
            } else {
                out += "\""; out += escape(label.name, quotes: true); out += "\""
            }
            out += "=\""
            out += escape(label.value, quotes: true)
            out += "\""
        }
        out += "}"
    }

    private func appendName(_ name: String, to out: inout String) {
        if MetricNames.isValidLegacyMetricName(name) {
            out += name
        } else {
            out += "\""; out += escape(name, quotes: true); out += "\""
        }
    }

    /// Escapes `\` and newlines (and `"` when `quotes`), the escapes both parsers resolve.
    private func escape(_ s: String, quotes: Bool) -> String {
        guard s.utf8.contains(where: { $0 == 0x5c || $0 == 0x0a || (quotes && $0 == 0x22) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Milliseconds as OpenMetrics seconds, chosen so that Prometheus's conversion
    /// (seconds × 1000, truncated) gives back exactly the same milliseconds.
    static func openMetricsSeconds(_ ms: Timestamp) -> String {
        let negative = ms < 0
        let magnitude = ms.magnitude
        let whole = magnitude / 1000, fraction = magnitude % 1000
        var text = (negative ? "-" : "") + String(whole)
        if fraction != 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: 3 - digits.count) + digits
        }
        if let parsed = GoFloat.parse(text), OpenMetricsParser.millisecondsTruncating(parsed) == ms {
            return text
        }
        // Nudge away from zero by a microsecond so the truncation lands on `ms`.
        return text + (fraction == 0 ? ".001" : "001")
    }
}
