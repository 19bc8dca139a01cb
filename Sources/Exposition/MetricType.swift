import Model

/// The type of a metric family, as declared by a `# TYPE` line.
///
/// The text format's `untyped` and OpenMetrics' `unknown` are the same thing: ``unknown``.
public enum MetricType: String, Sendable, CaseIterable, Hashable {
    case counter
    case gauge
    case histogram
    case gaugeHistogram = "gaugehistogram"
    case summary
    case info
    case stateSet = "stateset"
    case unknown

    /// Parses a `# TYPE` word of the Prometheus text format (0.0.4).
    public init?(textFormat word: String) {
        switch word {
        case "counter": self = .counter
        case "gauge": self = .gauge
        case "histogram": self = .histogram
        case "summary": self = .summary
        case "untyped": self = .unknown
        default: return nil
        }
    }

    /// Parses a `# TYPE` word of OpenMetrics 1.0.
    public init?(openMetrics word: String) {
        guard let type = MetricType(rawValue: word) else { return nil }
        self = type
    }

    /// The word the text format writes (`untyped` for unknown; types the text format
    /// lacks are written as `untyped`, which is what Prometheus does too).
    public var textFormatName: String {
        switch self {
        case .counter, .gauge, .histogram, .summary: return rawValue
        case .gaugeHistogram, .info, .stateSet, .unknown: return "untyped"
        }
    }

    /// The sample-name suffixes a family of this type exposes in OpenMetrics.
    public var openMetricsSuffixes: [String] {
        switch self {
        case .counter: return ["_total", "_created"]
        case .summary: return ["", "_count", "_sum", "_created"]
        case .histogram: return ["_bucket", "_count", "_sum", "_created"]
        case .gaugeHistogram: return ["_bucket", "_gcount", "_gsum"]
        case .info: return ["_info"]
        case .gauge, .stateSet, .unknown: return [""]
        }
    }

    /// The sample-name suffixes a family of this type exposes in the text format.
    public var textFormatSuffixes: [String] {
        switch self {
        case .summary: return ["", "_count", "_sum"]
        case .histogram: return ["_bucket", "_count", "_sum"]
        default: return [""]
        }
    }
}

extension MetricType {
    /// When `sampleName` is `family` followed by a suffix this type exposes in `format`,
    /// that suffix ("" for the family name itself); otherwise nil. Compares bytes, as
    /// Prometheus does, and allocates nothing.
    public func sampleSuffix(of sampleName: String, family: String, format: ExpositionFormat) -> String? {
        let extra = sampleName.utf8.count - family.utf8.count
        guard extra >= 0, UTF8Bytes.hasPrefix(sampleName, family) else { return nil }
        for suffix in format == .openMetrics ? openMetricsSuffixes : textFormatSuffixes
        where suffix.utf8.count == extra && UTF8Bytes.hasSuffix(sampleName, suffix) {
            return suffix
        }
        return nil
    }
}
