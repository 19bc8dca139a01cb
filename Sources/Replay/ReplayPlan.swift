import Model
import PromQL
import Rules

/// How a replay may order its evaluations, worked out from what each rule reads.
///
/// Live Prometheus runs (group, slot) pairs in time order, equal times in file order. A
/// replay may instead run **window by window**: in each window of simulated time, each
/// group in file order through all its slots. That gives the same results when no rule
/// reads the outputs of a group after its own (those would be missing for the window),
/// no group reads an earlier group with a larger query offset (it would see that group's
/// outputs too early), and nothing that reads rule outputs looks past its evaluation time
/// (`@`, negative offsets, `smoothed`, the `query` template function).
///
/// Within a window, a group runs in **phases**: consecutive runs of its rules, each phase
/// through all the window's slots before the next, where no rule reads a rule of a later
/// phase (or the phase split would hide that rule's latest outputs from it). A phase ends
/// where a rule reads an earlier rule of it, when that is allowed. A rule that reads no
/// output of its own phase can then be evaluated for all the slots at once, as one range
/// query (those of a phase side by side), before its phase runs (``WindowedResults``); the
/// rest are evaluated slot by slot as usual.
struct ReplayPlan {
    /// Whether window-by-window evaluation gives live Prometheus's results.
    var windowMajor: Bool
    /// Why not, when it does not (for tests and debugging).
    var reason: String?
    /// By group: its phases, rule positions in order (one phase of all rules when not
    /// window-major).
    var phases: [[Range<Int>]]
    /// By group, by rule: whether the rule's expression can be computed per window.
    var precomputable: [[Bool]]
    /// By group: its level in the order of groups reading each other's outputs (0: reads
    /// no other group; otherwise one more than the highest level it reads). Groups of one
    /// level are independent and may run at the same time.
    var levels: [Int]

    /// A rule output: the metric name, and for `ALERTS`/`ALERTS_FOR_STATE` the alert name.
    struct Output {
        var metric: String
        var alertname: String?
        var group: Int
        var rule: Int
    }

    init(groups: [RuleGroup], definitions: [RuleGroupDefinition]) {
        var outputs: [Output] = []
        for (g, group) in groups.enumerated() {
            for (r, rule) in group.rules.enumerated() {
                switch rule {
                case .recording(let recording): outputs.append(Output(metric: recording.name, group: g, rule: r))
                case .alerting(let alerting):
                    outputs.append(Output(metric: "ALERTS", alertname: alerting.name, group: g, rule: r))
                    outputs.append(Output(metric: "ALERTS_FOR_STATE", alertname: alerting.name, group: g, rule: r))
                }
            }
        }
        var reason: String?
        var phases: [[Range<Int>]] = []
        var precomputable: [[Bool]] = []
        var levels: [Int] = []
        for (g, group) in groups.enumerated() {
            var level = 0
            // The rules of this group each rule reads.
            var sameGroup: [Set<Int>] = []
            for (r, rule) in group.rules.enumerated() {
                let reads = Self.reads(rule.expr, outputs: outputs)
                let readGroups = Set(reads.groups.map { outputs[$0].group })
                if reason == nil {
                    if let later = readGroups.first(where: { $0 > g }) {
                        reason = "rule \(rule.name) (group \(group.name)) reads outputs of the later group \(groups[later].name)"
                    } else if let earlier = readGroups.first(where: { $0 < g && groups[$0].queryOffset > group.queryOffset }) {
                        reason = "rule \(rule.name) reads group \(groups[earlier].name), whose query offset is larger than its group's"
                    } else if reads.futureLooking && !readGroups.isEmpty {
                        reason = "rule \(rule.name) reads rule outputs with @, a negative offset or smoothed"
                    } else if g < definitions.count, r < definitions[g].rules.count, Self.usesQueryFunction(definitions[g].rules[r]) {
                        reason = "rule \(rule.name) runs queries from its templates"
                    }
                }
                sameGroup.append(Set(reads.groups.filter { outputs[$0].group == g }.map { outputs[$0].rule }))
                for read in readGroups where read < g { level = max(level, levels[read] + 1) }
            }
            levels.append(level)
            let groupPhases = Self.phases(reading: sameGroup)
            phases.append(groupPhases)
            var row = [Bool](repeating: false, count: group.rules.count)
            for phase in groupPhases {
                for r in phase { row[r] = sameGroup[r].isDisjoint(with: phase) }
            }
            precomputable.append(row)
        }
        self.reason = reason
        windowMajor = reason == nil
        self.levels = levels
        self.phases = windowMajor ? phases : groups.map { [$0.rules.indices] }
        self.precomputable = windowMajor ? precomputable : groups.map { $0.rules.map { _ in false } }
    }

    /// Splits rules `0..<reads.count` (`reads[i]`: the rules rule `i` reads) into
    /// consecutive phases, each as long as it can be while no rule reads an earlier rule of
    /// its own phase (so that the phase's expressions can all be computed ahead, side by
    /// side). A phase may only end where no rule before the cut reads a rule after it; where
    /// that forbids a cut, the rule stays in the phase and is evaluated slot by slot.
    static func phases(reading reads: [Set<Int>]) -> [Range<Int>] {
        var phases: [Range<Int>] = []
        var start = 0
        var reach = 0  // one past the furthest rule read by any rule so far
        for i in reads.indices {
            let readsOwnPhase = reads[i].contains { $0 >= start && $0 < i }
            if readsOwnPhase && reach <= i {
                phases.append(start..<i)
                start = i
            }
            reach = max(reach, (reads[i].max() ?? -1) + 1)
        }
        if start < reads.count { phases.append(start..<reads.count) }
        return phases
    }

    /// The outputs (indices into `outputs`) a selector in `expr` may read, and whether any
    /// selector or subquery looks past the evaluation time.
    static func reads(_ expr: Expr, outputs: [Output]) -> (groups: [Int], futureLooking: Bool) {
        var read = Set<Int>()
        var future = false
        expr.forEachNode { node in
            let selector: VectorSelector
            switch node {
            case .vectorSelector(let v): selector = v
            case .matrixSelector(let m): selector = m.vectorSelector
            case .subquery(let sq):
                if sq.at != nil || sq.offset < 0 || sq.offsetExpr != nil { future = true }
                return
            default: return
            }
            if selector.at != nil || selector.offset < 0 || selector.offsetExpr != nil || selector.smoothed { future = true }
            for (index, output) in outputs.enumerated() where mayRead(selector, output) { read.insert(index) }
        }
        return (read.sorted(), future)
    }

    /// Whether the selector's name and alert-name matchers admit the output.
    static func mayRead(_ selector: VectorSelector, _ output: Output) -> Bool {
        for matcher in selector.matchers {
            if matcher.name == LabelName.metricName && !matcher.matches(output.metric) { return false }
            if matcher.name == "alertname", let alertname = output.alertname, !matcher.matches(alertname) { return false }
        }
        return true
    }

    /// Whether a rule's label or annotation templates call `query`.
    static func usesQueryFunction(_ rule: RuleDefinition) -> Bool {
        (rule.labels + rule.annotations).contains { item in
            var rest = Substring(item.value)
            while let open = rest.range(of: "{{") {
                let after = rest[open.upperBound...]
                let close = after.range(of: "}}")?.lowerBound ?? after.endIndex
                let action = after[..<close]
                let words = action.split { !($0.isLetter || $0.isNumber || $0 == "_") }
                if words.contains("query") { return true }
                rest = after[close...]
            }
            return false
        }
    }
}
