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
                let t = alertTest.evalTime
                let firing = report.alerts.filter { episode in
                    episode.rule == alertTest.alertname && (episode.firingAt.map { $0 <= t } ?? false)
                        && (episode.resolvedAt.map { $0 > t } ?? true)
                }
                let got = firing.map { episode -> String in
                    let annotations = episode.annotationChanges.last { $0.at <= t }?.annotations ?? .empty
                    return "\(episode.labels) \(annotations)"
                }.sorted()
                let expected = alertTest.expectedAlerts.map { alert -> String in
                    var labels = alert.labels
                    labels["alertname"] = alertTest.alertname
                    return "\(Labels(labels.map { Label($0.key, $0.value) })) \(Labels(alert.annotations.map { Label($0.key, $0.value) }))"
                }.sorted()
                #expect(got == expected, "\(name) at \(t / 1000)s")
            }
        }
    }

    /// The labels of a series written as a selector: `up{job="node"}`.
    static func labels(_ selector: String) throws -> Labels {
        let expr = try Engine().parse(selector)
        guard case .vectorSelector(let vs) = expr else { throw CocoaError(.formatting) }
        return Labels(vs.matchers.map { Label($0.name, $0.value) })
    }
}
