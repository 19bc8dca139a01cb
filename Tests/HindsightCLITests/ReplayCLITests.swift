import Foundation
import TestSupport
import Testing

/// `hindsight replay` as a user runs it: blocks made with `tsdb create-blocks-from
/// openmetrics`, text and JSON reports, errors.
struct ReplayCLITests {
    static func hindsight(_ arguments: [String]) throws -> ProcessResult {
        try CheckMetricsCLITests.hindsight(arguments)
    }

    /// A data directory from an OpenMetrics text: load{host} 0 for 10m, 10 for 10m, then 0.
    static func makeData(in dir: TemporaryDirectory) throws -> String {
        var text = "# TYPE load gauge\n"
        for host in ["a", "b"] {
            for minute in 0...40 {
                let value = host == "a" && (10..<20).contains(minute) ? 10 : 0
                text += "load{host=\"\(host)\"} \(value) \(1_700_000_000 + minute * 60)\n"
            }
        }
        text += "# EOF\n"
        try text.write(toFile: dir.path + "/input.om", atomically: true, encoding: .utf8)
        let result = try Subprocess.run(CheckMetricsCLITests.binary, ["tsdb", "create-blocks-from", "openmetrics", dir.path + "/input.om", dir.path + "/data"])
        #expect(result.status == 0, "\(result.stderr)")
        try """
            groups:
              - name: load
                interval: 1m
                rules:
                  - alert: HighLoad
                    expr: load > 5
                    for: 2m
                    annotations:
                      summary: "{{ $labels.host }} {{ $externalLabels.dc }}"
            """.write(toFile: dir.path + "/a.yml", atomically: true, encoding: .utf8)
        try """
            groups:
              - name: rec
                rules:
                  - record: load:sum
                    expr: sum(load)
            """.write(toFile: dir.path + "/b.yml", atomically: true, encoding: .utf8)
        return dir.path + "/data"
    }

    @Test func textAndJSONReportsAreDeterministic() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.makeData(in: dir)
        let args = ["replay", "--rules", dir.path + "/a.yml", dir.path + "/b.yml", "--data", data,
                    "--from", "1700000000", "--to", "2023-11-14T22:53:20Z", "--align", "start", "--external-label", "dc=eu"]
        let text = try Self.hindsight(args)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stderr.isEmpty)
        #expect(text.stdout.contains("2023-11-14T22:23:20Z  2023-11-14T22:25:20Z  2023-11-14T22:33:20Z"), "\(text.stdout)")
        #expect(text.stdout.contains("summary=\"a eu\""))
        #expect(try Self.hindsight(args).stdout == text.stdout)

        let jsonPath = dir.path + "/report.json"
        let json = try Self.hindsight(args + ["--format", "json", "--output", jsonPath, "--quiet"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.isEmpty)
        let written = try String(contentsOfFile: jsonPath, encoding: .utf8)
        #expect(written.hasPrefix("{\n\"from\":1700000000,\n\"to\":1700002400,"))
        #expect(written.contains("\"pendingAt\":1700000600,\"firingAt\":1700000720,\"resolvedAt\":1700001200,"))
        #expect(written.contains("\"name\":\"load:sum\",\"type\":\"recording\""))
        let again = try Self.hindsight(args + ["--format", "json"])
        #expect(again.stdout == written)

        // The flag repeated works like several files after one flag.
        let repeated = try Self.hindsight(["replay", "--rules", dir.path + "/a.yml", "--rules", dir.path + "/b.yml", "--data", data,
                                            "--from", "1700000000", "--to", "2023-11-14T22:53:20Z", "--align", "start", "--external-label", "dc=eu"])
        #expect(repeated.stdout == text.stdout)
    }

    @Test func defaultRangeIsTheWholeData() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.makeData(in: dir)
        let result = try Self.hindsight(["replay", "--rules", dir.path + "/a.yml", "--data", data, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("{\n\"from\":1700000000,\n\"to\":1700002400,"))
    }

    @Test func errorsExitOneWithAClearMessage() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.makeData(in: dir)
        try "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(rate(x[5m])\n"
            .write(toFile: dir.path + "/bad.yml", atomically: true, encoding: .utf8)
        let badRules = try Self.hindsight(["replay", "--rules", dir.path + "/bad.yml", "--data", data])
        #expect(badRules.status == 1)
        #expect(badRules.stderr.contains(dir.path + "/bad.yml:5:"), "\(badRules.stderr)")

        let missing = try Self.hindsight(["replay", "--rules", dir.path + "/a.yml", "--data", dir.path + "/nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("error:"), "\(missing.stderr)")

        let badTime = try Self.hindsight(["replay", "--rules", dir.path + "/a.yml", "--data", data, "--from", "yesterday"])
        #expect(badTime.status == 1)
        #expect(badTime.stderr.contains("--from: cannot parse \"yesterday\""), "\(badTime.stderr)")

        let reversed = try Self.hindsight(["replay", "--rules", dir.path + "/a.yml", "--data", data, "--from", "1700001000", "--to", "1700000000"])
        #expect(reversed.status == 1)
        #expect(reversed.stderr.contains("--to must not be before --from"))
    }
}
