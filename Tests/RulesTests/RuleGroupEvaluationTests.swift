import Model
import PromQL
import TSDB
import Testing
@testable import Rules

/// Rule evaluation against hand-made data: Prometheus's alert state machine, recording
/// rules, stale markers, query offsets, limits and evaluation slots.
@Suite struct RuleGroupEvaluationTests {
    /// A head holding `series` with one sample every `step` ms from 0 for each value (nil: no sample).
    static func head(_ series: [(Labels, [Double?])], step: Int64 = 60_000) throws -> Head {
        let head = Head()
        var appender = head.appender()
        for (labels, values) in series {
            for (i, value) in values.enumerated() {
                if let value { try appender.append(labels, Int64(i) * step, value) }
            }
        }
        try appender.commit()
        return head
    }

    static func rule(
        alert: String? = nil, record: String? = nil, _ expr: String, for hold: Int64 = 0, keepFiringFor: Int64 = 0,
        labels: [(name: String, value: String)] = [], annotations: [(name: String, value: String)] = []
    ) throws -> RuleDefinition {
        let location = SourceLocation(file: "test.yml", line: 1, column: 1)
        return RuleDefinition(
            kind: alert.map { .alerting($0) } ?? .recording(record!), exprText: expr, expr: try PromQLParser.parse(expr),
            holdDuration: hold, keepFiringFor: keepFiringFor, labels: labels, annotations: annotations, location: location)
    }

    static func group(_ rules: [RuleDefinition], interval: Int64 = 60_000, queryOffset: Int64? = nil, limit: Int = 0) -> RuleGroup {
        RuleGroup(
            RuleGroupDefinition(name: "g", interval: interval, queryOffset: queryOffset, limit: limit, rules: rules,
                                location: SourceLocation(file: "test.yml", line: 1, column: 1)),
            file: "test.yml", options: RuleEvaluationOptions())
    }

    static func states(_ group: RuleGroup) -> [String] {
        group.alertingRules.flatMap { rule in rule.activeAlerts.map { "\($0.labels) \($0.state)" } }
    }

    @Test func pendingThenFiringThenResolved() throws {
        let up = Labels(["__name__": "up", "job": "a"])
        let storage = try Self.head([(up, [1, 0, 0, 0, 0, 1, 1])])
        var group = Self.group([try Self.rule(alert: "Down", "up == 0", for: 120_000, labels: [("severity", "page")])])
        var seen: [String] = []
        for minute in 0...6 {
            group.evaluate(at: Int64(minute) * 60_000, storage: storage)
            seen.append(Self.states(group).joined(separator: ","))
        }
        let labels = "{alertname=\"Down\", job=\"a\", severity=\"page\"}"
        #expect(seen == ["", "\(labels) pending", "\(labels) pending", "\(labels) firing", "\(labels) firing",
                         "\(labels) inactive", "\(labels) inactive"])
        let alert = try #require(group.alertingRules[0].activeAlerts.first)
        #expect(alert.activeAt == 60_000)
        #expect(alert.firedAt == 180_000)
        #expect(alert.resolvedAt == 300_000)
    }

    @Test func pendingAlertThatVanishesIsDropped() throws {
        let up = Labels(["__name__": "up", "job": "a"])
        let storage = try Self.head([(up, [0, 1])])
        var group = Self.group([try Self.rule(alert: "Down", "up == 0", for: 300_000)])
        group.evaluate(at: 0, storage: storage)
        #expect(Self.states(group).count == 1)
        group.evaluate(at: 60_000, storage: storage)
        #expect(Self.states(group).isEmpty)
    }

    @Test func keepFiringForHoldsTheAlert() throws {
        let up = Labels(["__name__": "up", "job": "a"])
        let storage = try Self.head([(up, [0, 1, 1, 1, 1])])
        var group = Self.group([try Self.rule(alert: "Down", "up == 0", keepFiringFor: 120_000)])
        var seen: [AlertState?] = []
        for minute in 0...4 {
            group.evaluate(at: Int64(minute) * 60_000, storage: storage)
            seen.append(group.alertingRules[0].activeAlerts.first?.state)
        }
        // Fires at once (for: 0); held firing while less than 2m since it vanished at 1m.
        #expect(seen == [.firing, .firing, .firing, .inactive, .inactive])
    }

    @Test func recordingRuleOutputFeedsTheNextRuleAndGoesStale() throws {
        let x = Labels(["__name__": "x", "job": "a"])
        let storage = try Self.head([(x, [1, 2, StaleMarker.value])])
        var group = Self.group([
            try Self.rule(record: "job:x:doubled", "x * 2", labels: [("source", "rule")]),
            try Self.rule(record: "job:x:quadrupled", "job:x:doubled * 2"),
        ])
        group.evaluate(at: 60_000, storage: storage)
        let engine = Engine()
        let value = try engine.instantQuery("job:x:quadrupled", at: 60_000, on: storage)
        #expect(value.value == .vector([VectorSample(labels: Labels(["__name__": "job:x:quadrupled", "job": "a", "source": "rule"]), timestamp: 60_000, value: 8)]))
        // x goes stale at 2m: the outputs vanish and get stale markers at once, so they end
        // there instead of lingering for the lookback delta.
        group.evaluate(at: 120_000, storage: storage)
        let before = try engine.instantQuery("job:x:doubled", at: 119_999, on: storage)
        #expect(before.value != .vector([]))
        let after = try engine.instantQuery("job:x:doubled", at: 150_000, on: storage)
        #expect(after.value == .vector([]))
    }

    @Test func alertSeriesAreWrittenWithQueryOffset() throws {
        let up = Labels(["__name__": "up", "job": "a"])
        let storage = try Self.head([(up, [0, 0, 0])])
        var group = Self.group([try Self.rule(alert: "Down", "up == 0", for: 60_000)], queryOffset: 30_000)
        group.evaluate(at: 60_000, storage: storage)
        group.evaluate(at: 120_000, storage: storage)
        let alerts = try Engine().instantQuery("ALERTS", at: 90_000, on: storage)
        #expect(alerts.value == .vector([VectorSample(
            labels: Labels(["__name__": "ALERTS", "alertname": "Down", "alertstate": "firing", "job": "a"]), timestamp: 90_000, value: 1)]))
        let forState = try Engine().instantQuery("ALERTS_FOR_STATE", at: 90_000, on: storage)
        #expect(forState.value == .vector([VectorSample(
            labels: Labels(["__name__": "ALERTS_FOR_STATE", "alertname": "Down", "job": "a"]), timestamp: 90_000, value: 60)]))
    }

    @Test func limitsAreErrors() throws {
        let storage = try Self.head([
            (Labels(["__name__": "up", "job": "a"]), [0]), (Labels(["__name__": "up", "job": "b"]), [0]),
        ])
        var group = Self.group([
            try Self.rule(record: "r", "up"), try Self.rule(alert: "A", "up == 0"),
        ], limit: 1)
        let result = group.evaluate(at: 0, storage: storage)
        #expect(result.errors.map(\.error) == [.seriesLimit(limit: 1, count: 2), .alertLimit(limit: 1, count: 2)])
        #expect(group.rules.map(\.health) == [.err, .err])
        #expect(Self.states(group).isEmpty)
    }

    @Test func duplicateOutputsAreErrors() throws {
        let storage = try Self.head([
            (Labels(["__name__": "up", "job": "a"]), [0]), (Labels(["__name__": "up", "job": "b"]), [0]),
        ])
        var group = Self.group([
            try Self.rule(record: "r", "up", labels: [("job", "same")]),
            try Self.rule(alert: "A", "up", labels: [("job", "same")]),
        ])
        let result = group.evaluate(at: 0, storage: storage)
        #expect(result.errors.map(\.error) == [.duplicateRecordingOutput, .duplicateAlertLabels])
    }

    @Test func slotsFollowPrometheusEvalTimestamp() {
        let group = Self.group([], interval: 60_000)
        let offset = group.slotOffset
        #expect(offset >= 0 && offset < 60_000)
        let slot = group.slot(atOrBefore: 1_700_000_000_000)
        #expect(slot <= 1_700_000_000_000 && slot > 1_700_000_000_000 - 60_000)
        #expect((slot - offset) % 60_000 == 0)
        #expect(group.slot(atOrBefore: slot) == slot)
        #expect(group.slot(atOrBefore: slot - 1) == slot - 60_000)
    }
}

/// Prometheus's `sendAlerts`: what reaches the notifier after each evaluation.
@Suite struct AlertNotificationTests {
    @Test func firingResentAfterResendDelayAndResolvedSentAtOnce() throws {
        let up = Labels(["__name__": "up", "job": "a"])
        // Down (0) from 0 to 4m, up again from 5m.
        let storage = try RuleGroupEvaluationTests.head([(up, [0, 0, 0, 0, 0, 1, 1, 1, 1])], step: 30_000)
        var group = RuleGroupEvaluationTests.group([try RuleGroupEvaluationTests.rule(alert: "Down", "up == 0", for: 30_000)], interval: 30_000)
        var sent: [String] = []
        for step in 0...8 {
            let t = Int64(step) * 30_000
            let result = group.evaluate(at: t, storage: storage)
            for (_, alert) in result.notifications {
                sent.append("\(t / 1000)s \(alert.state) until \((alert.endsAt ?? -1) / 1000)")
            }
        }
        // Pending at 0 (not sent); firing at 30 s (sent, valid 4 × max(1m, 30s) = 4m);
        // resent once more than 1m has passed (120 s); resolved at 150 s, sent at once;
        // the resolved alert is resent after the resend delay while retained (240 s).
        #expect(sent == ["30s firing until 270", "120s firing until 360", "150s inactive until 150", "240s inactive until 150"])
    }
}

/// Live scheduling: overruns skip whole slots and count them as missed.
@Suite struct RuleGroupScheduleTests {
    @Test(arguments: [
        (Int64(1_000), Int64(1_500), Int64(61_000), 0),     // finished in time: next slot
        (Int64(1_000), Int64(61_000), Int64(61_000), 0),    // exactly one interval later: not missed
        (Int64(1_000), Int64(125_000), Int64(121_000), 1),  // overran into the slot after next
        (Int64(1_000), Int64(300_999), Int64(241_000), 3),
    ])
    func overrunsAreMissedIterations(slot: Int64, now: Int64, next: Int64, missed: Int) {
        var group = RuleGroupEvaluationTests.group([], interval: 60_000)
        #expect(group.nextSlot(after: slot, now: now) == next)
        #expect(group.iterationsMissed == missed)
        #expect(group.iterationsScheduled == missed + 1)
    }
}
