import Foundation
import Model
import PromQL
import Rules
import TestSupport
import Testing
import TSDB
@testable import Replay

/// `replay --align start` agrees with rule unit tests: for each alert_rule_test, the alerts
/// firing at eval_time (labels and annotations) are the ones the test expects.
@Suite struct ReplayFidelityTests {
    static let fixtures = [
        "alert_pending_to_firing.yml", "alert_keep_firing_for.yml", "alert_resolution.yml",
        "alert_multiple_instances.yml", "template_humanize_printf.yml",
    ]

    @Test(arguments: fixtures) func alertsAtEvalTimesMatchTheUnitTest(_ name: String) throws {
        let path = Conformance.packageRoot.appendingPathComponent("Tests/RulesTests/Fixtures/unittests/" + name).path
        let file = try RuleTestFile.load(path: path)
        let base = (path as NSString).deletingLastPathComponent
        let rulePaths = file.ruleFiles.map { $0.hasPrefix("/") ? $0 : base + "/" + $0 }
        let ruleFiles = try RuleFileLoader.load(paths: rulePaths)
        for test in file.tests {
            let step = test.interval ?? file.evaluationInterval
            var series: [(Labels, [(Int64, Double)])] = []
            for input in test.inputSeries {
                let labels = try Self.labels(input.series)
                let values = try expandSeriesValues(input.values)
                series.append((labels, values.enumerated().compactMap { i, v in v.map { (Int64(i) * step, $0) } }))
            }
            let data = try ReplayFixture(series)
            let end = test.alertTests.map(\.evalTime).max() ?? 0
            let configuration = ReplayConfiguration(
                from: 0, to: end, alignment: .start, evaluationInterval: file.evaluationInterval,
                externalLabels: test.externalLabels, externalURL: test.externalURL, dataStart: 0)
            let db = try ReadOnlyDB(directory: data.path)
            let report = try Replayer(files: ruleFiles, data: db, configuration: configuration).run()
            for alertTest in test.alertTests {
                #expect(Self.firing(in: report, alertTest, at: alertTest.evalTime) == Self.expected(alertTest), "\(name) at \(alertTest.evalTime / 1000)s")
            }
        }
    }

    /// Every alert_rule_test of the whole unit-test corpus that `hindsight test rules`
    /// passes (the corpus also holds tests written to fail, and tests of features a
    /// replay does not have: `group_eval_order`, native histograms), replayed over its
    /// input series stored as a block.
    @Test func everyPassingAlertTestOfTheCorpus() throws {
        let directory = Conformance.packageRoot.appendingPathComponent("Tests/RulesTests/Fixtures/unittests").path
        let runner = try RuleTestRunner(readSeries: RuleTestRunner.seriesNotationReader)
        var compared = 0, alertTests = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where name.hasSuffix(".yml") {
            let path = directory + "/" + name
            guard let file = try? RuleTestFile.load(path: path), file.groupEvalOrder.isEmpty else { continue }
            let report = runner.run(path: path)
            guard report.fileErrors.isEmpty, report.groups.count == file.tests.count else { continue }
            let rulePaths = file.ruleFiles.map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 }
            guard let ruleFiles = try? RuleFileLoader.load(paths: rulePaths) else { continue }
            for (test, groupReport) in zip(file.tests, report.groups) where groupReport.failures.isEmpty && !test.alertTests.isEmpty {
                let step = test.interval ?? file.evaluationInterval
                let start = test.startTimestamp
                var series: [(Labels, [(Int64, Double)])] = []
                var usable = true
                for input in test.inputSeries {
                    guard let labels = try? SeriesNotation.parseLine(input.series + " 0").0,
                          let values = try? expandSeriesValues(input.values) else { usable = false; break }
                    series.append((labels, values.enumerated().compactMap { i, v in v.map { (start + Int64(i) * step, $0) } }))
                }
                guard usable, !series.isEmpty else { continue }
                let data = try ReplayFixture(series)
                let end = start + (test.alertTests.map(\.evalTime).max() ?? 0)
                let configuration = ReplayConfiguration(
                    from: start, to: end, alignment: .start, evaluationInterval: file.evaluationInterval,
                    externalLabels: test.externalLabels, externalURL: test.externalURL, dataStart: start)
                let report = try Replayer(files: ruleFiles, data: try ReadOnlyDB(directory: data.path), configuration: configuration).run()
                for alertTest in test.alertTests {
                    let got = Self.firing(in: report, alertTest, at: start + alertTest.evalTime)
                    #expect(got == Self.expected(alertTest), "\(name) (\(test.name)) at \(alertTest.evalTime / 1000)s")
                    alertTests += 1
                }
                compared += 1
            }
        }
        #expect(compared >= 20, "test groups compared: \(compared)")
        #expect(alertTests >= 40, "alert tests compared: \(alertTests)")
    }

    /// The alerts of the test's rule firing at `t` in the replay: labels and the annotations
    /// as last templated by then, sorted.
    static func firing(in report: ReplayReport, _ alertTest: AlertTestCase, at t: Int64) -> [String] {
        report.alerts.filter { episode in
            episode.rule == alertTest.alertname && (episode.firingAt.map { $0 <= t } ?? false)
                && (episode.resolvedAt.map { $0 > t } ?? true)
        }.map { episode -> String in
            let annotations = episode.annotationChanges.last { $0.at <= t }?.annotations ?? .empty
            return "\(episode.labels) \(annotations)"
        }.sorted()
    }

    /// The alerts the test expects, in the same form.
    static func expected(_ alertTest: AlertTestCase) -> [String] {
        alertTest.expectedAlerts.map { alert -> String in
            var labels = alert.labels
            labels["alertname"] = alertTest.alertname
            return "\(Labels(labels.map { Label($0.key, $0.value) })) \(Labels(alert.annotations.map { Label($0.key, $0.value) }))"
        }.sorted()
    }

    /// The labels of a series written as a selector: `up{job="node"}`.
    static func labels(_ selector: String) throws -> Labels {
        let expr = try Engine().parse(selector)
        guard case .vectorSelector(let vs) = expr else { throw CocoaError(.formatting) }
        return Labels(vs.matchers.map { Label($0.name, $0.value) })
    }
}
