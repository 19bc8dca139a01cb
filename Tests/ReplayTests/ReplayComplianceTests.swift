import Foundation
import Model
import Replay
import Rules
import TestSupport
import Testing
import TSDB

/// The Alert Generator Compliance Specification's rules (`../shared/conformance/
/// compliance-alert-generator/rules.yaml`) replayed over data built from its scenarios:
/// the timeline shows the states the specification gives (the same expectations as the
/// rule engine's own compliance tests, read here from the replay's episodes).
@Suite(.enabled(if: Conformance.shouldRun))
struct ReplayComplianceTests {
    static let t0: Int64 = 1_643_114_203_000
    static let step: Int64 = 30_000

    static func at(_ i: Int64) -> Int64 { t0 + i * step }

    @Test func timelineFollowsTheSpecification() throws {
        func series(_ labels: [String: String], _ values: [Double]) -> (Labels, [(Int64, Double)]) {
            var all = labels
            all["__name__"] = "alert_generator_test_suite"
            return (Labels(all.map { Label($0.key, $0.value) }), values.enumerated().map { (Self.at(Int64($0.offset)), $0.element) })
        }
        let data = try ReplayFixture([
            series(["alertname": "PendingAndFiringAndResolved_SimpleAlert", "rulegroup": "PendingAndFiringAndResolved"],
                   Array(repeating: 15, count: 21) + Array(repeating: 0, count: 19)),
            series(["alertname": "PendingAndResolved_AlwaysInactive_PendingAlert", "rulegroup": "PendingAndResolved_AlwaysInactive"],
                   Array(repeating: 20, count: 4) + Array(repeating: 1, count: 36)),
            series(["alertname": "PendingAndResolved_AlwaysInactive_InactiveAlert", "rulegroup": "PendingAndResolved_AlwaysInactive"],
                   Array(repeating: 50, count: 40)),
            series(["alertname": "ZeroFor_SmallFor_ZeroFor", "rulegroup": "ZeroFor_SmallFor"], Array(repeating: 20, count: 40)),
            series(["alertname": "ZeroFor_SmallFor_SmallFor", "rulegroup": "ZeroFor_SmallFor"], Array(repeating: 20, count: 40)),
            series(["rulegroup": "ZeroFor_SmallFor", "for": "template", "id": "2"], Array(repeating: 20, count: 40)),
            series(["rulegroup": "ZeroFor_SmallFor", "for": "template", "id": "1"], Array(repeating: 10, count: 40)),
            series(["rulegroup": "ZeroFor_SmallFor", "for": "template", "id": "3"], Array(repeating: 30, count: 40)),
            series(["alertname": "NewAlerts_OrderCheck_Rule1", "rulegroup": "NewAlerts_OrderCheck", "variant": "one"], Array(repeating: 20, count: 40)),
            series(["alertname": "NewAlerts_OrderCheck_Rule1", "rulegroup": "NewAlerts_OrderCheck", "variant": "two"], Array(repeating: 20, count: 40)),
        ])
        let files = try RuleFileLoader.load(paths: [Conformance.url("compliance-alert-generator/rules.yaml").path])
        let db = try ReadOnlyDB(directory: data.path)
        let configuration = ReplayConfiguration(from: Self.t0, to: Self.at(39), alignment: .start, dataStart: Self.t0)
        let report = try Replayer(files: files, data: db, configuration: configuration).run()
        func episodes(_ rule: String) -> [AlertEpisode] { report.alerts.filter { $0.rule == rule } }

        let simple = try #require(episodes("PendingAndFiringAndResolved_SimpleAlert").first)
        #expect(simple.pendingAt == Self.t0)
        #expect(simple.firingAt == Self.at(12), "fires once `for: 6m` has passed")
        #expect(simple.resolvedAt == Self.at(21), "inactive as soon as the series stops matching")
        #expect(simple.end == .resolved)
        #expect(simple.annotations == Labels(["description": "SimpleAlert is firing", "summary": "The value is 15 15"]))
        #expect(simple.labels == Labels(["alertname": "PendingAndFiringAndResolved_SimpleAlert", "foo": "bar", "rulegroup": "PendingAndFiringAndResolved"]))

        let pending = try #require(episodes("PendingAndResolved_AlwaysInactive_PendingAlert").first)
        #expect(pending.pendingAt == Self.t0)
        #expect(pending.firingAt == nil)
        #expect(pending.resolvedAt == Self.at(4))
        #expect(pending.end == .droppedWhilePending)
        #expect(episodes("PendingAndResolved_AlwaysInactive_InactiveAlert").isEmpty)

        let zero = try #require(episodes("ZeroFor_SmallFor_ZeroFor").first)
        #expect(zero.pendingAt == Self.t0 && zero.firingAt == Self.t0, "for: 0 fires at the first evaluation")
        #expect(zero.annotations["template_query_test"] == "Args are: foo bar 99. first_id:1,1:10,2:20,3:30,")
        #expect(zero.annotations["template_test"] == "1.049M 1Mi 2m 15s 95.9% 2022-01-25 12:36:43 +0000 UTC")
        let small = try #require(episodes("ZeroFor_SmallFor_SmallFor").first)
        #expect(small.pendingAt == Self.t0)
        #expect(small.firingAt == Self.at(1), "a `for` shorter than the interval fires at the next evaluation")

        let rule1 = episodes("NewAlerts_OrderCheck_Rule1")
        #expect(rule1.count == 2)
        #expect(rule1.allSatisfy { $0.pendingAt == Self.t0 && $0.firingAt == Self.at(6) })
        let rule2 = try #require(episodes("NewAlerts_OrderCheck_Rule2").first)
        #expect(rule2.pendingAt == Self.at(6) && rule2.firingAt == Self.at(6), "sees Rule1's ALERTS in the same evaluation")
        #expect(rule2.labels == Labels([
            "alertname": "NewAlerts_OrderCheck_Rule2", "alertstate": "firing", "ba_dum": "tss", "foo": "baz", "rulegroup": "NewAlerts_OrderCheck",
        ]))
        #expect(rule2.annotations["description"] == "Based on ALERTS. Old alertname was NewAlerts_OrderCheck_Rule1. foo was bar.")
    }
}
