import Model
import PromQL
import Yams

/// Turns a composed YAML document into validated groups, checking everything Prometheus's
/// `rulefmt` checks (strict fields, types, names, expressions, templates, durations) and
/// keeping every problem with its place in the file.
struct RuleFileValidator {
    typealias Problem = YAMLFields.Problem

    let path: String
    /// The file's text, split into lines once a position inside a value is needed.
    private let lazySource: LazySourceText
    private var source: SourceText { lazySource.value }
    let options: RuleFileLoader.Options
    private(set) var diagnostics: [RuleFileDiagnostic] = []

    init(path: String, text: String, options: RuleFileLoader.Options) {
        self.path = path
        self.lazySource = LazySourceText(text)
        self.options = options
    }

    // MARK: Reporting

    private func location(_ position: SourceText.Position?) -> SourceLocation? {
        position.map { SourceLocation(file: path, line: $0.line, column: $0.column) }
    }

    private mutating func report(_ problem: Problem, prefix: String = "") {
        diagnostics.append(RuleFileDiagnostic(file: path, location: location(problem.position), message: prefix + problem.message))
    }

    private mutating func report(_ problems: [Problem], prefix: String = "") {
        for problem in problems { report(problem, prefix: prefix) }
    }

    // MARK: The document

    /// The groups of a document (nil: an empty document).
    mutating func groups(of root: YAMLNode?) -> [RuleGroupDefinition] {
        guard let root, !YAMLFields.isNull(root) else { return [] }
        var problems: [Problem] = []
        guard case .mapping(let mapping) = root else {
            report(YAMLFields.typeError(root, into: "rulefmt.RuleGroups"))
            return []
        }
        var groupNodes: [YAMLNode] = []
        for (key, value) in YAMLFields.entries(of: mapping) {
            guard let name = YAMLFields.keyName(key, problems: &problems) else { continue }
            switch name {
            case "groups":
                groupNodes = YAMLFields.sequence(value, of: "[]rulefmt.RuleGroup", problems: &problems) ?? []
            default:
                if !options.ignoreUnknownFields {
                    problems.append(YAMLFields.unknownField(name, key: key, type: "rulefmt.RuleGroups"))
                }
            }
        }
        report(problems)
        var seenNames: Set<String> = []
        var groups: [RuleGroupDefinition] = []
        for node in groupNodes {
            if let group = group(node, seenNames: &seenNames) { groups.append(group) }
        }
        return groups
    }

    // MARK: Groups

    private mutating func group(_ node: YAMLNode, seenNames: inout Set<String>) -> RuleGroupDefinition? {
        let position = YAMLFields.position(of: node)
        var problems: [Problem] = []
        var name: String?
        var nameNode: YAMLNode?
        var interval: Int64? = 0
        var queryOffset: Int64?
        var limit: Int? = 0
        var labels: [YAMLFields.StringPair]? = []
        var ruleNodes: [YAMLNode]? = []
        var rulesKey: YAMLNode?

        if case .mapping(let mapping) = node {
            for (key, value) in YAMLFields.entries(of: mapping) {
                guard let field = YAMLFields.keyName(key, problems: &problems) else { continue }
                switch field {
                case "name":
                    name = YAMLFields.string(value, problems: &problems)
                    nameNode = value
                case "interval": interval = YAMLFields.duration(value, problems: &problems)
                case "query_offset":
                    queryOffset = YAMLFields.isNull(value) ? nil : YAMLFields.duration(value, problems: &problems)
                case "limit": limit = YAMLFields.int(value, problems: &problems)
                case "labels": labels = YAMLFields.stringMap(value, problems: &problems)
                case "rules":
                    ruleNodes = YAMLFields.sequence(value, of: "[]rulefmt.Rule", problems: &problems)
                    rulesKey = key
                default:
                    if !options.ignoreUnknownFields {
                        problems.append(YAMLFields.unknownField(field, key: key, type: "rulefmt.RuleGroup"))
                    }
                }
            }
            if nameNode == nil { name = "" }
        } else if YAMLFields.isNull(node) {
            name = ""
        } else {
            report(YAMLFields.typeError(node, into: "rulefmt.RuleGroup"))
            return nil
        }
        let decodingFailed = !problems.isEmpty
        report(problems)

        // Prometheus's checks, in its order.
        if let name {
            if name.isEmpty {
                report(Problem(position: position, message: "Groupname must not be empty"))
            }
            if seenNames.contains(name) {
                report(Problem(position: position, message: "groupname: \"\(name)\" is repeated in the same file"))
            }
            seenNames.insert(name)
        }
        for label in labels ?? [] {
            if !isValidLabelName(label.name) {
                report(Problem(position: YAMLFields.position(of: label.key), message: "invalid label name: \(label.name)"))
            }
        }

        let groupName = name ?? ""
        var rules: [RuleDefinition] = []
        var rulesFailed = false
        for (index, ruleNode) in (ruleNodes ?? []).enumerated() {
            if let rule = rule(ruleNode, index: index + 1, group: groupName, rulesKey: rulesKey) {
                rules.append(rule)
            } else {
                rulesFailed = true
            }
        }
        guard !decodingFailed, !rulesFailed, let name, let interval, let limit, let labels, ruleNodes != nil else { return nil }
        return RuleGroupDefinition(
            name: name,
            interval: interval == 0 ? nil : interval,
            queryOffset: queryOffset,
            // Prometheus applies a limit only when it is positive.
            limit: max(limit, 0),
            labels: labels.map { (name: $0.name, value: $0.value) },
            rules: rules,
            location: location(position) ?? SourceLocation(file: path, line: 0, column: 0)
        )
    }

    private func isValidLabelName(_ name: String) -> Bool {
        MetricNames.isValidLabelName(name, scheme: options.nameValidation) && name != LabelName.metricName
    }

    // MARK: Rules

    /// One rule's fields as written: each nil when absent or undecodable.
    private struct RuleFields {
        var record: (value: String, node: YAMLNode)?
        var alert: (value: String, node: YAMLNode)?
        var expr: (value: String, node: YAMLNode, key: YAMLNode)?
        var holdDuration: (value: Int64, key: YAMLNode)?
        var keepFiringFor: (value: Int64, key: YAMLNode)?
        var labels: (pairs: [YAMLFields.StringPair], key: YAMLNode)?
        var annotations: (pairs: [YAMLFields.StringPair], key: YAMLNode)?
        /// Fields present but not decodable: their checks are skipped, not doubled.
        var failed: Set<String> = []
    }

    /// A rule, validated; nil (with diagnostics) when anything is wrong with it.
    private mutating func rule(_ node: YAMLNode, index: Int, group: String, rulesKey: YAMLNode?) -> RuleDefinition? {
        let position = YAMLFields.position(of: node)
        var problems: [Problem] = []
        var fields = RuleFields()
        if case .mapping(let mapping) = node {
            for (key, value) in YAMLFields.entries(of: mapping) {
                guard let field = YAMLFields.keyName(key, problems: &problems) else { continue }
                let before = problems.count
                switch field {
                case "record": fields.record = YAMLFields.string(value, problems: &problems).map { ($0, value) }
                case "alert": fields.alert = YAMLFields.string(value, problems: &problems).map { ($0, value) }
                case "expr": fields.expr = YAMLFields.string(value, problems: &problems).map { ($0, value, key) }
                case "for": fields.holdDuration = YAMLFields.duration(value, problems: &problems).map { ($0, key) }
                case "keep_firing_for": fields.keepFiringFor = YAMLFields.duration(value, problems: &problems).map { ($0, key) }
                case "labels": fields.labels = YAMLFields.stringMap(value, problems: &problems).map { ($0, key) }
                case "annotations": fields.annotations = YAMLFields.stringMap(value, problems: &problems).map { ($0, key) }
                default:
                    if !options.ignoreUnknownFields {
                        problems.append(YAMLFields.unknownField(field, key: key, type: "rulefmt.Rule"))
                    }
                }
                if problems.count > before { fields.failed.insert(field) }
            }
        } else if !YAMLFields.isNull(node) {
            let prefix = "group \(GoString.quote(group)), rule \(index), \"\": "
            report(YAMLFields.typeError(node, into: "rulefmt.Rule"), prefix: prefix)
            return nil
        }

        let record = fields.record?.value ?? ""
        let alert = fields.alert?.value ?? ""
        let ruleName = alert.isEmpty ? record : alert
        let prefix = "group \(GoString.quote(group)), rule \(index), \(GoString.quote(ruleName)): "
        let before = diagnostics.count
        report(problems, prefix: prefix)

        // Prometheus's checks (rulefmt.Rule.Validate), in its order.
        var checks: [Problem] = []
        let nameFailed = fields.failed.contains("record") || fields.failed.contains("alert")
        if !record.isEmpty && !alert.isEmpty {
            checks.append(Problem(position: fields.record.flatMap { YAMLFields.position(of: $0.node) } ?? position,
                                  message: "only one of 'record' and 'alert' must be set"))
        }
        if record.isEmpty && alert.isEmpty && !nameFailed {
            checks.append(Problem(position: position, message: "one of 'record' or 'alert' must be set"))
        }
        var parsed: Expr?
        if let expr = fields.expr, !expr.value.isEmpty {
            do {
                parsed = try PromQLParser.parse(expr.value, experimental: options.experimentalPromQL)
            } catch {
                checks.append(expressionProblem(error, expr: expr.node, key: expr.key))
            }
        } else if !fields.failed.contains("expr") {
            checks.append(Problem(position: fields.expr.flatMap { YAMLFields.position(of: $0.node) } ?? position,
                                  message: "field 'expr' must be set in rule"))
        }
        if !record.isEmpty {
            if let annotations = fields.annotations, !annotations.pairs.isEmpty {
                checks.append(Problem(position: YAMLFields.position(of: annotations.key), message: "invalid field 'annotations' in recording rule"))
            }
            if let hold = fields.holdDuration, hold.value != 0 {
                checks.append(Problem(position: YAMLFields.position(of: hold.key), message: "invalid field 'for' in recording rule"))
            }
            if let keep = fields.keepFiringFor, keep.value != 0 {
                checks.append(Problem(position: YAMLFields.position(of: keep.key), message: "invalid field 'keep_firing_for' in recording rule"))
            }
            let recordPosition = fields.record.flatMap { YAMLFields.position(of: $0.node) }
            if !MetricNames.isValidMetricName(record, scheme: options.nameValidation) {
                checks.append(Problem(position: recordPosition, message: "invalid recording rule name: \(record)"))
            }
            if record.contains("{") || record.contains("}") {
                checks.append(Problem(position: recordPosition,
                                      message: "braces present in the recording rule name; should it be in expr?: \(record)"))
            }
        }
        for label in fields.labels?.pairs ?? [] where !isValidLabelName(label.name) {
            checks.append(Problem(position: YAMLFields.position(of: label.key), message: "invalid label name: \(label.name)"))
        }
        for annotation in fields.annotations?.pairs ?? [] where !MetricNames.isValidLabelName(annotation.name, scheme: options.nameValidation) {
            checks.append(Problem(position: YAMLFields.position(of: annotation.key), message: "invalid annotation name: \(annotation.name)"))
        }
        if !alert.isEmpty {
            // Alerting rules' label and annotation values are templates.
            for label in fields.labels?.pairs ?? [] {
                if let problem = templateProblem(label, kind: "label", alert: alert) { checks.append(problem) }
            }
            for annotation in fields.annotations?.pairs ?? [] {
                if let problem = templateProblem(annotation, kind: "annotation", alert: alert) { checks.append(problem) }
            }
        }
        report(checks, prefix: prefix)

        guard diagnostics.count == before, let expr = fields.expr, let parsed else { return nil }
        let kind: RuleDefinition.Kind = alert.isEmpty ? .recording(record) : .alerting(alert)
        return RuleDefinition(
            kind: kind,
            exprText: expr.value,
            expr: parsed,
            holdDuration: fields.holdDuration?.value ?? 0,
            keepFiringFor: fields.keepFiringFor?.value ?? 0,
            labels: (fields.labels?.pairs ?? []).map { (name: $0.name, value: $0.value) },
            annotations: (fields.annotations?.pairs ?? []).map { (name: $0.name, value: $0.value) },
            location: location(position) ?? SourceLocation(file: path, line: 0, column: 0)
        )
    }

    /// A PromQL error, placed where its byte offset falls in the file.
    private func expressionProblem(_ error: ParseError, expr: YAMLNode, key: YAMLNode) -> Problem {
        var place = YAMLFields.position(of: expr)
        if case .scalar(let scalar) = expr {
            let parentIndent = (key.mark?.column ?? 1) - 1
            place = source.position(ofValueByte: error.position.start, in: scalar, parentIndent: parentIndent)
        }
        return Problem(position: place, message: "could not parse expression: parse error: \(error.message)")
    }

    /// A template error of an alerting rule's label or annotation value, placed where
    /// its line and column fall in the file.
    private func templateProblem(_ pair: YAMLFields.StringPair, kind: String, alert: String) -> Problem? {
        let name = "__alert_" + alert
        do {
            _ = try RuleTemplate(pair.value, name: name)
            return nil
        } catch {
            var place = YAMLFields.position(of: pair.valueNode)
            if case .scalar(let scalar) = pair.valueNode {
                let parentIndent = (pair.key.mark?.column ?? 1) - 1
                place = source.position(ofValueLine: error.line, column: error.column, in: scalar, parentIndent: parentIndent)
            }
            let text = error.message.hasPrefix("template: ") ? error.message : "template: \(name):\(error.line): \(error.message)"
            return Problem(position: place, message: "\(kind) \(GoString.quote(pair.name)): \(text)")
        }
    }
}

/// A ``SourceText`` made on first use: most files have no error to place.
private final class LazySourceText {
    let text: String
    lazy var value = SourceText(text)

    init(_ text: String) { self.text = text }
}
