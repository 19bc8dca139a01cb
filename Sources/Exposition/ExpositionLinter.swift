import Model

/// A finding of the exposition linter: a metric family and what is wrong with it.
public struct LintProblem: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let metric: String
    public let text: String

    public init(metric: String, text: String) {
        self.metric = metric
        self.text = text
    }

    /// `metric text`, as `promtool check metrics` prints it.
    public var description: String { "\(metric) \(text)" }

    /// By metric, then by text: the order promtool prints.
    public static func < (lhs: LintProblem, rhs: LintProblem) -> Bool {
        lhs.metric == rhs.metric ? ByteOrder.less(lhs.text, rhs.text) : ByteOrder.less(lhs.metric, rhs.metric)
    }
}

/// The naming and metadata lints of Prometheus's `promlint` (used by `promtool check
/// metrics`): missing HELP, non-base units, counter `_total` suffixes, names and labels
/// reserved for histograms and summaries, type names in metric names, colons,
/// camelCase, and abbreviated units. Problems come sorted by metric, then text.
public enum ExpositionLinter {
    public static func lint(_ families: [MetricFamily], format: ExpositionFormat) -> [LintProblem] {
        var problems: [LintProblem] = []
        for family in families { lint(family, format: format, into: &problems) }
        return problems.sorted()
    }

    static func lint(_ family: MetricFamily, format: ExpositionFormat, into problems: inout [LintProblem]) {
        let name = family.name
        func add(_ text: String) { problems.append(LintProblem(metric: name, text: text)) }
        let type = family.effectiveType
        let lower = name.lowercased()

        if family.help == nil { add("no help text") }

        if let (unit, base) = detectedUnit(in: name), unit != base {
            add("use base unit \"\(base)\" instead of \"\(unit)\"")
        }

        // In OpenMetrics a counter family is named without `_total`; its samples carry it.
        let hasTotal = UTF8Bytes.hasSuffix(name, "_total")
        if type == .counter && !hasTotal && format == .text {
            add("counter metrics should have \"_total\" suffix")
        } else if type != .unknown && type != .counter && hasTotal {
            add("non-counter metrics should not have \"_total\" suffix")
        }

        if type != .unknown {
            let isHistogram = type == .histogram, isSummary = type == .summary
            if !isHistogram && UTF8Bytes.hasSuffix(name, "_bucket") {
                add("non-histogram metrics should not have \"_bucket\" suffix")
            }
            if !isHistogram && !isSummary && UTF8Bytes.hasSuffix(name, "_count") {
                add("non-histogram and non-summary metrics should not have \"_count\" suffix")
            }
            if !isHistogram && !isSummary && UTF8Bytes.hasSuffix(name, "_sum") {
                add("non-histogram and non-summary metrics should not have \"_sum\" suffix")
            }
            for sample in family.samples {
                for label in sample.labels where label.name != "__name__" {
                    if !isHistogram && label.name == "le" { add("non-histogram metrics should not have \"le\" label") }
                    if !isSummary && label.name == "quantile" { add("non-summary metrics should not have \"quantile\" label") }
                }
            }
        }

        for (typeName, inner, suffix) in typeNamePatterns
        where UTF8Bytes.contains(lower, inner) || UTF8Bytes.hasSuffix(lower, suffix) {
            add("metric name should not include type '\(typeName)'")
        }

        if UTF8Bytes.contains(name, ":") { add("metric names should not contain ':'") }

        if isCamelCase(name) { add("metric names should be written in 'snake_case' not 'camelCase'") }
        for sample in family.samples {
            for label in sample.labels where label.name != "__name__" && isCamelCase(label.name) {
                add("label names should be written in 'snake_case' not 'camelCase'")
            }
        }

        for (inner, suffix) in abbreviationPatterns
        where UTF8Bytes.contains(lower, inner) || UTF8Bytes.hasSuffix(lower, suffix) {
            add("metric names should not contain abbreviated units")
        }
    }

    /// A lowercase ASCII letter followed by an uppercase one.
    static func isCamelCase(_ s: String) -> Bool {
        var previousLower = false
        for b in s.utf8 {
            if previousLower && b >= 0x41 && b <= 0x5a { return true }
            previousLower = b >= 0x61 && b <= 0x7a
        }
        return false
    }

    /// The first `_`-separated word of `name` that is a known unit (optionally with an
    /// SI or binary prefix), with its base unit.
    static func detectedUnit(in name: String) -> (unit: String, base: String)? {
        for word in name.utf8.split(separator: UInt8(ascii: "_"), omittingEmptySubsequences: true) {
            let w = String(decoding: word, as: UTF8.self)
            if let base = unitsWithPrefixes[w] { return (w, base) }
        }
        return nil
    }

    /// Every unit, bare and with every prefix, mapped to its base unit.
    static let unitsWithPrefixes: [String: String] = {
        var all = baseUnits
        for (unit, base) in baseUnits {
            for prefix in unitPrefixes where all[prefix + unit] == nil { all[prefix + unit] = base }
        }
        return all
    }()

    static let typeNamePatterns = ["counter", "gauge", "summary", "histogram", "gauge_histogram"].map { ($0, "_" + $0 + "_", "_" + $0) }

    static let abbreviationPatterns = unitAbbreviations.map { ("_" + $0 + "_", "_" + $0) }

    static let baseUnits: [String: String] = [
        "amperes": "amperes", "bytes": "bytes", "celsius": "celsius", "grams": "grams",
        "joules": "joules", "kelvin": "kelvin", "meters": "meters", "metres": "metres",
        "seconds": "seconds", "volts": "volts",
        "minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
        "kelvins": "kelvin", "fahrenheit": "celsius", "rankine": "celsius",
        "inches": "meters", "yards": "meters", "miles": "meters",
        "bits": "bytes", "calories": "joules", "pounds": "grams", "ounces": "grams",
    ]

    static let unitPrefixes = [
        "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi",
        "mega", "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi",
    ]

    static let unitAbbreviations = ["s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"]
}

