import Model
import PromQL

/// A place in a rule file, for messages: `FILE:LINE:COLUMN` (1-based).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A rule file as written: its groups, validated (expressions parsed, templates parsed,
/// durations and names checked). Nothing is half-loaded: a file with one bad rule does
/// not produce a `RuleFile` at all.
public struct RuleFile: Sendable {
    public var path: String
    public var groups: [RuleGroupDefinition]

    public init(path: String, groups: [RuleGroupDefinition]) {
        self.path = path
        self.groups = groups
    }
}

/// One group of a rule file.
public struct RuleGroupDefinition: Sendable {
    public var name: String
    /// The evaluation interval in ms; nil: the global evaluation interval.
    public var interval: Int64?
    /// `query_offset` in ms; nil: the global `rule_query_offset`.
    public var queryOffset: Int64?
    /// `limit`: the most series a rule may produce (alerts: pending + firing); 0: no limit.
    public var limit: Int
    /// Labels added to every rule of the group (rule labels win), in file order.
    public var labels: [(name: String, value: String)]
    public var rules: [RuleDefinition]
    public var location: SourceLocation

    public init(
        name: String, interval: Int64? = nil, queryOffset: Int64? = nil, limit: Int = 0,
        labels: [(name: String, value: String)] = [], rules: [RuleDefinition], location: SourceLocation
    ) {
        self.name = name
        self.interval = interval
        self.queryOffset = queryOffset
        self.limit = limit
        self.labels = labels
        self.rules = rules
        self.location = location
    }
}

/// One recording or alerting rule.
public struct RuleDefinition: Sendable {
    public enum Kind: Sendable, Hashable {
        /// `record: NAME`
        case recording(String)
        /// `alert: NAME`
        case alerting(String)
    }

    public var kind: Kind
    /// The expression as written, and parsed.
    public var exprText: String
    public var expr: Expr
    /// `for` in ms (alerts only).
    public var holdDuration: Int64
    /// `keep_firing_for` in ms (alerts only).
    public var keepFiringFor: Int64
    /// Labels, in file order; values of alerting rules are templates.
    public var labels: [(name: String, value: String)]
    /// Annotations (alerts only), in file order; values are templates.
    public var annotations: [(name: String, value: String)]
    public var location: SourceLocation

    public init(
        kind: Kind, exprText: String, expr: Expr, holdDuration: Int64 = 0, keepFiringFor: Int64 = 0,
        labels: [(name: String, value: String)] = [], annotations: [(name: String, value: String)] = [],
        location: SourceLocation
    ) {
        self.kind = kind
        self.exprText = exprText
        self.expr = expr
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
        self.location = location
    }

    /// The record or alert name.
    public var name: String {
        switch kind {
        case .recording(let n), .alerting(let n): n
        }
    }
}
