import Foundation
import Model
import Rules
import Testing
@testable import Replay

/// The replay engine over real blocks: episodes, `for`, `keep_firing_for`, chained rules,
/// ALERTS readers, warm-up and alignment.
@Suite struct ReplayEngineTests {
    /// cpu{host="a"}: 0 for 10 minutes, 100 for 10, 200 for 10, then 0 until minute 60.
    static func cpuData() throws -> ReplayFixture {
        var values: [Double?] = Array(repeating: 0, count: 10)
        values += Array(repeating: 100, count: 10)
        values += Array(repeating: 200, count: 10)
        values += Array(repeating: 0, count: 31)
        return try ReplayFixture([(["__name__": "cpu", "host": "a"], perMinute(values))])
    }

    static let cpuRules = """
        groups:
          - name: cpu
            interval: 1m
            rules:
              - alert: HighCPU
                expr: cpu > 50
                for: 5m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.host }} at {{ $value }}"
        """

    @Test func pendingFiringResolvedWithForAndAnnotationChanges() throws {
        let data = try Self.cpuData()
        let report = try data.replay(Self.cpuRules, from: 0, to: minutes(60))
        try #require(report.alerts.count == 1)
        let episode = report.alerts[0]
        #expect(episode.labels == ["alertname": "HighCPU", "host": "a", "severity": "page"])
        #expect(episode.pendingAt == minutes(10))
        #expect(episode.firingAt == minutes(15))
        #expect(episode.resolvedAt == minutes(30))
        #expect(episode.end == .resolved)
        #expect(episode.valueAtPending == 100)
        #expect(episode.valueAtFiring == 100)
        #expect(episode.valueAtResolved == 200)
        #expect(episode.annotations == ["summary": "a at 200"])
        #expect(episode.annotationChanges.map(\.at) == [minutes(10), minutes(20)])
        #expect(episode.annotationChanges.map(\.annotations) == [["summary": "a at 100"], ["summary": "a at 200"]])

        let rule = try #require(report.rules.first)
        #expect(rule.fired == 1)
        #expect(rule.totalFiring == minutes(15))
        #expect(rule.longestFiring == minutes(15))
        #expect(rule.meanTimeToResolve == minutes(15))
        #expect(rule.flaps == 0)
        #expect(rule.errorCount == 0)
    }

    @Test func warmUpRebuildsStateBeforeFrom() throws {
        let data = try Self.cpuData()
        // Pending at 10m, before the range: it fires at 15m, not 5 minutes after `from`.
        let report = try data.replay(Self.cpuRules, from: minutes(12), to: minutes(60))
        #expect(report.evaluationStart < minutes(10))
        try #require(report.alerts.count == 1)
        #expect(report.alerts[0].pendingAt == minutes(10))
        #expect(report.alerts[0].firingAt == minutes(15))
        #expect(report.alerts[0].resolvedAt == minutes(30))
        // An episode over before the range is not reported.
        let later = try data.replay(Self.cpuRules, from: minutes(40), to: minutes(60))
        #expect(later.alerts.isEmpty)
        #expect(later.rules[0].fired == 0)
        // One inside at the end stays active, with firing time clipped to the range.
        let clipped = try data.replay(Self.cpuRules, from: minutes(12), to: minutes(20))
        #expect(clipped.alerts.map(\.end) == [.active])
        #expect(clipped.alerts[0].resolvedAt == nil)
        #expect(clipped.rules[0].totalFiring == minutes(5))
        #expect(clipped.rules[0].meanTimeToResolve == nil)
    }

    @Test func keepFiringForHoldsTheAlert() throws {
        let data = try ReplayFixture([(["__name__": "flag", "host": "h"], perMinute([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]))])
        let rules = """
            groups:
              - name: g
                interval: 1m
                rules:
                  - alert: Flag
                    expr: flag == 1
                    keep_firing_for: 3m
            """
        let report = try data.replay(rules, from: 0, to: minutes(11))
        try #require(report.alerts.count == 1)
        #expect(report.alerts[0].pendingAt == 0)
        #expect(report.alerts[0].firingAt == 0)
        #expect(report.alerts[0].resolvedAt == minutes(8))
    }

    @Test func pendingAlertThatVanishesIsMarked() throws {
        let data = try ReplayFixture([(["__name__": "cpu", "host": "b"], perMinute([0, 100, 100, 0, 0, 0]))])
        let report = try data.replay(Self.cpuRules, from: 0, to: minutes(5))
        try #require(report.alerts.count == 1)
        #expect(report.alerts[0].pendingAt == minutes(1))
        #expect(report.alerts[0].firingAt == nil)
        #expect(report.alerts[0].resolvedAt == minutes(3))
        #expect(report.alerts[0].end == .droppedWhilePending)
        #expect(report.rules[0].fired == 0)
        #expect(report.rules[0].episodes == 1)
        #expect(report.text().contains("Never fired: HighCPU"))
    }

    @Test func chainedRecordingRuleAndAlertsReader() throws {
        let data = try ReplayFixture([
            (["__name__": "x", "i": "1"], perMinute([1, 1, 4, 4, 4, 1, 1, 1])),
            (["__name__": "x", "i": "2"], perMinute([1, 1, 4, 4, 4, 1, 1, 1])),
        ])
        let rules = """
            groups:
              - name: record
                interval: 1m
                rules:
                  - record: job:x:sum
                    expr: sum(x)
                  - alert: SumHigh
                    expr: job:x:sum > 5
                    for: 1m
              - name: meta
                interval: 1m
                rules:
                  - alert: SomethingFiring
                    expr: count(ALERTS{alertname="SumHigh", alertstate="firing"}) > 0
            """
        let report = try data.replay(rules, from: 0, to: minutes(7))
        let sum = try #require(report.alerts.first { $0.rule == "SumHigh" })
        #expect(sum.pendingAt == minutes(2))
        #expect(sum.firingAt == minutes(3))
        #expect(sum.resolvedAt == minutes(5))
        #expect(sum.valueAtPending == 8)
        // The later group sees ALERTS written at the same timestamp by the earlier one.
        let meta = try #require(report.alerts.first { $0.rule == "SomethingFiring" })
        #expect(meta.pendingAt == minutes(3))
        #expect(meta.firingAt == minutes(3))
        #expect(meta.resolvedAt == minutes(5))
        let record = try #require(report.rules.first { $0.name == "job:x:sum" })
        #expect(record.kind == .recording)
        #expect(record.samples == 8)
        #expect(record.series == 1)
    }

    @Test func flapsAndSummaryFigures() throws {
        // Fires 2m–4m, resolves at 4m, fires again at 6m (within the flap window), and 30m–32m.
        var values: [Double?] = Array(repeating: 0, count: 40)
        for m in [2, 3, 6, 7, 8, 30, 31] { values[m] = 1 }
        let data = try ReplayFixture([(["__name__": "flag", "host": "h"], perMinute(values))])
        let rules = """
            groups:
              - name: g
                interval: 1m
                rules:
                  - alert: Flappy
                    expr: flag == 1
            """
        let report = try data.replay(rules, from: 0, to: minutes(39))
        #expect(report.alerts.map(\.firingAt) == [minutes(2), minutes(6), minutes(30)])
        #expect(report.alerts.map(\.resolvedAt) == [minutes(4), minutes(9), minutes(32)])
        let rule = report.rules[0]
        #expect(rule.fired == 3)
        #expect(rule.flaps == 1)
        #expect(rule.totalFiring == minutes(7))
        #expect(rule.longestFiring == minutes(3))
        #expect(rule.meanTimeToResolve == minutes(7) / 3)
        let narrow = try data.replay(rules, from: 0, to: minutes(39)) { $0.flapWindow = minutes(1) }
        #expect(narrow.rules[0].flaps == 0)
    }

    @Test func errorsAreCountedWithTheirMessages() throws {
        let data = try ReplayFixture([
            (["__name__": "cpu", "host": "a"], perMinute([1, 1, 1, 1])),
            (["__name__": "cpu", "host": "b"], perMinute([1, 1, nil, nil])),
        ])
        let rules = """
            groups:
              - name: g
                interval: 1m
                rules:
                  - record: clash
                    expr: label_replace(cpu, "host", "same", "", "")
            """
        let report = try data.replay(rules, from: 0, to: minutes(3))
        let rule = report.rules[0]
        // Both series exist (within the lookback) at every step.
        #expect(rule.errorCount == 4)
        #expect(rule.errors.count == 1)
        #expect(rule.errors[0].count == 4)
        #expect(rule.errors[0].firstAt == 0)
        #expect(rule.errors[0].message.contains("same labelset"))
        #expect(report.text().contains("Errors:\n  clash (group g): 4 failed evaluations"))
    }

    @Test func prometheusAlignmentUsesTheGroupsSlots() throws {
        let data = try Self.cpuData()
        let start = try data.replay(Self.cpuRules, from: 0, to: minutes(60), alignment: .start)
        let live = try data.replay(Self.cpuRules, from: 0, to: minutes(60), alignment: .prometheus)
        let file = try RuleFileLoader.load(paths: [data.path + "/rules0.yml"])[0]
        let group = RuleGroup(file.groups[0], file: file.path, options: RuleEvaluationOptions())
        #expect(start.alerts[0].pendingAt == minutes(10))
        let pendingAt = live.alerts[0].pendingAt
        #expect(pendingAt == group.slot(atOrBefore: minutes(11)))
        #expect(pendingAt % 60_000 == group.slotOffset)
        #expect(live.alerts[0].firingAt == pendingAt + minutes(5))
        // The interval override moves every group to the new interval.
        let coarse = try data.replay(Self.cpuRules, from: 0, to: minutes(60)) { $0.evaluationInterval = minutes(4) }
        #expect(coarse.alerts[0].pendingAt == minutes(12))
        #expect(coarse.alerts[0].firingAt == minutes(20))
        #expect(coarse.alerts[0].resolvedAt == minutes(32))
    }

    @Test func warmUpCoversForKeepFiringAndWindows() throws {
        let file = try RuleFileLoader.parse("""
            groups:
              - name: g
                interval: 1m
                rules:
                  - alert: A
                    expr: rate(x[10m] offset 5m) > 0 or max_over_time(rate(y[2m])[30m:1m]) > 1
                    for: 20m
                    keep_firing_for: 7m
                  - record: r
                    expr: sum_over_time(z[1d])
            """, path: "w.yml")
        let groups = file.groups.map { RuleGroup($0, file: "w.yml", options: RuleEvaluationOptions()) }
        // for 20m + keep 7m + (30m + 2m) + one interval.
        #expect(WarmUp.duration(of: groups) == minutes(20 + 7 + 32 + 1))
    }
}
