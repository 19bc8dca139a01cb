import ArgumentParser
import Foundation
import PromQL
import Rules
import TSDB

/// Evaluates rule files over a data directory (outputs into an in-memory overlay) for a
/// number of consecutive slots and prints where the time went: inside PromQL, and in the
/// rule engine itself (templates, labels, alert state, stale tracking, appends).
struct BenchRules: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules")

    @Option var data: String
    @Option var evaluations: Int = 60
    @Argument var rules: [String]

    func run() throws {
        let db = try openDB(data)
        guard let end = db.maxTime else { throw ValidationError("\(data) holds no samples") }
        let files: [RuleFile]
        do {
            files = try RuleFileLoader.load(paths: rules)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let storage = OverlayStorage(base: db)
        var groups = files.flatMap { file in file.groups.map { RuleGroup($0, file: file.path, options: RuleEvaluationOptions()) } }
        let interval = groups.map(\.interval).max() ?? 60_000
        let start = end - Int64(evaluations) * interval
        var total = Duration.zero
        var inQueries = Duration.zero
        // The first slot also creates every output series and fills the rules' caches.
        var firstTotal = Duration.zero
        var firstInQueries = Duration.zero
        var errors = 0
        var ruleEvaluations = 0
        var activeAlerts = 0
        for i in 0..<evaluations {
            let t = start + Int64(i) * interval
            for g in groups.indices {
                let result = groups[g].evaluate(at: t, storage: storage)
                total += groups[g].evaluationDuration
                inQueries += result.queryDuration
                errors += result.errors.count
                ruleEvaluations += groups[g].rules.count
                activeAlerts += groups[g].alertingRules.reduce(0) { $0 + $1.activeAlerts.count }
            }
            if i == 0 { (firstTotal, firstInQueries) = (total, inQueries) }
        }
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        let totalSeconds = seconds(total)
        let querySeconds = seconds(inQueries)
        let overhead = totalSeconds - querySeconds
        let steadyTotal = seconds(total - firstTotal)
        let steadyOverhead = steadyTotal - seconds(inQueries - firstInQueries)
        print("groups=\(groups.count) rules=\(groups.map(\.rules.count).reduce(0, +)) evaluations=\(evaluations) rule_evaluations=\(ruleEvaluations) errors=\(errors) mean_active_alerts=\(activeAlerts / max(1, evaluations))")
        let perRule = 1e6 / Double(max(1, ruleEvaluations))
        print(String(format: "total_s=%.4f promql_s=%.4f overhead_s=%.4f overhead_pct=%.2f steady_overhead_pct=%.2f first_overhead_ms=%.2f per_group_evaluation_ms=%.3f overhead_per_rule_us=%.2f promql_per_rule_us=%.2f",
                     totalSeconds, querySeconds, overhead, 100 * overhead / max(totalSeconds, 1e-12),
                     100 * steadyOverhead / max(steadyTotal, 1e-12), 1000 * (seconds(firstTotal) - seconds(firstInQueries)),
                     1000 * totalSeconds / Double(max(1, evaluations * groups.count)),
                     overhead * perRule, querySeconds * perRule))
    }
}
