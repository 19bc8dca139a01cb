import Model

/// A rule unit-test file, as `promtool test rules` reads it: the rule files to load, the
/// evaluation interval, the group evaluation order and the test groups.
///
/// Durations are milliseconds. Every part remembers where it was written, for messages.
public struct RuleTestFile: Sendable {
    /// The test file's path, as given.
    public var path: String
    /// `rule_files`, as written (relative to the test file's folder; globs allowed).
    public var ruleFiles: [String]
    /// `evaluation_interval`; 1m when absent or zero.
    public var evaluationInterval: Int64
    /// `group_eval_order`: groups evaluated first at each step, in this order.
    public var groupEvalOrder: [String]
    /// `fuzzy_compare`: floats equal when they differ by at most one step of the last mantissa bit.
    public var fuzzyCompare: Bool
    public var tests: [RuleTestGroup]

    public init(
        path: String, ruleFiles: [String] = [], evaluationInterval: Int64 = 60_000, groupEvalOrder: [String] = [],
        fuzzyCompare: Bool = false, tests: [RuleTestGroup] = []
    ) {
        self.path = path
        self.ruleFiles = ruleFiles
        self.evaluationInterval = evaluationInterval
        self.groupEvalOrder = groupEvalOrder
        self.fuzzyCompare = fuzzyCompare
        self.tests = tests
    }
}

/// One entry of `tests`: input series and the checks made against them.
public struct RuleTestGroup: Sendable {
    /// `name`; empty when absent.
    public var name: String
    /// `interval` of the input series; nil (or zero in the file): the evaluation interval.
    public var interval: Int64?
    public var inputSeries: [InputSeries]
    public var alertTests: [AlertTestCase]
    public var promqlTests: [PromQLTestCase]
    /// `external_labels` and `external_url`, as alert templates see them.
    public var externalLabels: Labels
    public var externalURL: String
    /// `start_timestamp` (ms since the epoch): the time of the first input sample and of
    /// `eval_time: 0`.
    public var startTimestamp: Int64
    public var location: SourceLocation

    public init(
        name: String = "", interval: Int64? = nil, inputSeries: [InputSeries] = [], alertTests: [AlertTestCase] = [],
        promqlTests: [PromQLTestCase] = [], externalLabels: Labels = .empty, externalURL: String = "",
        startTimestamp: Int64 = 0, location: SourceLocation
    ) {
        self.name = name
        self.interval = interval
        self.inputSeries = inputSeries
        self.alertTests = alertTests
        self.promqlTests = promqlTests
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.startTimestamp = startTimestamp
        self.location = location
    }

    /// The latest `eval_time` of all checks (ms after the start): the evaluation loop's end.
    public var maxEvalTime: Int64 {
        max(alertTests.map(\.evalTime).max() ?? 0, promqlTests.map(\.evalTime).max() ?? 0)
    }
}

/// `{series: 'metric{a="b"}', values: '1+1x10 _ stale'}`.
public struct InputSeries: Sendable {
    public var series: String
    public var values: String
    public var location: SourceLocation

    public init(series: String, values: String, location: SourceLocation) {
        self.series = series
        self.values = values
        self.location = location
    }
}

/// `{eval_time, alertname, exp_alerts}`: the alerts of that name firing at that time.
public struct AlertTestCase: Sendable {
    /// ms after the start.
    public var evalTime: Int64
    public var alertname: String
    public var expectedAlerts: [ExpectedAlert]
    public var location: SourceLocation

    public init(evalTime: Int64, alertname: String, expectedAlerts: [ExpectedAlert] = [], location: SourceLocation) {
        self.evalTime = evalTime
        self.alertname = alertname
        self.expectedAlerts = expectedAlerts
        self.location = location
    }
}

/// `{exp_labels, exp_annotations}`. Empty values are kept (they never match a real alert's
/// labels, as in promtool).
public struct ExpectedAlert: Sendable {
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(labels: [String: String] = [:], annotations: [String: String] = [:]) {
        self.labels = labels
        self.annotations = annotations
    }
}

/// `{expr, eval_time, exp_samples}`.
public struct PromQLTestCase: Sendable {
    public var expr: String
    /// ms after the start.
    public var evalTime: Int64
    public var expectedSamples: [ExpectedSample]
    public var location: SourceLocation

    public init(expr: String, evalTime: Int64, expectedSamples: [ExpectedSample] = [], location: SourceLocation) {
        self.expr = expr
        self.evalTime = evalTime
        self.expectedSamples = expectedSamples
        self.location = location
    }
}

/// `{labels: 'metric{a="b"}', value: 1}` (or `histogram: '{{…}}'`, which Hindsight cannot hold).
public struct ExpectedSample: Sendable {
    public var labels: String
    public var value: Double
    public var histogram: String
    public var location: SourceLocation

    public init(labels: String, value: Double, histogram: String = "", location: SourceLocation) {
        self.labels = labels
        self.value = value
        self.histogram = histogram
        self.location = location
    }
}

/// Why a test file cannot be used: every problem found, `FILE:LINE:COLUMN: MESSAGE` each.
public struct RuleTestFileError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [RuleFileDiagnostic]

    public init(diagnostics: [RuleFileDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
