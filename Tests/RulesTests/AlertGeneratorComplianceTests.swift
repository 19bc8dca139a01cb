import Model
import PromQL
import TSDB
import TestSupport
import Testing
@testable import Rules

/// The expectations of the Alert Generator Compliance Specification 1.0
/// (`../shared/conformance/compliance-alert-generator/`), run on its own `rules.yaml` with
/// input series shaped for each group's scenario.
///
/// Where the specification's wording and Prometheus (the reference implementation, which
/// passes the compliance suite) differ, these tests follow Prometheus: a firing alert is
/// resent once the resend delay has strictly passed (`lastSent + resendDelay < now`), and
/// `endsAt` of a firing notification counts from the send time.
@Suite(.enabled(if: Conformance.shouldRun))
struct AlertGeneratorComplianceTests {
    static let t0: Int64 = 1_643_114_203_000
    static let step: Int64 = 30_000

    /// The input series: name `alert_generator_test_suite` with the given labels, and a value
    /// for each 30 s step from t0 (nil: no sample).
    static func storage(_ series: [([String: String], [Double?])]) throws -> Head {
        let head = Head()
        var appender = head.appender()
        for (labels, values) in series {
            var all = labels
            all["__name__"] = "alert_generator_test_suite"
            let set = Labels(all.map { Label($0.key, $0.value) })
            for (i, value) in values.enumerated() {
                if let value { try appender.append(set, t0 + Int64(i) * step, value) }
            }
        }
        try appender.commit()
        return head
    }

    static func groups() throws -> [RuleGroup] {
        let path = Conformance.url("compliance-alert-generator/rules.yaml").path
        let file = try RuleFileLoader.load(path: path)
        return file.groups.map { RuleGroup($0, file: path, options: RuleEvaluationOptions()) }
    }

    /// Evaluates group `name` at steps 0..<count; returns per step the alerts of each rule
    /// as "RULE STATE" strings, and the notifications.
    static func run(_ name: String, steps: Int, on storage: Head) throws -> (group: RuleGroup, states: [[String]], sent: [[Alert]]) {
        var group = try #require(try groups().first { $0.name == name })
        var states: [[String]] = []
        var sent: [[Alert]] = []
        for i in 0..<steps {
            let result = group.evaluate(at: t0 + Int64(i) * step, storage: storage)
            #expect(result.errors.isEmpty, "\(result.errors)")
            states.append(group.alertingRules.flatMap { rule in rule.activeAlerts.map { "\(rule.name) \($0.state)" } })
            sent.append(result.notifications.map(\.alert))
        }
        return (group, states, sent)
    }

    @Test func rulesFileLoads() throws {
        let groups = try Self.groups()
        #expect(groups.map(\.name) == ["NewAlerts_OrderCheck", "PendingAndFiringAndResolved", "PendingAndResolved_AlwaysInactive", "ZeroFor_SmallFor"])
        #expect(groups.allSatisfy { $0.interval == 30_000 })
    }

    /// Pending for `for` (6m), firing from ActiveAt + 6m, inactive as soon as the series
    /// stops matching; ALERTS carries the state; notifications for firing and inactive only.
    @Test func pendingFiringResolved() throws {
        let labels = ["alertname": "PendingAndFiringAndResolved_SimpleAlert", "rulegroup": "PendingAndFiringAndResolved"]
        // Above 10 for 10 minutes (steps 0…20), then 0.
        let values: [Double?] = Array(repeating: 15, count: 21) + Array(repeating: 0, count: 10)
        let storage = try Self.storage([(labels, values)])
        let (group, states, sent) = try Self.run("PendingAndFiringAndResolved", steps: 31, on: storage)
        let rule = "PendingAndFiringAndResolved_SimpleAlert"
        #expect(states[0] == ["\(rule) pending"])
        #expect(states[11] == ["\(rule) pending"])      // 5m30s < 6m
        #expect(states[12] == ["\(rule) firing"])       // 6m ≥ for: fires at once
        #expect(states[20] == ["\(rule) firing"])
        #expect(states[21] == ["\(rule) inactive"])     // vanished: inactive at once
        let alert = try #require(group.alertingRules[0].activeAlerts.first)
        #expect(alert.activeAt == Self.t0)
        #expect(alert.firedAt == Self.t0 + 12 * Self.step)
        #expect(alert.resolvedAt == Self.t0 + 21 * Self.step)
        #expect(alert.labels == Labels(["alertname": rule, "foo": "bar", "rulegroup": "PendingAndFiringAndResolved"]))
        #expect(alert.annotations == Labels(["description": "SimpleAlert is firing", "summary": "The value is 15 15"]))
        // Pending alerts are never sent; firing at once and after the resend delay has passed
        // (every 1m30s with a 30 s interval); inactive at once.
        let sentSteps = sent.enumerated().filter { !$0.element.isEmpty }.map(\.offset)
        #expect(sentSteps.prefix(5) == [12, 15, 18, 21, 24])
        #expect(sent[12].first?.state == .firing)
        #expect(sent[12].first?.endsAt == Self.t0 + 12 * Self.step + 4 * 60_000)
        #expect(sent[21].first?.state == .inactive)
        #expect(sent[21].first?.endsAt == Self.t0 + 21 * Self.step)

        // ALERTS: pending then firing, value 1, labels of the alert plus __name__ and alertstate;
        // nothing once inactive.
        let engine = Engine()
        func alerts(at i: Int) throws -> QueryValue {
            try engine.instantQuery("ALERTS", at: Self.t0 + Int64(i) * Self.step, on: storage).value
        }
        let series = { (state: String) in
            Labels(["__name__": "ALERTS", "alertname": rule, "alertstate": state, "foo": "bar", "rulegroup": "PendingAndFiringAndResolved"])
        }
        let atFive = try alerts(at: 5)
        let atThirteen = try alerts(at: 13)
        let atTwentyOne = try alerts(at: 21)
        #expect(atFive == .vector([VectorSample(labels: series("pending"), timestamp: Self.t0 + 5 * Self.step, value: 1)]))
        #expect(atThirteen == .vector([VectorSample(labels: series("firing"), timestamp: Self.t0 + 13 * Self.step, value: 1)]))
        #expect(atTwentyOne == .vector([]))
    }

    /// A pending alert that stops matching before `for` never fires and is never sent; a
    /// rule that never matches has no alerts.
    @Test func pendingThenGoneIsNeverSent() throws {
        let pending = ["alertname": "PendingAndResolved_AlwaysInactive_PendingAlert", "rulegroup": "PendingAndResolved_AlwaysInactive"]
        let inactive = ["alertname": "PendingAndResolved_AlwaysInactive_InactiveAlert", "rulegroup": "PendingAndResolved_AlwaysInactive"]
        let storage = try Self.storage([
            (pending, Array(repeating: 20, count: 4) + Array(repeating: 1, count: 10)),
            (inactive, Array(repeating: 50, count: 14)),
        ])
        let (_, states, sent) = try Self.run("PendingAndResolved_AlwaysInactive", steps: 14, on: storage)
        #expect(states[0] == ["PendingAndResolved_AlwaysInactive_PendingAlert pending"])
        #expect(states[3] == ["PendingAndResolved_AlwaysInactive_PendingAlert pending"])
        #expect(states[4].isEmpty)
        #expect(states.allSatisfy { !$0.contains { $0.hasPrefix("PendingAndResolved_AlwaysInactive_InactiveAlert") } })
        #expect(sent.allSatisfy { $0.isEmpty })
    }

    /// `for: 0` fires at the first evaluation; a `for` shorter than the interval fires at the
    /// next one. Templates: humanize*, title/toUpper/toLower, stripPort, parseDuration, match,
    /// reReplaceAll, define/template/args, query with sortByLabel/first/label/value.
    @Test func zeroAndSmallForWithTemplates() throws {
        let storage = try Self.storage([
            (["alertname": "ZeroFor_SmallFor_ZeroFor", "rulegroup": "ZeroFor_SmallFor"], Array(repeating: 20, count: 4)),
            (["alertname": "ZeroFor_SmallFor_SmallFor", "rulegroup": "ZeroFor_SmallFor"], Array(repeating: 20, count: 4)),
            (["rulegroup": "ZeroFor_SmallFor", "for": "template", "id": "2"], Array(repeating: 20, count: 4)),
            (["rulegroup": "ZeroFor_SmallFor", "for": "template", "id": "1"], Array(repeating: 10, count: 4)),
            (["rulegroup": "ZeroFor_SmallFor", "for": "template", "id": "3"], Array(repeating: 30, count: 4)),
        ])
        let (group, states, _) = try Self.run("ZeroFor_SmallFor", steps: 2, on: storage)
        #expect(states[0] == ["ZeroFor_SmallFor_ZeroFor firing", "ZeroFor_SmallFor_SmallFor pending"])
        #expect(states[1] == ["ZeroFor_SmallFor_ZeroFor firing", "ZeroFor_SmallFor_SmallFor firing"])
        let zero = try #require(group.alertingRules[0].activeAlerts.first)
        #expect(zero.annotations["template_test"] == "1.049M 1Mi 2m 15s 95.9% 2022-01-25 12:36:43 +0000 UTC")
        #expect(zero.annotations["template_query_test"] == "Args are: foo bar 99. first_id:1,1:10,2:20,3:30,")
        let small = try #require(group.alertingRules[1].activeAlerts.first)
        #expect(small.annotations["template_test"] == "This Part IS TESTING the strings. ::1 127.0.0.1. 7815. replaced text. .")
        #expect(small.labels == Labels(["alertname": "ZeroFor_SmallFor_SmallFor", "ba_dum": "tss", "rulegroup": "ZeroFor_SmallFor"]))
    }

    /// A later rule sees the ALERTS series an earlier rule wrote in the same evaluation;
    /// template labels come from the sample before the rule's labels override them.
    @Test func laterRulesSeeEarlierAlertsInTheSameCycle() throws {
        let base = ["alertname": "NewAlerts_OrderCheck_Rule1", "rulegroup": "NewAlerts_OrderCheck"]
        var one = base
        one["variant"] = "one"
        var two = base
        two["variant"] = "two"
        let storage = try Self.storage([(one, Array(repeating: 20, count: 9)), (two, Array(repeating: 20, count: 9))])
        let (group, states, _) = try Self.run("NewAlerts_OrderCheck", steps: 8, on: storage)
        // Rule1 fires at 3m (step 6); Rule2 fires in that same evaluation.
        #expect(states[5].filter { $0.hasPrefix("NewAlerts_OrderCheck_Rule2") }.isEmpty)
        #expect(states[6].filter { $0.hasSuffix("firing") }.count == 3)
        let rule2 = try #require(group.alertingRules[1].activeAlerts.first)
        #expect(rule2.labels == Labels([
            "alertname": "NewAlerts_OrderCheck_Rule2", "alertstate": "firing", "ba_dum": "tss", "foo": "baz",
            "rulegroup": "NewAlerts_OrderCheck",
        ]))
        #expect(rule2.annotations["description"] == "Based on ALERTS. Old alertname was NewAlerts_OrderCheck_Rule1. foo was bar.")
        #expect(rule2.activeAt == Self.t0 + 6 * Self.step)
        #expect(rule2.value == 2)
    }
}
