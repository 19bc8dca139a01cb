import Foundation
import Model
import PromQL
import TSDB

/// Runs rule unit-test files as `promtool test rules` does, with the same verdicts and
/// failure texts.
///
/// For each test group: the input series are loaded into a fresh in-memory head step by
/// step; every rule group is evaluated at each multiple of `evaluation_interval` from the
/// start up to the latest `eval_time` (in `group_eval_order`, then file order), after
/// loading the samples up to that time; alert tests are checked against the evaluation at
/// or just before their `eval_time`, using only firing alerts; PromQL tests run after the
/// loop, against everything loaded and recorded.
public struct RuleTestRunner: Sendable {
    /// Reads one input series line, `metric{a="b"} 1+1x3 _ stale` (promqltest's series
    /// notation): its labels and one value per step, nil for `_`. Throws for a malformed line,
    /// or for values that cannot be held (native histograms). Supplied by the caller, so that
    /// this module need not depend on the promqltest runner.
    public typealias SeriesReader = @Sendable (_ line: String) throws -> (labels: Labels, values: [Double?])

    public struct Options: Sendable {
        /// `--run`: only test groups whose name matches one of these regular expressions
        /// (unanchored, RE2) run.
        public var run: [String]
        /// Accept unknown fields in rule files (`--ignore-unknown-fields`).
        public var ignoreUnknownFields: Bool
        /// Experimental PromQL functions in rules and test expressions.
        public var experimentalPromQL: Bool

        public init(run: [String] = [], ignoreUnknownFields: Bool = false, experimentalPromQL: Bool = false) {
            self.run = run
            self.ignoreUnknownFields = ignoreUnknownFields
            self.experimentalPromQL = experimentalPromQL
        }
    }

    public let options: Options
    let readSeries: SeriesReader
    let runFilter: RE2Regex?

    /// Throws when a `run` pattern is not a valid regular expression.
    public init(options: Options = Options(), readSeries: @escaping SeriesReader) throws(RegexError) {
        self.options = options
        self.readSeries = readSeries
        runFilter = options.run.isEmpty ? nil : try RE2Regex("(?s:.*)(?:\(options.run.joined(separator: "|")))(?s:.*)")
    }

    /// Runs the test file at `path`.
    public func run(path: String) -> RuleTestFileReport {
        var report = RuleTestFileReport(path: path)
        let file: RuleTestFile
        do {
            file = try RuleTestFile.load(path: path)
        } catch {
            // Placed problems read FILE:LINE:COLUMN: …; a file that cannot be read, as Go says it.
            report.fileErrors = error.diagnostics.map { $0.location == nil ? $0.message : $0.description }
            return report
        }
        return run(file, into: report)
    }

    /// Runs an already parsed test file.
    public func run(_ file: RuleTestFile) -> RuleTestFileReport {
        run(file, into: RuleTestFileReport(path: file.path))
    }

    private func run(_ file: RuleTestFile, into initial: RuleTestFileReport) -> RuleTestFileReport {
        var report = initial
        // Rule files: relative to the test file's folder, then globbed.
        let base = TestFilePaths.directory(of: file.path)
        var ruleFiles: [String] = []
        for entry in file.ruleFiles {
            let pattern = TestFilePaths.resolve(entry, relativeTo: base)
            guard let matches = TestFilePaths.glob(pattern) else {
                report.fileErrors = ["syntax error in pattern"]
                return report
            }
            if matches.isEmpty { report.warnings.append("  WARNING: no file match pattern \(pattern)") }
            ruleFiles += matches
        }
        report.timestamp = Self.localTimestamp()

        var order: [String: Int] = [:]
        for (i, name) in file.groupEvalOrder.enumerated() {
            if order[name] != nil {
                report.fileErrors = ["group name repeated in evaluation order: \(name)"]
                return report
            }
            order[name] = i
        }

        // Loaded once; promtool reloads them for every test group, with the same outcome.
        let loaded = Result { () throws(RuleFileError) in
            try RuleFileLoader.load(paths: ruleFiles, options: RuleFileLoader.Options(
                ignoreUnknownFields: options.ignoreUnknownFields, experimentalPromQL: options.experimentalPromQL))
        }

        for (i, test) in file.tests.enumerated() {
            if let runFilter, !runFilter.fullMatch(test.name) { continue }
            let name = test.name.isEmpty ? "unnamed#\(i)" : test.name
            let failures = TestGroupRun(
                test: test, file: file, ruleFiles: loaded, order: order, readSeries: readSeries,
                experimentalPromQL: options.experimentalPromQL
            ).run()
            report.groups.append(RuleTestGroupReport(name: name, failures: failures))
        }
        return report
    }

    /// Now, as promtool stamps JUnit suites: local time, `2006-01-02T15:04:05`.
    static func localTimestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date())
    }
}

/// What running one test file gave.
public struct RuleTestFileReport: Sendable {
    public var path: String
    /// Problems with the file as a whole (unreadable, malformed): no test group ran.
    public var fileErrors: [String] = []
    /// `  WARNING: no file match pattern …` lines, for standard error.
    public var warnings: [String] = []
    /// The test groups that ran, in file order.
    public var groups: [RuleTestGroupReport] = []
    /// When the tests started (local time, `2006-01-02T15:04:05`); empty when the file could not be read.
    public var timestamp: String = ""

    public init(path: String) {
        self.path = path
    }

    /// Every failure, in promtool's words and order.
    public var failures: [String] { fileErrors + groups.flatMap(\.failures) }
    public var succeeded: Bool { failures.isEmpty }
}

/// One test group's outcome; `name` is its `name`, or `unnamed#INDEX`.
public struct RuleTestGroupReport: Sendable {
    public var name: String
    public var failures: [String]

    public init(name: String, failures: [String]) {
        self.name = name
        self.failures = failures
    }
}
