/// A Go text/template as Prometheus uses it in alert labels and annotations.
/// (Stub: the template engine lands in its own change.)
public struct RuleTemplate: Sendable {
    public let text: String
    public let name: String

    /// Parses `text`; a syntax error or an unknown function fails here, with a position.
    public init(_ text: String, name: String) throws(TemplateError) {
        self.text = text
        self.name = name
    }

    /// Expands the template for `data`. A failure during execution gives Prometheus's text
    /// `<error expanding template: …>` instead of the expansion.
    public func expand(_ data: TemplateData, environment: TemplateEnvironment) -> String {
        text
    }
}

/// Why a template does not parse or execute.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line and column inside the template text.
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { message }
}

/// What a rule template sees as `.Labels`/`$labels`, `.Value`/`$value`,
/// `.ExternalLabels`/`$externalLabels` and `.ExternalURL`/`$externalURL`.
public struct TemplateData: Sendable {
    public var labels: [String: String]
    public var value: Double
    public var externalLabels: [String: String]
    public var externalURL: String

    public init(labels: [String: String], value: Double, externalLabels: [String: String] = [:], externalURL: String = "") {
        self.labels = labels
        self.value = value
        self.externalLabels = externalLabels
        self.externalURL = externalURL
    }
}

/// One sample as the template functions `query`, `first`, `label`, `value`, `sortByLabel` see it.
public struct TemplateSample: Sendable, Hashable {
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// The surroundings of one expansion: the evaluation time (for `query`), how to run a
/// PromQL query, and the external URL (for `externalURL`, `pathPrefix`, `graphLink`, …).
public struct TemplateEnvironment: Sendable {
    /// Evaluation time in ms.
    public var time: Int64
    public var externalURL: String
    /// Runs an instant query at `time` (ms) and returns its samples; a failure's message
    /// becomes the template error.
    public var query: @Sendable (_ expr: String, _ time: Int64) throws -> [TemplateSample]

    public init(time: Int64, externalURL: String = "", query: @escaping @Sendable (String, Int64) throws -> [TemplateSample] = { _, _ in [] }) {
        self.time = time
        self.externalURL = externalURL
        self.query = query
    }
}
