import Foundation
import Model
import PromQL
import Rules
import TSDB

/// Replays rule files over historical data in simulated time, as live Prometheus would
/// have evaluated them, and reports the alert timeline and per-rule figures.
///
/// - Every group is evaluated at its own slots (``ReplayAlignment``); groups are
///   interleaved in time, equal timestamps run in file order.
/// - All groups share one ``OverlayStorage``: history read-only, rule outputs (recording
///   series, `ALERTS`, `ALERTS_FOR_STATE`) in an in-memory head, so chained rules and
///   rules reading `ALERTS` see what they would see live.
/// - Alert state at `from` is rebuilt by starting early (``WarmUp``): the largest
///   `for` + `keep_firing_for` + longest range or subquery window of any alerting rule,
///   plus one interval, never before the data's start. Only `from`…`to` is reported.
/// - Nothing reads the wall clock to decide anything; the same inputs give the same report.
public struct Replayer: Sendable {
    public let files: [RuleFile]
    public let data: any Queryable
    public let configuration: ReplayConfiguration

    public init(files: [RuleFile], data: any Queryable, configuration: ReplayConfiguration) {
        self.files = files
        self.data = data
        self.configuration = configuration
    }

    /// The engine rules evaluate with: no timeout (no result may depend on the machine's
    /// speed), serving `precomputed` results when given.
    func makeEngine(precomputed: WindowedResults? = nil) -> Engine {
        var engineOptions = EngineOptions()
        engineOptions.lookbackDelta = configuration.lookbackDelta
        engineOptions.timeout = nil
        var engine = Engine(options: engineOptions)
        engine.precomputed = precomputed
        return engine
    }

    /// The number of groups in the files.
    var groupCount: Int { files.reduce(0) { $0 + $1.groups.count } }

    /// The groups as they will be evaluated, in file order; group `i` serves
    /// `precomputed[i]`'s results when given.
    func makeGroups(precomputed: [WindowedResults]? = nil) -> [RuleGroup] {
        var groups: [RuleGroup] = []
        for file in files {
            for var definition in file.groups {
                if let interval = configuration.evaluationInterval { definition.interval = interval }
                let options = RuleEvaluationOptions(
                    engine: makeEngine(precomputed: precomputed?[groups.count]), defaultInterval: configuration.defaultInterval,
                    defaultQueryOffset: 0, externalLabels: configuration.externalLabels, externalURL: configuration.externalURL)
                groups.append(RuleGroup(definition, file: file.path, options: options))
            }
        }
        return groups
    }

    /// How the groups may be ordered (see ``ReplayPlan``).
    func makePlan(_ groups: [RuleGroup]) -> ReplayPlan {
        ReplayPlan(groups: groups, definitions: files.flatMap(\.groups))
    }

    /// Where evaluation starts: `from` less the warm-up, not before the data's start.
    func evaluationStart(groups: [RuleGroup]) -> Int64 {
        let from = configuration.from
        var start = from - WarmUp.duration(of: groups)
        if let dataStart = configuration.dataStart { start = max(start, min(dataStart, from)) }
        return start
    }

    /// The first slot of `group` at or after `start`.
    func firstSlot(of group: RuleGroup, atOrAfter start: Int64) -> Int64 {
        switch configuration.alignment {
        case .prometheus:
            let slot = group.slot(atOrBefore: start)
            return slot < start ? slot + group.interval : slot
        case .start:
            let from = configuration.from
            let steps = (from - start) / group.interval
            var slot = from - steps * group.interval
            if slot < start { slot += group.interval }
            return slot
        }
    }

    /// Runs the replay. `progress` is called after evaluations (at most about 1,000 times).
    public func run(progress: ((ReplayProgress) -> Void)? = nil) throws -> ReplayReport {
        let from = configuration.from, to = configuration.to
        let results = (0..<groupCount).map { _ in WindowedResults() }
        var groups = makeGroups(precomputed: results)
        let plan = makePlan(groups)
        let start = evaluationStart(groups: groups)
        let cache = WindowCache(base: data)
        let storage = OverlayStorage(base: cache)
        var next = groups.map { firstSlot(of: $0, atOrAfter: start) }
        let books: [Bookkeeping]

        if configuration.windowed && plan.windowMajor {
            // Window by window; in each, every group in file order through its slots (groups
            // that do not read each other side by side), phase by phase, the expressions that
            // allow it computed for the whole window first.
            let passes = groups.indices.map { GroupPass(group: groups[$0], results: results[$0], book: Bookkeeping(groups: groups, from: from, start: start, to: to, progress: nil)) }
            let plain = makeEngine()
            let longest = groups.map(\.interval).max() ?? 60_000
            let length = max(configuration.windowLength, 60 * longest)
            let maxLevel = plan.levels.max() ?? 0
            var windowStart = start, evaluations = 0
            while windowStart <= to {
                try Task.checkCancellation()
                let windowEnd = windowStart + length
                for g in groups.indices {
                    passes[g].slots.removeAll(keepingCapacity: true)
                    while next[g] < windowEnd && next[g] <= to {
                        passes[g].slots.append(next[g])
                        next[g] += groups[g].interval
                    }
                    evaluations += passes[g].slots.count
                }
                for level in 0...maxLevel {
                    let members = groups.indices.filter { plan.levels[$0] == level && !passes[$0].slots.isEmpty }
                    if members.count == 1 {
                        passes[members[0]].run(plan: plan, index: members[0], engine: plain, storage: storage)
                    } else if !members.isEmpty {
                        DispatchQueue.concurrentPerform(iterations: members.count) { i in
                            passes[members[i]].run(plan: plan, index: members[i], engine: plain, storage: storage)
                        }
                    }
                }
                progress?(ReplayProgress(
                    time: min(windowEnd, to), fraction: min(1, Double(min(windowEnd, to) - start) / Double(max(1, to - start))),
                    evaluations: evaluations, samples: cache.loadedSamples))
                windowStart = windowEnd
            }
            books = passes.map(\.book)
        } else {
            var book = Bookkeeping(groups: groups, from: from, start: start, to: to, progress: progress.map { report in
                { (update: ReplayProgress) in
                    var update = update
                    update.samples = cache.loadedSamples
                    report(update)
                }
            })
            while true {
                // The earliest next slot; ties go to the group that comes first in the files.
                var chosen = -1
                for i in groups.indices where next[i] <= to && (chosen < 0 || next[i] < next[chosen]) { chosen = i }
                guard chosen >= 0 else { break }
                try Task.checkCancellation()
                let time = next[chosen]
                next[chosen] += groups[chosen].interval
                let evaluation = groups[chosen].evaluate(at: time, storage: storage)
                book.record(evaluation, group: groups[chosen], index: chosen, at: time, rules: groups[chosen].rules.indices, counted: true)
            }
            books = [book]
        }

        // The timeline: episodes active at some point in [from, to].
        let merged = Bookkeeping.merge(books, groups: groups)
        let episodes = merged.episodes.filter { ($0.resolvedAt ?? .max) >= from && $0.pendingAt <= to }
        var summaries = merged.summaries
        summarize(episodes, into: &summaries)
        for i in summaries.indices {
            summaries[i].errors = Array(merged.errorsByRule[i].prefix(RuleSummary.maxDistinctErrors))
        }
        try countRecordingOutputs(storage.overlay, groups: groups, ruleBase: merged.ruleBase, into: &summaries)
        return ReplayReport(
            from: from, to: to, evaluationStart: start, alerts: episodes, rules: summaries,
            evaluations: merged.evaluations, storage: storage)
    }

    /// One group's part of a window: its slots, run phase by phase, with its own
    /// precomputed results and bookkeeping, so that independent groups can run on
    /// different threads.
    final class GroupPass: @unchecked Sendable {
        var group: RuleGroup
        let results: WindowedResults
        var book: Bookkeeping
        var slots: [Int64] = []

        init(group: RuleGroup, results: WindowedResults, book: Bookkeeping) {
            self.group = group
            self.results = results
            self.book = book
        }

        func run(plan: ReplayPlan, index g: Int, engine: Engine, storage: OverlayStorage) {
            guard let first = slots.first else { return }
            for (p, phase) in plan.phases[g].enumerated() {
                results.removeAll()
                let ahead = phase.filter { plan.precomputable[g][$0] }.map { (group.rules[$0].expr, group.rules[$0].query) }
                let (start, step, count) = (first - group.queryOffset, group.interval, slots.count)
                DispatchQueue.concurrentPerform(iterations: ahead.count) { [results] i in
                    results.precompute(ahead[i].0, query: ahead[i].1, start: start, step: step, count: count, engine: engine, storage: storage)
                }
                for time in slots {
                    let evaluation = group.evaluate(at: time, storage: storage, rules: phase)
                    book.record(evaluation, group: group, index: g, at: time, rules: phase, counted: p == 0)
                }
            }
            results.removeAll()
        }
    }

    /// What the replay learns from each group evaluation: errors per rule, alert episodes,
    /// progress.
    struct Bookkeeping {
        /// Rule indices across all groups, in file order: where each group's rules start.
        var ruleBase: [Int] = []
        var summaries: [RuleSummary] = []
        var errorIndex: [[String: Int]]
        var errorsByRule: [[RuleSummary.ErrorCount]]
        var tracker = EpisodeTracker()
        var evaluations = 0
        let from: Int64, start: Int64, span: Double
        let progress: ((ReplayProgress) -> Void)?
        var lastReported = -1

        init(groups: [RuleGroup], from: Int64, start: Int64, to: Int64, progress: ((ReplayProgress) -> Void)?) {
            for group in groups {
                ruleBase.append(summaries.count)
                for rule in group.rules {
                    let kind: RuleSummary.Kind
                    switch rule {
                    case .alerting: kind = .alerting
                    case .recording: kind = .recording
                    }
                    summaries.append(RuleSummary(name: rule.name, kind: kind, group: group.name, file: group.file))
                }
            }
            errorIndex = Array(repeating: [:], count: summaries.count)
            errorsByRule = Array(repeating: [], count: summaries.count)
            self.from = from
            self.start = start
            span = Double(max(1, to - start))
            self.progress = progress
        }

        /// Records the evaluation of `group`'s rules at positions `rules` at `time`;
        /// `counted`: the first part of the group's evaluation at that time.
        /// The books of several passes as one: each rule's figures from the book that
        /// evaluated its group, all episodes in timeline order.
        static func merge(_ books: [Bookkeeping], groups: [RuleGroup]) -> (
            ruleBase: [Int], summaries: [RuleSummary], errorsByRule: [[RuleSummary.ErrorCount]], episodes: [AlertEpisode], evaluations: Int
        ) {
            guard var merged = books.first else { return ([], [], [], [], 0) }
            let episodes = books.flatMap { $0.tracker.allEpisodes() }.sorted(by: AlertEpisode.timelineOrder)
            if books.count == groups.count && books.count > 1 {
                for (g, group) in groups.enumerated() {
                    for r in group.rules.indices {
                        let i = merged.ruleBase[g] + r
                        merged.summaries[i] = books[g].summaries[i]
                        merged.errorsByRule[i] = books[g].errorsByRule[i]
                    }
                }
            }
            return (merged.ruleBase, merged.summaries, merged.errorsByRule, episodes, books.reduce(0) { $0 + $1.evaluations })
        }

        mutating func record(
            _ evaluation: RuleGroup.Evaluation, group: RuleGroup, index: Int, at time: Int64, rules: Range<Int>, counted: Bool
        ) {
            if counted { evaluations += 1 }
            if time >= from {
                for (ruleIndex, error) in evaluation.errors {
                    let global = ruleBase[index] + ruleIndex
                    summaries[global].errorCount += 1
                    let message = error.description
                    if let k = errorIndex[global][message] {
                        errorsByRule[global][k].count += 1
                    } else {
                        errorIndex[global][message] = errorsByRule[global].count
                        errorsByRule[global].append(.init(message: message, count: 1, firstAt: time))
                    }
                }
            }
            for ruleIndex in rules {
                guard case .alerting(let alerting) = group.rules[ruleIndex] else { continue }
                tracker.observe(
                    alerting.activeAlerts, rule: ruleBase[index] + ruleIndex, name: alerting.name,
                    group: group.name, file: group.file, at: time)
            }
            if let progress {
                let fraction = Double(time - start) / span
                let permille = Int(fraction * 1000)
                if permille > lastReported {
                    lastReported = permille
                    progress(ReplayProgress(time: time, fraction: min(1, max(0, fraction)), evaluations: evaluations))
                }
            }
        }
    }

    /// Fired counts, firing times, time to resolve and flaps of the alerting rules.
    func summarize(_ episodes: [AlertEpisode], into summaries: inout [RuleSummary]) {
        let from = configuration.from, to = configuration.to
        var resolveSum: [Int: (total: Int64, count: Int64)] = [:]
        // The last resolution of each instance, for flaps.
        var lastResolved: [EpisodeTracker.Key: Int64] = [:]
        for episode in episodes.sorted(by: { ($0.pendingAt, $0.ruleIndex) < ($1.pendingAt, $1.ruleIndex) }) {
            let i = episode.ruleIndex
            summaries[i].episodes += 1
            let key = EpisodeTracker.Key(ruleIndex: i, labels: episode.labels)
            guard let firingAt = episode.firingAt else { continue }
            let firing = episode.firingTime(from: from, to: to)
            if (episode.resolvedAt ?? .max) > from && firingAt <= to {
                summaries[i].fired += 1
            }
            summaries[i].totalFiring += firing
            summaries[i].longestFiring = max(summaries[i].longestFiring, firing)
            if let previous = lastResolved[key], firingAt - previous <= configuration.flapWindow {
                summaries[i].flaps += 1
            }
            if let resolvedAt = episode.resolvedAt, episode.end == .resolved {
                lastResolved[key] = resolvedAt
                if resolvedAt >= from && resolvedAt <= to {
                    resolveSum[i, default: (0, 0)].total += resolvedAt - firingAt
                    resolveSum[i, default: (0, 0)].count += 1
                }
            }
        }
        for (i, sum) in resolveSum where sum.count > 0 {
            summaries[i].meanTimeToResolve = sum.total / sum.count
        }
    }

    /// Samples and series each recording rule wrote with timestamps in [from, to], read
    /// back from the overlay: series named like the rule carrying its static labels.
    func countRecordingOutputs(_ overlay: Head, groups: [RuleGroup], ruleBase: [Int], into summaries: inout [RuleSummary]) throws {
        let from = configuration.from, to = configuration.to
        let maxOffset = groups.map(\.queryOffset).max() ?? 0
        let querier = try overlay.querier(mint: from - maxOffset, maxt: to)
        var counted = Set<String>()
        for (g, group) in groups.enumerated() {
            for (r, rule) in group.rules.enumerated() {
                guard case .recording(let recording) = rule else { continue }
                var matchers = [LabelMatcher.equal(LabelName.metricName, recording.name)]
                for label in recording.labels { matchers.append(.equal(label.name, label.value)) }
                // Two rules writing the same series share them: count once, for the first.
                let identity = matchers.map(\.description).joined(separator: ",") + "@\(group.queryOffset)"
                guard counted.insert(identity).inserted else { continue }
                // Outputs are stamped at evaluation time less the query offset.
                let lower = from - group.queryOffset, upper = to - group.queryOffset
                var set = try querier.select(matchers, hints: nil)
                var samples = 0, series = 0
                while let one = try set.next() {
                    var iterator = one.makeIterator()
                    var any = false
                    var sample = try iterator.seek(to: lower)
                    while let s = sample, s.timestamp <= upper {
                        if !StaleMarker.isStale(s.value) {
                            samples += 1
                            any = true
                        }
                        sample = try iterator.next()
                    }
                    if any { series += 1 }
                }
                summaries[ruleBase[g] + r].samples = samples
                summaries[ruleBase[g] + r].series = series
            }
        }
    }
}
