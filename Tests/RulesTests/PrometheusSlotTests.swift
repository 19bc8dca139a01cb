import Foundation
import Model
import PromQL
import TestSupport
import Testing
@testable import Rules

/// Evaluation slots next to real Prometheus: the timestamps a running Prometheus gives its
/// recording-rule outputs are exactly the slots ``RuleGroup/slot(atOrBefore:)`` computes for
/// the same file path and group name.
@Suite(.serialized, .enabled(if: Subprocess.which("prometheus") != nil || Conformance.isCI))
struct PrometheusSlotTests {
    @Test func slotsEqualPrometheusEvalTimestamps() throws {
        let prometheus = try #require(Subprocess.which("prometheus"), "prometheus is not installed (scripts/setup installs it)")
        let curl = try #require(Subprocess.which("curl"))
        let dir = try TemporaryDirectory(prefix: "hindsight-slots")
        let rules = dir.path + "/rules.yml"
        let groups = ["alpha", "beta", "gamma"]
        try ("groups:\n" + groups.map { "  - name: \($0)\n    interval: 3s\n    rules:\n      - record: slot_\($0)\n        expr: vector(1)\n" }.joined())
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let config = dir.path + "/prometheus.yml"
        try "global:\n  evaluation_interval: 3s\nrule_files: ['\(rules)']\n".write(toFile: config, atomically: true, encoding: .utf8)
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prometheus)
        process.arguments = ["--config.file=\(config)", "--storage.tsdb.path=\(dir.path)/data", "--web.listen-address=127.0.0.1:\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var timestamps: [String: [Int64]] = [:]
        for _ in 0..<200 {
            usleep(100_000)
            for group in groups {
                let reply = try? Subprocess.run(curl, ["-sfG", "http://127.0.0.1:\(port)/api/v1/query", "--data-urlencode", "query=slot_\(group)[1h]"])
                guard let reply, reply.status == 0,
                      let doc = try? JSONSerialization.jsonObject(with: Data(reply.stdout.utf8)) as? [String: Any],
                      let data = doc["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
                      let values = result.first?["values"] as? [[Any]]
                else { continue }
                timestamps[group] = values.compactMap { ($0.first as? NSNumber).map { Int64(($0.doubleValue * 1000).rounded()) } }
            }
            if groups.allSatisfy({ (timestamps[$0]?.count ?? 0) >= 2 }) { break }
        }
        for name in groups {
            let seen = try #require(timestamps[name], "no samples of group \(name)")
            try #require(seen.count >= 2)
            let group = RuleGroup(
                RuleGroupDefinition(name: name, interval: 3000, rules: [], location: SourceLocation(file: rules, line: 1, column: 1)),
                file: rules, options: RuleEvaluationOptions())
            for t in seen {
                #expect(group.slot(atOrBefore: t) == t, "group \(name): Prometheus evaluated at \(t)")
                #expect(group.slot(atOrBefore: t - 1) == t - 3000)
            }
        }
    }
}
