import Foundation
import Model
import Rules
import TSDB

/// What changes when one rule file set replaces another, replayed over the same history:
/// per alert rule name, the episodes only the old or only the new rules produce and the
/// episodes whose windows or annotations changed; per recording rule name, the series and
/// samples that differ. Everything is sorted, so the same inputs give the same diff.
///
/// Episodes are matched per alert rule name and alert labels (`alertname` included):
/// an old and a new episode with equal pending, firing and resolved times, end and
/// annotation history are the same; otherwise an old and a new episode whose windows
/// (pendingAt to resolvedAt, or to the end while active) overlap are one changed episode,
/// paired in time order; the rest are only in old or only in new. A renamed alert is its
/// old name only in old and its new name only in new.
///
/// Recording outputs are compared sample by sample over [from, to] per series (rule name
/// and labels): a timestamp present on one side only, or a different value (stale markers
/// and NaN compared as such, other values exactly), is a differing sample.
public struct ReplayDiff: Sendable {
    /// Whether a rule name exists in both rule sets or in one only.
    public enum Presence: String, Sendable, Hashable {
        case both
        case onlyInOld
        case onlyInNew
    }

    /// What differs between two matched episodes.
    public enum Change: String, Sendable, Hashable, CaseIterable {
        case pendingAt
        case firingAt
        case resolvedAt
        case end
        case annotations
    }

    /// An episode of the old rules matched with one of the new rules, and what differs.
    public struct ChangedEpisode: Sendable {
        public var old: AlertEpisode
        public var new: AlertEpisode
        public var changes: [Change]
    }

    /// The episodes of one alert rule name that differ.
    public struct AlertRuleDiff: Sendable {
        public var name: String
        public var presence: Presence
        public var oldEpisodes: Int
        public var newEpisodes: Int
        /// Episodes equal on both sides.
        public var unchanged: Int
        public var onlyInOld: [AlertEpisode]
        public var onlyInNew: [AlertEpisode]
        public var changed: [ChangedEpisode]

        public var isIdentical: Bool {
            presence == .both && onlyInOld.isEmpty && onlyInNew.isEmpty && changed.isEmpty
        }
    }

    /// A recording series present on both sides with different samples.
    public struct ChangedSeries: Sendable {
        public var labels: Labels
        /// Timestamps where the sides differ (a sample on one side only, or another value).
        public var samplesDiffering: Int
        public var firstDifferenceAt: Int64
        /// The largest |new − old| over timestamps where both have an ordinary number.
        public var maxAbsoluteDifference: Double?
    }

    /// The outputs of one recording rule name that differ.
    public struct RecordingRuleDiff: Sendable {
        public var name: String
        public var presence: Presence
        public var oldSeries: Int
        public var newSeries: Int
        public var oldSamples: Int
        public var newSamples: Int
        public var seriesOnlyInOld: [Labels]
        public var seriesOnlyInNew: [Labels]
        public var changedSeries: [ChangedSeries]

        /// Differing samples over the changed series.
        public var samplesDiffering: Int { changedSeries.reduce(0) { $0 + $1.samplesDiffering } }
        public var firstDifferenceAt: Int64? { changedSeries.map(\.firstDifferenceAt).min() }
        public var maxAbsoluteDifference: Double? { changedSeries.compactMap(\.maxAbsoluteDifference).max() }

        public var isIdentical: Bool {
            presence == .both && seriesOnlyInOld.isEmpty && seriesOnlyInNew.isEmpty && changedSeries.isEmpty
        }
    }

    /// The compared range (ms), both ends included.
    public var from: Int64
    public var to: Int64
    /// Alert rule names with differences, by name.
    public var alerts: [AlertRuleDiff]
    /// Recording rule names with differences, by name.
    public var recordings: [RecordingRuleDiff]
    /// Rule names present on both sides with identical results.
    public var unchangedAlertRules: Int
    public var unchangedRecordingRules: Int

    public var isIdentical: Bool { alerts.isEmpty && recordings.isEmpty }

    /// Compares two replays of the same range.
    public init(old: ReplayReport, new: ReplayReport) throws {
        from = old.from
        to = old.to
        alerts = []
        recordings = []
        unchangedAlertRules = 0
        unchangedRecordingRules = 0

        for (name, presence) in Self.names(old, new, kind: .alerting) {
            let diff = Self.compareAlerts(
                name: name, presence: presence, old: old.alerts.filter { $0.rule == name },
                new: new.alerts.filter { $0.rule == name }, end: to)
            if diff.isIdentical { unchangedAlertRules += 1 } else { alerts.append(diff) }
        }
        for (name, presence) in Self.names(old, new, kind: .recording) {
            let diff = try Self.compareRecordings(name: name, presence: presence, old: old, new: new, from: from, to: to)
            if diff.isIdentical { unchangedRecordingRules += 1 } else { recordings.append(diff) }
        }
    }

    /// Replays `old` and `new` over the same data and configuration (side by side) and
    /// compares them.
    public static func run(
        old: [RuleFile], new: [RuleFile], data: any Queryable, configuration: ReplayConfiguration
    ) throws -> (diff: ReplayDiff, old: ReplayReport, new: ReplayReport) {
        let replayers = [old, new].map { Replayer(files: $0, data: data, configuration: configuration) }
        let results = ResultBox(count: replayers.count)
        DispatchQueue.concurrentPerform(iterations: replayers.count) { i in
            results.set(i, Result { try replayers[i].run() })
        }
        let oldReport = try results.get(0)
        let newReport = try results.get(1)
        return (try ReplayDiff(old: oldReport, new: newReport), oldReport, newReport)
    }

    // MARK: Rule names

    /// The rule names of a kind on either side, by name, with where they occur.
    static func names(_ old: ReplayReport, _ new: ReplayReport, kind: RuleSummary.Kind) -> [(String, Presence)] {
        let inOld = Set(old.rules.filter { $0.kind == kind }.map(\.name))
        let inNew = Set(new.rules.filter { $0.kind == kind }.map(\.name))
        return inOld.union(inNew).sorted { ByteOrder.less($0, $1) }.map { name in
            (name, inOld.contains(name) ? (inNew.contains(name) ? .both : .onlyInOld) : .onlyInNew)
        }
    }

    // MARK: Alerts

    static func compareAlerts(
        name: String, presence: Presence, old: [AlertEpisode], new: [AlertEpisode], end: Int64
    ) -> AlertRuleDiff {
        var diff = AlertRuleDiff(
            name: name, presence: presence, oldEpisodes: old.count, newEpisodes: new.count, unchanged: 0,
            onlyInOld: [], onlyInNew: [], changed: [])
        var oldByLabels: [Labels: [AlertEpisode]] = [:]
        var newByLabels: [Labels: [AlertEpisode]] = [:]
        for episode in old { oldByLabels[episode.labels, default: []].append(episode) }
        for episode in new { newByLabels[episode.labels, default: []].append(episode) }
        let allLabels = Set(oldByLabels.keys).union(newByLabels.keys).sorted()
        for labels in allLabels {
            var olds = (oldByLabels[labels] ?? []).sorted(by: AlertEpisode.timelineOrder)
            var news = (newByLabels[labels] ?? []).sorted(by: AlertEpisode.timelineOrder)
            // Equal episodes first.
            var i = 0
            while i < olds.count {
                if let j = news.firstIndex(where: { changes(olds[i], $0).isEmpty }) {
                    news.remove(at: j)
                    olds.remove(at: i)
                    diff.unchanged += 1
                } else {
                    i += 1
                }
            }
            // Then overlapping windows, in time order.
            i = 0
            while i < olds.count {
                if let j = news.firstIndex(where: { overlap(olds[i], $0, end: end) }) {
                    diff.changed.append(ChangedEpisode(old: olds[i], new: news[j], changes: changes(olds[i], news[j])))
                    news.remove(at: j)
                    olds.remove(at: i)
                } else {
                    i += 1
                }
            }
            diff.onlyInOld += olds
            diff.onlyInNew += news
        }
        diff.onlyInOld.sort(by: AlertEpisode.timelineOrder)
        diff.onlyInNew.sort(by: AlertEpisode.timelineOrder)
        diff.changed.sort { a, b in
            let (ta, tb) = (min(a.old.pendingAt, a.new.pendingAt), min(b.old.pendingAt, b.new.pendingAt))
            if ta != tb { return ta < tb }
            if a.old.labels != b.old.labels { return a.old.labels < b.old.labels }
            return a.old.pendingAt < b.old.pendingAt
        }
        return diff
    }

    /// What differs between two episodes of the same alert instance.
    static func changes(_ a: AlertEpisode, _ b: AlertEpisode) -> [Change] {
        var out: [Change] = []
        if a.pendingAt != b.pendingAt { out.append(.pendingAt) }
        if a.firingAt != b.firingAt { out.append(.firingAt) }
        if a.resolvedAt != b.resolvedAt { out.append(.resolvedAt) }
        if a.end != b.end { out.append(.end) }
        let sameAnnotations = a.annotations == b.annotations
            && a.annotationChanges.count == b.annotationChanges.count
            && zip(a.annotationChanges, b.annotationChanges).allSatisfy { $0.at == $1.at && $0.annotations == $1.annotations }
        if !sameAnnotations { out.append(.annotations) }
        return out
    }

    /// Whether the windows of two episodes (pending to resolved, or to `end`) overlap.
    static func overlap(_ a: AlertEpisode, _ b: AlertEpisode, end: Int64) -> Bool {
        let (aEnd, bEnd) = (a.resolvedAt ?? max(end, a.pendingAt), b.resolvedAt ?? max(end, b.pendingAt))
        return a.pendingAt == b.pendingAt || (a.pendingAt < bEnd && b.pendingAt < aEnd)
    }

    // MARK: Recording rules

    static func compareRecordings(
        name: String, presence: Presence, old: ReplayReport, new: ReplayReport, from: Int64, to: Int64
    ) throws -> RecordingRuleDiff {
        let olds = try series(named: name, in: old, from: from, to: to)
        let news = try series(named: name, in: new, from: from, to: to)
        var diff = RecordingRuleDiff(
            name: name, presence: presence, oldSeries: olds.count, newSeries: news.count,
            oldSamples: olds.values.reduce(0) { $0 + $1.count }, newSamples: news.values.reduce(0) { $0 + $1.count },
            seriesOnlyInOld: [], seriesOnlyInNew: [], changedSeries: [])
        for labels in Set(olds.keys).union(news.keys).sorted() {
            guard let a = olds[labels] else { diff.seriesOnlyInNew.append(labels); continue }
            guard let b = news[labels] else { diff.seriesOnlyInOld.append(labels); continue }
            if let changed = compare(a, b, labels: labels) { diff.changedSeries.append(changed) }
        }
        return diff
    }

    /// The samples in [from, to] of every series named `name` in a report's rule outputs.
    static func series(named name: String, in report: ReplayReport, from: Int64, to: Int64) throws -> [Labels: [Sample]] {
        guard let storage = report.storage else { return [:] }
        let querier = try storage.overlay.querier(mint: from, maxt: to)
        var set = try querier.select([.equal(LabelName.metricName, name)], hints: nil)
        var out: [Labels: [Sample]] = [:]
        while let one = try set.next() {
            var iterator = one.makeIterator()
            var samples: [Sample] = []
            var sample = try iterator.seek(to: from)
            while let s = sample, s.timestamp <= to {
                samples.append(s)
                sample = try iterator.next()
            }
            if !samples.isEmpty { out[one.labels] = samples }
        }
        return out
    }

    /// The differences of two sample lists of one series, nil when they are equal.
    static func compare(_ a: [Sample], _ b: [Sample], labels: Labels) -> ChangedSeries? {
        var changed = ChangedSeries(labels: labels, samplesDiffering: 0, firstDifferenceAt: .max, maxAbsoluteDifference: nil)
        func differ(at t: Int64) {
            changed.samplesDiffering += 1
            changed.firstDifferenceAt = min(changed.firstDifferenceAt, t)
        }
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].timestamp < b[j].timestamp) {
                differ(at: a[i].timestamp)
                i += 1
            } else if i == a.count || b[j].timestamp < a[i].timestamp {
                differ(at: b[j].timestamp)
                j += 1
            } else {
                let (x, y) = (a[i].value, b[j].value)
                if !sameValue(x, y) {
                    differ(at: a[i].timestamp)
                    if !x.isNaN && !y.isNaN {
                        let delta = abs(y - x)
                        if !delta.isNaN { changed.maxAbsoluteDifference = max(changed.maxAbsoluteDifference ?? 0, delta) }
                    }
                }
                i += 1
                j += 1
            }
        }
        return changed.samplesDiffering == 0 ? nil : changed
    }

    /// Equal values: stale markers equal each other only, other NaNs each other, numbers exactly.
    static func sameValue(_ x: Double, _ y: Double) -> Bool {
        let (xs, ys) = (StaleMarker.isStale(x), StaleMarker.isStale(y))
        if xs || ys { return xs && ys }
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        return x == y
    }
}

/// Results of concurrent replays, each slot written once.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<ReplayReport, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ result: Result<ReplayReport, any Error>) { lock.withLock { results[i] = result } }

    func get(_ i: Int) throws -> ReplayReport {
        guard let result = lock.withLock({ results[i] }) else { throw CancellationError() }
        return try result.get()
    }
}
