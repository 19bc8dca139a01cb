import Model

/// Checks the rules of the Prometheus text format (0.0.4) that its parser leaves to
/// the consumer, as `promtool check metrics` (Go's `expfmt`) enforces them: one HELP
/// and one TYPE per family, TYPE before the family's samples, and float `le` and
/// `quantile` labels on histograms and summaries.
public struct TextFormatValidator: Sendable {
    private var help: Set<String> = []
    private var typed: [String: MetricType] = [:]
    private var sampled: Set<String> = []
    private var lastSampledFamily: String?
    private var current: Current?

    /// The family the latest samples belong to.
    private struct Current: Sendable {
        let name: String
        let type: MetricType

        func suffix(of sampleName: String) -> String? {
            type.sampleSuffix(of: sampleName, family: name, format: .text)
        }
    }

    public init() {}

    public mutating func check(_ entry: ExpositionEntry, line: Int) throws(ExpositionError) {
        func fail(_ message: String) -> ExpositionError {
            ExpositionError(line: line, column: 1, reason: .semantic(message))
        }
        switch entry {
        case .comment, .unit:
            return
        case let .help(name, _):
            if help.contains(name) { throw fail("second HELP line for metric name \(quoteForMessage(name))") }
            help.insert(name)
        case let .type(name, type):
            if typed[name] != nil { throw fail("second TYPE line for metric name \(quoteForMessage(name))") }
            if sampled.contains(name) {
                throw fail("TYPE line for metric name \(quoteForMessage(name)) must come before its samples")
            }
            typed[name] = type
            current = Current(name: name, type: type)
        case let .sample(sample):
            let name = sample.name
            if current?.suffix(of: name) == nil {
                current = Current(name: name, type: typed[name] ?? .unknown)
            }
            guard let family = current, let suffix = family.suffix(of: name) else { return }
            if family.name != lastSampledFamily {
                // Once per run of a family's samples, not per sample.
                sampled.insert(family.name)
                lastSampledFamily = family.name
            }
            switch family.type {
            case .histogram where suffix == "_bucket":
                guard let le = sample.labels[LabelName.bucket], let bound = GoFloat.parse(le), !bound.isNaN else {
                    throw fail("expected a float as the value of the 'le' label of \(quoteForMessage(name)), got \(quoteForMessage(sample.labels.value(of: LabelName.bucket)))")
                }
            case .summary where suffix.isEmpty:
                guard let q = sample.labels[LabelName.quantile], GoFloat.parse(q) != nil else {
                    throw fail("expected a float as the value of the 'quantile' label of \(quoteForMessage(name)), got \(quoteForMessage(sample.labels.value(of: LabelName.quantile)))")
                }
            default:
                break
            }
        }
    }
}

/// The outcome of checking an exposition: its families, the first error (parse or
/// format rule), and lint findings (only computed when it parsed).
public struct ExpositionCheckReport: Sendable {
    public var families: [MetricFamily]
    public var error: ExpositionError?
    public var problems: [LintProblem]

    public var sampleCount: Int { families.reduce(0) { $0 + $1.samples.count } }
    public var exemplarCount: Int {
        families.reduce(0) { total, family in total + family.samples.count { $0.exemplar != nil } }
    }
}

/// What `hindsight check metrics` does: parse, apply the format's rules, then lint.
public enum ExpositionChecker {
    public static func check(_ bytes: [UInt8], format: ExpositionFormat, lint: Bool = true) -> ExpositionCheckReport {
        var parser = format.makeParser(bytes)
        var collector = MetricFamilyCollector(format: format)
        var openMetricsRules = OpenMetricsValidator()
        var textRules = TextFormatValidator()
        do throws(ExpositionError) {
            while let entry = try parser.next() {
                switch format {
                case .openMetrics: try openMetricsRules.check(entry, line: parser.line)
                case .text: try textRules.check(entry, line: parser.line)
                }
                collector.add(entry)
            }
            if format == .openMetrics { try openMetricsRules.finish(line: parser.line) }
        } catch {
            return ExpositionCheckReport(families: collector.families, error: error, problems: [])
        }
        let problems = lint ? ExpositionLinter.lint(collector.families, format: format) : []
        return ExpositionCheckReport(families: collector.families, error: nil, problems: problems)
    }
}
