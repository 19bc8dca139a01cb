import Model

/// A Go text/template as Prometheus uses it in alert labels and annotations.
///
/// Prometheus expands a rule's template with the definitions
/// `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}`
/// prepended to the text, under the template name `__alert_NAME`, with `missingkey=zero` and
/// its function map (`query`, `humanize`, …). This type does the same: positions in errors
/// count the prepended definitions exactly as Go does, so the messages are Prometheus's.
public struct RuleTemplate: Sendable {
    public var text: String { parsed.text }
    public var name: String { parsed.name }
    /// What parsing made, shared by copies: a rule's templates are copied whenever it is.
    private let parsed: Parsed

    private final class Parsed: Sendable {
        let text: String
        let name: String
        let templates: TemplateSet
        let input: [UInt8]
        /// The template without the interpreter, when its shape allows.
        let direct: DirectTemplate?

        init(text: String, name: String, templates: TemplateSet, input: [UInt8]) {
            self.text = text
            self.name = name
            self.templates = templates
            self.input = input
            direct = DirectTemplate(templates, name: name)
        }
    }

    private var templates: TemplateSet { parsed.templates }
    private var input: [UInt8] { parsed.input }
    private var direct: DirectTemplate? { parsed.direct }

    /// What Prometheus prepends to every alert template.
    public static let definitions =
        "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

    /// Parses `text`; a syntax error or an unknown function fails here, with a position.
    public init(_ text: String, name: String) throws(TemplateError) {
        let input = Array((RuleTemplate.definitions + text).utf8)
        var parser = Parser(name: name, text: input, functions: TemplateFunctions.names)
        do {
            try parser.parse()
        } catch {
            let (line, column) = RuleTemplate.userPosition(of: error.pos, in: input)
            throw TemplateError(line: line, column: column, message: error.message, templateName: name)
        }
        parsed = Parsed(text: text, name: name, templates: parser.set, input: input)
    }

    /// Whether alert expansions skip the interpreter (see ``DirectTemplate``).
    var isDirect: Bool { direct != nil }

    /// Whether the expansion depends on the sample's labels alone (not on its value nor on the
    /// evaluation time), so that it can be remembered by labels. False when unsure.
    public var readsLabelsOnly: Bool { direct?.readsLabelsOnly ?? false }

    /// Expands the template for an alert sample with `labels` and `value`, as
    /// ``expand(_:environment:)`` with `data()` does; `data` is only called when the
    /// template needs the interpreter (most are expanded straight from `labels`).
    public func expand(labels: Labels, value: Double, environment: TemplateEnvironment, data: () -> TemplateData) -> String {
        if let direct, let output = direct.expand(labels: labels, value: value, environment: environment) { return output }
        return expand(data(), environment: environment)
    }

    /// Expands the template for `data`. A failure during execution gives Prometheus's text
    /// `<error expanding template: …>` instead of the expansion.
    public func expand(_ data: TemplateData, environment: TemplateEnvironment) -> String {
        switch execute(data, environment: environment) {
        case .success(let s): return s
        case .failure(let message): return "<error expanding template: \(message)>"
        }
    }

    /// The expansion, or Prometheus's error text (`error executing template NAME: template: …`).
    public func execute(_ data: TemplateData, environment: TemplateEnvironment) -> Result<String, TemplateExecutionError> {
        var executor = Executor(set: templates, parseName: name, input: input, context: FunctionContext(environment: environment))
        do {
            try executor.execute(.data(data))
            return .success(executor.output)
        } catch .failure(let message) {
            return .failure(TemplateExecutionError(message: "error executing template \(name): \(message)"))
        } catch {
            return .success(executor.output)
        }
    }

    /// 1-based line and column (in characters) of a byte offset, within the user's text.
    private static func userPosition(of pos: Int, in input: [UInt8]) -> (Int, Int) {
        let prefix = definitions.utf8.count
        let p = max(prefix, min(pos, input.count))
        var line = 1
        var lineStart = prefix
        for i in prefix..<p where input[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: input[lineStart..<p], as: UTF8.self).unicodeScalars.count + 1
        return (line, column)
    }
}

/// Why a template does not parse or execute.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line and column inside the template text.
    public var line: Int
    public var column: Int
    /// Go's message, e.g. `template: __alert_X:1: function "foo" not defined`.
    public var message: String
    /// The template's name (Prometheus's `__alert_NAME`), when known.
    public var templateName: String

    public init(line: Int, column: Int, message: String, templateName: String = "") {
        self.line = line
        self.column = column
        self.message = message
        self.templateName = templateName
    }

    /// Prometheus's text for the failure: `error parsing template NAME: MESSAGE`, which it
    /// shows as `<error expanding template: …>` in place of the expansion.
    public var description: String {
        templateName.isEmpty ? message : "error parsing template \(templateName): \(message)"
    }
}

/// A failure while expanding, with Prometheus's text: `error executing template NAME: template:
/// NAME:LINE:COLUMN: executing "NAME" at <NODE>: MESSAGE`.
public struct TemplateExecutionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
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
