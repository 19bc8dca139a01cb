import Foundation
import Model
import PromQL
@testable import Replay
import Rules
import TestSupport
import Testing
import TSDB

/// Window-by-window evaluation (expressions as range queries) gives exactly what strict
/// live order gives — alert timeline, summaries and every output sample — and is used only
/// where the rule files allow it.
struct WindowedReplayTests {
    /// Six hours of a noisy gauge and a counter for three hosts, with gaps and a reset.
    static func fixture() throws -> ReplayFixture {
        var random = SplitMix64(state: 7)
        var series: [(Labels, [(Int64, Double)])] = []
        for host in ["a", "b", "c"] {
            var gauge: [(Int64, Double)] = [], counter: [(Int64, Double)] = []
            var total = 0.0
            for step in 0..<(6 * 60 * 4) {
                let t = Int64(step) * 15_000
                if host == "b" && (400..<460).contains(step) { continue }  // a gap: staleness
                gauge.append((t, Double(random.below(100))))
                total = step == 700 && host == "c" ? 0 : total + Double(random.below(10))
                counter.append((t, total))
            }
            series.append((Labels(["__name__": "load", "host": host, "job": "node"]), gauge))
            series.append((Labels(["__name__": "requests_total", "host": host, "job": "api"]), counter))
        }
        return try ReplayFixture(series)
    }

    /// Rule files covering chains inside and across groups, ALERTS readers, offsets,
    /// scalars, limits, `for`/`keep_firing_for`, errors at some slots, and the constructs
    /// that force live order.
    static let ruleSets: [(name: String, rules: [String], windowMajor: Bool)] = [
        ("chains and alerts", ["""
            groups:
              - name: rec
                interval: 1m
                rules:
                  - record: host:requests:rate2m
                    expr: rate(requests_total[2m])
                  - record: job:requests:rate2m
                    expr: sum by (job) (host:requests:rate2m)
                  - record: load:max
                    expr: max_over_time(load[10m])
                  - record: scalar:answer
                    expr: scalar(sum(load)) * 2
              - name: alerts
                interval: 30s
                rules:
                  - alert: HighLoad
                    expr: load > 80
                    for: 1m
                    keep_firing_for: 2m
                    labels: {severity: "{{ if gt $value 90.0 }}page{{ else }}warn{{ end }}"}
                    annotations: {summary: "{{ $labels.host }} at {{ $value | humanize }}"}
                  - alert: Busy
                    expr: job:requests:rate2m > 10
                    for: 3m
                  - alert: ManyAlerts
                    expr: count(ALERTS{alertstate="firing", alertname!="Flapping"}) > 1
              - name: after
                interval: 2m
                rules:
                  - record: alerts:firing
                    expr: count by (alertname) (ALERTS{alertstate="firing"})
                  - alert: Flapping
                    expr: changes(ALERTS_FOR_STATE{alertname="HighLoad"}[10m]) > 1
            """], true),
        ("query offsets and limits", ["""
            groups:
              - name: offset
                interval: 1m
                query_offset: 2m
                limit: 2
                rules:
                  - record: load:avg
                    expr: avg by (host) (load)
                  - alert: AnyHigh
                    expr: load > 50
                    for: 2m
              - name: later
                interval: 1m
                query_offset: 3m
                rules:
                  - record: load:avg:twice
                    expr: load:avg * 2
            """], true),
        ("errors at some slots", ["""
            groups:
              - name: errs
                interval: 1m
                rules:
                  - record: bad
                    expr: label_replace(load, "host", "x", "", "") > 40
                  - record: good
                    expr: sum(load)
            """], true),
        ("independent groups side by side", ["""
            groups:
              - name: node
                interval: 1m
                rules:
                  - record: host:load:avg5m
                    expr: avg_over_time(load[5m])
                  - alert: NodeHot
                    expr: host:load:avg5m > 55
                    for: 2m
              - name: api
                interval: 30s
                rules:
                  - record: host:requests:rate1m
                    expr: rate(requests_total[1m])
                  - alert: ApiBusy
                    expr: host:requests:rate1m > 0.2
              - name: both
                interval: 1m
                rules:
                  - record: host:pressure
                    expr: host:load:avg5m * on (host) host:requests:rate1m
                  - alert: Pressure
                    expr: host:pressure > 10
                    annotations: {summary: "{{ $labels.host }}: {{ $value | printf `%.2f` }}"}
            """], true),
        ("reads a later group", ["""
            groups:
              - name: first
                interval: 1m
                rules:
                  - alert: FromLater
                    expr: later:load > 50
              - name: second
                interval: 1m
                rules:
                  - record: later:load
                    expr: max(load)
            """], false),
        ("reads rule outputs with @ and negative offsets", ["""
            groups:
              - name: first
                interval: 1m
                rules:
                  - record: first:load
                    expr: max(load)
              - name: second
                interval: 1m
                rules:
                  - record: ahead
                    expr: first:load offset -1m
            """], false),
        ("two files, template queries", ["""
            groups:
              - name: one
                interval: 1m
                rules:
                  - record: one:load
                    expr: sum(load)
            """, """
            groups:
              - name: two
                interval: 45s
                rules:
                  - alert: Q
                    expr: one:load > 100
                    annotations: {summary: "{{ with query \\"sum(one:load)\\" }}{{ . | first | value }}{{ end }}"}
            """], false),
    ]

    @Test(arguments: ruleSets.indices)
    func windowedEqualsLiveOrder(_ index: Int) throws {
        let set = Self.ruleSets[index]
        let fixture = try Self.fixture()
        for alignment in [ReplayAlignment.start, .prometheus] {
            let windowed = try replay(fixture, set.rules, alignment: alignment, windowed: true)
            let live = try replay(fixture, set.rules, alignment: alignment, windowed: false)
            #expect(windowed.json() == live.json(), "\(set.name), \(alignment)")
            #expect(windowed.text() == live.text(), "\(set.name), \(alignment)")
            #expect(try outputs(windowed) == outputs(live), "\(set.name), \(alignment): rule outputs differ")
            #expect(windowed.evaluations == live.evaluations)
        }
        let plan = try plan(fixture, set.rules)
        #expect(plan.windowMajor == set.windowMajor, "\(set.name): \(plan.reason ?? "window-major")")
    }

    @Test func independentGroupsShareALevelAndRunTheSameEveryTime() throws {
        let fixture = try Self.fixture()
        let set = Self.ruleSets.first { $0.name == "independent groups side by side" }!
        #expect(try plan(fixture, set.rules).levels == [0, 0, 1])
        let first = try replay(fixture, set.rules, alignment: .prometheus, windowed: true).json()
        for _ in 0..<4 {
            #expect(try replay(fixture, set.rules, alignment: .prometheus, windowed: true).json() == first)
        }
    }

    @Test func precomputesEveryRuleThatReadsNothingOfItsPhase() throws {
        let fixture = try Self.fixture()
        let plan = try plan(fixture, Self.ruleSets[0].rules)
        #expect(plan.phases == [[0..<1, 1..<4], [0..<2, 2..<3], [0..<2]])
        #expect(plan.precomputable == [[true, true, true, true], [true, true, false], [false, true]])
    }

    /// Phases end before a rule that reads an earlier rule of its phase, where no rule
    /// before the cut reads a rule after it.
    @Test(arguments: [
        ([[], [], []], [0..<3]),
        ([[], [0], [0, 1]], [0..<1, 1..<2, 2..<3]),
        ([[], [], [0], [], [2]], [0..<2, 2..<4, 4..<5]),
        ([[1], [], []], [0..<3]),
        ([[2], [], [1]], [0..<3]),
        ([[0], [1], []], [0..<3]),
        ([[], [3], [], [], [1]], [0..<4, 4..<5]),
        ([[], [3], [], [1], []], [0..<5]),
    ] as [([Set<Int>], [Range<Int>])])
    func phaseSplit(reads: [Set<Int>], expected: [Range<Int>]) {
        #expect(ReplayPlan.phases(reading: reads) == expected)
    }

    private func replay(_ fixture: ReplayFixture, _ rules: [String], alignment: ReplayAlignment, windowed: Bool) throws -> ReplayReport {
        var paths: [String] = []
        for (i, text) in rules.enumerated() { paths.append(try fixture.ruleFile(text, name: "w\(i).yml")) }
        let files = try RuleFileLoader.load(paths: paths)
        let db = try ReadOnlyDB(directory: fixture.path)
        var configuration = ReplayConfiguration(from: minutes(30), to: minutes(6 * 60 - 1), alignment: alignment, dataStart: 0)
        configuration.windowed = windowed
        configuration.windowLength = minutes(50)
        return try Replayer(files: files, data: db, configuration: configuration).run()
    }

    private func plan(_ fixture: ReplayFixture, _ rules: [String]) throws -> ReplayPlan {
        var paths: [String] = []
        for (i, text) in rules.enumerated() { paths.append(try fixture.ruleFile(text, name: "p\(i).yml")) }
        let files = try RuleFileLoader.load(paths: paths)
        let replayer = Replayer(files: files, data: try ReadOnlyDB(directory: fixture.path), configuration: ReplayConfiguration(from: 0, to: 1))
        return replayer.makePlan(replayer.makeGroups())
    }

    /// Every sample the rules wrote, as text.
    private func outputs(_ report: ReplayReport) throws -> [String] {
        guard let storage = report.storage else { return [] }
        var set = try storage.overlay.querier(mint: .min, maxt: .max).select([try LabelMatcher(.regexMatch, "__name__", ".+")], hints: nil)
        var lines: [String] = []
        while let series = try set.next() {
            var iterator = series.makeIterator()
            while let sample = try iterator.next() {
                lines.append("\(series.labels) \(sample.timestamp) \(sample.value.bitPattern)")
            }
        }
        return lines
    }
}
