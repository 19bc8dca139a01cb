import Foundation
import TestSupport
import Testing

/// `hindsight query instant|range` as a user runs it, and its answers next to real
/// Prometheus's HTTP API over the same data.
@Suite(.serialized)
struct QueryCLITests {
    /// A small OpenMetrics file: two counters and a gauge, 15 s apart for 20 minutes, from
    /// Unix time 1000 s.
    static let input: String = {
        var text = "# TYPE req counter\n# TYPE temp gauge\n"
        var lines: [String] = []
        for i in 0..<80 {
            let t = 1000 + i * 15
            lines.append("req_total{instance=\"a\",job=\"api\"} \(i * 3) \(t)")
            lines.append("req_total{instance=\"b\",job=\"api\"} \(i * 5 % 97) \(t)")
            lines.append("temp{instance=\"a\",job=\"node\"} \(20 + Double(i % 7) / 4) \(t)")
        }
        // OpenMetrics wants each family's samples together.
        let families = ["req_total{instance=\"a\"", "req_total{instance=\"b\"", "temp{"]
        var ordered: [String] = []
        for prefix in families { ordered += lines.filter { $0.hasPrefix(prefix) } }
        return "# TYPE req counter\n" + ordered.filter { $0.hasPrefix("req") }.joined(separator: "\n")
            + "\n# TYPE temp gauge\n" + ordered.filter { $0.hasPrefix("temp") }.joined(separator: "\n") + "\n# EOF\n"
    }()

    static func makeData(in dir: TemporaryDirectory, with tool: String = CheckMetricsCLITests.binary) throws -> String {
        let file = dir.path + "/input.om"
        try input.write(toFile: file, atomically: true, encoding: .utf8)
        let data = dir.path + "/data-\(URL(fileURLWithPath: tool).lastPathComponent)"
        let args = tool == CheckMetricsCLITests.binary
            ? ["tsdb", "create-blocks-from", "openmetrics", "--quiet", file, data]
            : ["tsdb", "create-blocks-from", "openmetrics", file, data]
        let result = try Subprocess.run(tool, args)
        #expect(result.status == 0, "\(result.stderr)")
        return data
    }

    @Test func instantQueryPrintsTheAPIDataObject() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-query")
        let data = try Self.makeData(in: dir)
        let result = try CheckMetricsCLITests.hindsight([
            "query", "instant", "--data", data, "--format", "json", "--time", "1307.5", "sum by (job) (req_total)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // At 1307.5 s the last samples are at 1300 s (i = 20): 60 and 100 % 97 = 3.
        #expect(result.stdout == "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"api\"},\"value\":[1307.5,\"63\"]}]}\n")
    }

    @Test func rangeQueryAndTable() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-query")
        let data = try Self.makeData(in: dir)
        let json = try CheckMetricsCLITests.hindsight([
            "query", "range", "--data", data, "--format", "json", "--start", "1970-01-01T00:20:00Z", "--end", "1260",
            "--step", "30s", "req_total{instance=\"a\"} * 2",  // the samples at 1195, 1225, 1255 s: 39, 45, 51
        ])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout == "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"instance\":\"a\",\"job\":\"api\"},\"values\":[[1200,\"78\"],[1230,\"90\"],[1260,\"102\"]]}]}\n")
        // 39 + 65 (i = 13 at 1195 s).
        let table = try CheckMetricsCLITests.hindsight(["query", "instant", "--data", data, "--time", "1200", "scalar(sum(req_total))"])
        #expect(table.stdout == "scalar: 104 @[1200000]\n")
    }

    @Test(arguments: [
        (["sum(", "--time", "1200"], "1:5: parse error: unclosed left parenthesis"),
        (["rate(req_total)", "--time", "1200"], "expected type range vector in call to function \"rate\", got instant vector"),
        (["up", "--time", "yesterday"], "--time: cannot parse \"yesterday\" to a valid timestamp"),
    ])
    func errorsExitOneWithPrometheusMessage(arguments: [String], message: String) throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-query")
        let data = try Self.makeData(in: dir)
        let result = try CheckMetricsCLITests.hindsight(["query", "instant", "--data", data] + arguments.dropFirst() + [arguments[0]])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func rangeQueryRejectsMatrixExpressions() throws {
        let dir = try TemporaryDirectory(prefix: "hindsight-query")
        let data = try Self.makeData(in: dir)
        let result = try CheckMetricsCLITests.hindsight([
            "query", "range", "--data", data, "--start", "1000", "--end", "1100", "--step", "10", "req_total[1m]",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"))
    }

    /// Queries whose answers Prometheus 2.42 and 3.x agree on: evaluation times sit 7.5 s off
    /// the 15 s sample grid, so left-open (3.x) and closed (2.x) windows hold the same samples.
    static let comparedQueries: [[String]] = [
        ["instant", "1307.5", "rate(req_total[5m])"],
        ["instant", "1307.5", "sum by (instance) (increase(req_total[2m]))"],
        ["instant", "1307.5", "topk(1, req_total)"],
        ["instant", "1307.5", "temp > 20.5"],
        ["instant", "1307.5", "avg_over_time(temp[10m]) - on (instance) group_left max_over_time(temp[10m])"],
        ["instant", "1307.5", "quantile_over_time(0.3, temp[7m])"],
        ["instant", "1307.5", "deriv(temp[6m])"],
        ["instant", "1307.5", "resets(req_total[20m])"],
        ["instant", "1307.5", "max_over_time(rate(req_total[2m])[10m:1m])"],
        ["instant", "1307.5", "label_replace(req_total, \"host\", \"h-$1\", \"instance\", \"(.*)\")"],
        ["instant", "1307.5", "count_values(\"v\", round(temp))"],
        ["instant", "1307.5", "absent(nothing{job=\"x\"})"],
        ["range", "1022.5", "2187.5", "45", "sum(rate(req_total[1m]))"],
        ["range", "1022.5", "2187.5", "45", "stddev_over_time(temp[3m])"],
        ["range", "1022.5", "2187.5", "45", "req_total unless on (instance) temp"],
        ["range", "1022.5", "2187.5", "45", "predict_linear(temp[5m], 600)"],
        ["range", "1022.5", "2187.5", "45", "timestamp(temp)"],
    ]

    @Test(.enabled(if: Subprocess.which("prometheus") != nil || Conformance.isCI))
    func answersEqualRealPrometheus() throws {
        let prometheus = try #require(Subprocess.which("prometheus"), "prometheus is not installed (scripts/setup installs it)")
        let promtool = try #require(Subprocess.which("promtool"))
        let curl = try #require(Subprocess.which("curl"), "curl is not installed")
        let dir = try TemporaryDirectory(prefix: "hindsight-query-prom")
        let ours = try Self.makeData(in: dir)
        let theirs = try Self.makeData(in: dir, with: promtool)
        let config = dir.path + "/prometheus.yml"
        try "global:\n  scrape_interval: 1h\n".write(toFile: config, atomically: true, encoding: .utf8)
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prometheus)
        process.arguments = [
            "--config.file=\(config)", "--storage.tsdb.path=\(theirs)", "--storage.tsdb.retention.time=100y",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? Subprocess.run(curl, ["-sf", "http://127.0.0.1:\(port)/-/ready"]))?.status == 0
            if !ready { usleep(100_000) }
        }
        try #require(ready, "prometheus did not become ready")

        for query in Self.comparedQueries {
            let api: [String]
            let cli: [String]
            if query[0] == "instant" {
                api = ["-sfG", "http://127.0.0.1:\(port)/api/v1/query", "--data-urlencode", "query=\(query[2])", "--data-urlencode", "time=\(query[1])"]
                cli = ["query", "instant", "--data", ours, "--format", "json", "--time", query[1], query[2]]
            } else {
                api = [
                    "-sfG", "http://127.0.0.1:\(port)/api/v1/query_range", "--data-urlencode", "query=\(query[4])",
                    "--data-urlencode", "start=\(query[1])", "--data-urlencode", "end=\(query[2])", "--data-urlencode", "step=\(query[3])",
                ]
                cli = ["query", "range", "--data", ours, "--format", "json", "--start", query[1], "--end", query[2], "--step", query[3], query[4]]
            }
            let reference = try Subprocess.run(curl, api)
            #expect(reference.status == 0, "prometheus: \(query)")
            let answer = try CheckMetricsCLITests.hindsight(cli)
            #expect(answer.status == 0, "\(query): \(answer.stderr)")
            let expected = try Self.series(ofAPIResponse: reference.stdout)
            let got = try Self.series(ofData: answer.stdout)
            #expect(!expected.isEmpty, "\(query) has an empty answer; it tests nothing")
            #expect(Set(got.keys) == Set(expected.keys), "\(query)")
            for (key, points) in expected {
                let mine = got[key] ?? []
                #expect(mine.count == points.count, "\(query) \(key)")
                for (a, b) in zip(mine, points) {
                    #expect(a.0 == b.0, "\(query) \(key)")
                    #expect(a.1 == b.1 || (a.1.isNaN && b.1.isNaN) || abs(a.1 - b.1) <= 1e-9 * max(abs(a.1), abs(b.1)),
                            "\(query) \(key) at \(a.0): \(a.1) vs \(b.1)")
                }
            }
        }
    }

    static func series(ofAPIResponse text: String) throws -> [String: [(Double, Double)]] {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let data = try #require(doc["data"])
        return try series(ofDataObject: data)
    }

    static func series(ofData text: String) throws -> [String: [(Double, Double)]] {
        try series(ofDataObject: try JSONSerialization.jsonObject(with: Data(text.utf8)))
    }

    static func series(ofDataObject object: Any) throws -> [String: [(Double, Double)]] {
        let data = try #require(object as? [String: Any])
        let results = try #require(data["result"] as? [[String: Any]])
        var out: [String: [(Double, Double)]] = [:]
        for result in results {
            let metric = try #require(result["metric"] as? [String: String])
            let key = metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let raw = (result["values"] as? [[Any]]) ?? [(result["value"] as? [Any]) ?? []]
            out[key] = raw.map { pair in
                ((pair[0] as? NSNumber)?.doubleValue ?? .nan, Double(pair[1] as? String ?? "") ?? .nan)
            }
        }
        return out
    }
}
