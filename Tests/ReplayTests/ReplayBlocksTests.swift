import Foundation
import Model
import Rules
import TestSupport
import Testing
import TSDB
@testable import Replay

/// `--output-blocks`: the rule outputs of a replay as Prometheus blocks, read back by us and
/// by the real promtool exactly as the replay computed them.
@Suite struct ReplayBlocksTests {
    /// load{host="a"}: 10 from minute 60 to 89 and 150 to 159, else 0; load{host="b"}: 1.
    /// Five hours at one sample a minute.
    static func data() throws -> ReplayFixture {
        let a: [Double?] = (0..<300).map { m in (60..<90).contains(m) || (150..<160).contains(m) ? 10 : 0 }
        let b: [Double?] = Array(repeating: 1, count: 300)
        return try ReplayFixture([
            (["__name__": "load", "host": "a"], perMinute(a)),
            (["__name__": "load", "host": "b"], perMinute(b)),
        ])
    }

    static let rules = """
        groups:
          - name: load
            interval: 1m
            rules:
              - record: host:load:doubled
                expr: load * 2
              - record: load:sum
                expr: sum(load)
              - alert: HighLoad
                expr: host:load:doubled > 10
                for: 2m
                annotations:
                  summary: "{{ $labels.host }} at {{ $value }}"
        """

    /// Every sample of `queryable` in [from, to], series in label order, in promtool's
    /// dump format: `LABELS VALUE TIMESTAMP`.
    static func dump(_ queryable: any Queryable, from: Int64, to: Int64) throws -> String {
        let querier = try queryable.querier(mint: from, maxt: to)
        var set = try querier.select([try LabelMatcher(.regexMatch, LabelName.metricName, ".+")], hints: nil)
        var series: [(Labels, [Sample])] = []
        while let one = try set.next() {
            var iterator = one.makeIterator()
            var samples: [Sample] = []
            while let s = try iterator.next(), s.timestamp <= to {
                if s.timestamp >= from { samples.append(s) }
            }
            if !samples.isEmpty { series.append((one.labels, samples)) }
        }
        var out = ""
        for (labels, samples) in series.sorted(by: { $0.0 < $1.0 }) {
            for s in samples { out += "\(labels.description) \(GoFloat.format(s.value)) \(s.timestamp)\n" }
        }
        return out
    }

    /// The `hindsight` executable built beside the tests, if there is one.
    static let hindsight: String? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hindsight"),
            Bundle.main.bundleURL.appendingPathComponent("hindsight"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
    }()

    @Test func blocksHoldExactlyTheRuleOutputsOfTheRangeInAlignedBlocks() throws {
        let data = try Self.data()
        let from = minutes(30), to = minutes(299)
        let report = try data.replay(Self.rules, from: from, to: to)
        let overlay = try #require(report.storage?.overlay)
        // The warm-up wrote outputs before `from`; they are not exported.
        #expect(report.evaluationStart < from)

        let out = data.path + "/out"
        let metas = try OutputBlocks.write(report, into: out)
        // 2 h windows: [0, 2h), [2h, 4h), [4h, 6h).
        #expect(metas.count == 3)
        let hours2: Int64 = 2 * 3_600_000
        let minTimes: [Int64] = [from, hours2, 2 * hours2]
        let maxTimes: [Int64] = [hours2 - 60_000 + 1, 2 * hours2 - 60_000 + 1, to + 1]
        #expect(metas.map(\.minTime) == minTimes)
        #expect(metas.map(\.maxTime) == maxTimes)
        let db = try ReadOnlyDB(directory: out)
        #expect(db.blocks.count == 3)
        #expect(db.brokenBlocks.isEmpty)

        let written = try Self.dump(db, from: .min, to: .max)
        let computed = try Self.dump(overlay, from: from, to: to)
        #expect(written == computed)
        #expect(!written.isEmpty)
        for name in ["host:load:doubled", "load:sum", "ALERTS", "ALERTS_FOR_STATE"] {
            #expect(written.contains("{__name__=\"\(name)\""), "\(name)")
        }
        // The two episodes' ALERTS series end in stale markers, as in Prometheus's TSDB.
        let alerts = written.split(separator: "\n").filter { $0.hasPrefix("{__name__=\"ALERTS\",") && $0.contains("alertstate=\"firing\"") }
        #expect(alerts.filter { $0.contains(" NaN ") }.count == 2)
        #expect(alerts.contains { $0.hasSuffix(" 1 \(minutes(62))") })
        // Nothing of the warm-up or the history itself.
        #expect(!written.contains("__name__=\"load\""))
        #expect(written.split(separator: "\n").allSatisfy { Int64($0.split(separator: " ").last!)! >= from })

        // Samples keep their bits: the stale markers are Prometheus's stale NaN.
        let querier = try db.querier(mint: .min, maxt: .max)
        var set = try querier.select([.equal(LabelName.metricName, "ALERTS"), .equal("alertstate", "firing")], hints: nil)
        var stale = 0
        while let series = try set.next() {
            var iterator = series.makeIterator()
            while let s = try iterator.next() {
                if StaleMarker.isStale(s.value) { stale += 1 }
            }
        }
        #expect(stale >= 1)
    }

    @Test func blockDurationAndEmptyOutputs() throws {
        let data = try Self.data()
        let report = try data.replay(Self.rules, from: minutes(30), to: minutes(299))
        let metas = try OutputBlocks.write(report, into: data.path + "/hourly", blockDuration: 3_600_000)
        #expect(metas.count == 5)
        #expect(metas.allSatisfy { $0.minTime / 3_600_000 == ($0.maxTime - 1) / 3_600_000 })
        #expect(throws: OutputBlocks.Failure.self) {
            try OutputBlocks.write(report, into: data.path + "/bad", blockDuration: 0)
        }
        // A replay without rule outputs writes no block.
        let quiet = try data.replay("groups:\n  - name: g\n    rules:\n      - alert: Never\n        expr: load > 1000\n",
                                    from: minutes(30), to: minutes(60))
        #expect(try OutputBlocks.write(quiet, into: data.path + "/none").isEmpty)
    }

    /// The real promtool dumps our blocks exactly as the replay computed them, and as
    /// `hindsight tsdb dump` prints them.
    @Test(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
    func promtoolReadsTheBlocks() throws {
        let promtool = try #require(Subprocess.which("promtool"), "promtool is not installed (scripts/setup installs it)")
        let data = try Self.data()
        let from = minutes(30), to = minutes(299)
        let report = try data.replay(Self.rules, from: from, to: to)
        let out = data.path + "/out"
        try OutputBlocks.write(report, into: out)
        try FileManager.default.createDirectory(atPath: out + "/wal", withIntermediateDirectories: true)

        let theirs = try Subprocess.run(promtool, ["tsdb", "dump", out])
        #expect(theirs.status == 0, "\(theirs.stderr)")
        let computed = try Self.dump(try #require(report.storage?.overlay), from: from, to: to)
        #expect(theirs.stdout == computed)
        #expect(!computed.isEmpty)
        if let hindsight = Self.hindsight {
            let ours = try Subprocess.run(hindsight, ["tsdb", "dump", out])
            #expect(ours.status == 0, "\(ours.stderr)")
            #expect(ours.stdout == theirs.stdout)
        }
        let list = try Subprocess.run(promtool, ["tsdb", "list", out])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").count == 4)
    }

    /// A real Prometheus started on the blocks serves the replayed alerts and recording
    /// series through its query API.
    @Test(.enabled(if: (Subprocess.which("prometheus") != nil && Subprocess.which("curl") != nil) || Conformance.isCI))
    func prometheusLoadsTheBlocks() throws {
        let prometheus = try #require(Subprocess.which("prometheus"), "prometheus is not installed (scripts/setup installs it)")
        let curl = try #require(Subprocess.which("curl"))
        let data = try Self.data()
        let report = try data.replay(Self.rules, from: minutes(30), to: minutes(299))
        let out = data.path + "/prometheus-data"
        #expect(try OutputBlocks.write(report, into: out).count == 3)
        let server = try PrometheusServer(
            executable: prometheus, config: "global:\n  scrape_interval: 1m\n", data: out, in: data.path,
            arguments: ["--storage.tsdb.retention.time=100y"])
        defer { server.stop() }
        try #require(server.waitUntilReady(), "\(server.logText)")
        let port = server.port
        func query(_ expr: String, at seconds: Int) throws -> String {
            let result = try Subprocess.run(curl, [
                "-s", "--get", "http://127.0.0.1:\(port)/api/v1/query",
                "--data-urlencode", "query=\(expr)", "--data-urlencode", "time=\(seconds)",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        // Firing at minute 70, resolved (stale) at minute 100; the recording series as computed.
        let firing = try query("ALERTS{alertstate=\"firing\"}", at: 70 * 60)
        #expect(firing.contains("\"alertname\":\"HighLoad\""), "\(firing)")
        #expect(firing.contains("\"host\":\"a\""))
        let resolved = try query("ALERTS{alertstate=\"firing\"}", at: 100 * 60)
        #expect(resolved.contains("\"result\":[]"), "\(resolved)")
        let sum = try query("load:sum", at: 70 * 60)
        #expect(sum.contains("\"value\":[4200,\"11\"]"), "\(sum)")
        let state = try query("ALERTS_FOR_STATE", at: 70 * 60)
        #expect(state.contains("\"value\":[4200,\"3600\"]"), "\(state)")
    }
}

/// The same data written by promtool and by Hindsight replays to byte-identical reports.
@Suite(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
struct ReplayOverPromtoolBlocksTests {
    @Test func promtoolAndHindsightBlocksGiveTheSameReplay() throws {
        let promtool = try #require(Subprocess.which("promtool"), "promtool is not installed (scripts/setup installs it)")
        let dir = try TemporaryDirectory(prefix: "replay-promtool-blocks")
        // Five hours of two gauges and a counter at 15 s, crossing block boundaries.
        var text = "# TYPE load gauge\n# TYPE requests counter\n"
        var random = SplitMix64(state: 11)
        var total = 0.0
        var lines: [(Int, String)] = []
        for step in 0..<(5 * 240) {
            let t = 1_700_000_000 + step * 15
            for host in ["a", "b"] { lines.append((t, "load{host=\"\(host)\"} \(random.below(100)) \(t)")) }
            total += Double(random.below(7))
            lines.append((t, "requests_total{host=\"a\"} \(total) \(t)"))
        }
        // OpenMetrics wants each family's samples together.
        text += lines.filter { $0.1.hasPrefix("load") }.map(\.1).joined(separator: "\n") + "\n"
        text += lines.filter { $0.1.hasPrefix("requests") }.map(\.1).joined(separator: "\n") + "\n# EOF\n"
        let input = dir.path + "/input.om"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let made = try Subprocess.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", input, dir.path + "/promtool"])
        #expect(made.status == 0, "\(made.stderr)")
        _ = try OpenMetricsBackfill.run(file: input, into: dir.path + "/hindsight", blockDuration: 2 * 3_600_000)

        let rules = dir.path + "/rules.yml"
        try """
            groups:
              - name: g
                interval: 1m
                rules:
                  - record: host:requests:rate5m
                    expr: rate(requests_total[5m])
                  - alert: High
                    expr: load > 70
                    for: 2m
                    annotations: {summary: "{{ $labels.host }} {{ $value }}"}
                  - alert: Busy
                    expr: host:requests:rate5m > 0.2
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let files = try RuleFileLoader.load(paths: [rules])
        var reports: [String] = []
        for folder in ["promtool", "hindsight"] {
            let db = try ReadOnlyDB(directory: dir.path + "/" + folder)
            #expect(db.blocks.count >= 3, "\(folder): the data spans several blocks")
            let configuration = ReplayConfiguration(
                from: 1_700_000_000_000 + 3_600_000, to: 1_700_000_000_000 + 5 * 3_600_000 - 15_000, dataStart: db.blocks.first?.meta.minTime)
            let report = try Replayer(files: files, data: db, configuration: configuration).run()
            #expect(!report.alerts.isEmpty)
            reports.append(report.json() + report.text())
        }
        #expect(reports[0] == reports[1])
    }
}
