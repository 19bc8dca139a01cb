import Model
import Rules

/// One alert instance from the evaluation that made it pending to its resolution (or the
/// end of the replay). Times in ms.
public struct AlertEpisode: Sendable, Hashable {
    /// How an episode ended.
    public enum End: String, Sendable, Hashable {
        /// It fired and resolved (`resolvedAt` is set).
        case resolved
        /// It was pending and its condition went away before `for` elapsed.
        case droppedWhilePending
        /// Still pending or firing at the end of the replay (`resolvedAt` is nil).
        case active
    }

    /// The alerting rule, its group and its file.
    public var rule: String
    public var group: String
    public var file: String
    /// Index of the rule in ``ReplayReport/rules``.
    public var ruleIndex: Int
    /// The alert's labels (`alertname` included).
    public var labels: Labels
    /// The latest templated annotations.
    public var annotations: Labels
    /// Every change of the annotations, the first at `pendingAt`.
    public var annotationChanges: [(at: Int64, annotations: Labels)]
    public var pendingAt: Int64
    public var firingAt: Int64?
    public var resolvedAt: Int64?
    public var end: End
    public var valueAtPending: Double
    public var valueAtFiring: Double?
    /// The last value the expression returned before the alert resolved (it returns none
    /// at the resolution itself).
    public var valueAtResolved: Double?

    /// From pending to resolved, or to `end` while still active.
    public func duration(until end: Int64) -> Int64 { (resolvedAt ?? end) - pendingAt }

    /// Firing time inside [from, to].
    public func firingTime(from: Int64, to: Int64) -> Int64 {
        guard let firingAt else { return 0 }
        let start = max(firingAt, from)
        let stop = min(resolvedAt ?? to, to)
        return max(0, stop - start)
    }

    public static func == (a: AlertEpisode, b: AlertEpisode) -> Bool {
        a.ruleIndex == b.ruleIndex && a.labels == b.labels && a.pendingAt == b.pendingAt
            && a.firingAt == b.firingAt && a.resolvedAt == b.resolvedAt && a.end == b.end
            && a.annotations == b.annotations
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ruleIndex)
        hasher.combine(labels)
        hasher.combine(pendingAt)
    }

    /// Timeline order: pending time, then labels, then the rule's place in the files.
    static func timelineOrder(_ a: AlertEpisode, _ b: AlertEpisode) -> Bool {
        if a.pendingAt != b.pendingAt { return a.pendingAt < b.pendingAt }
        if a.labels != b.labels { return a.labels < b.labels }
        return a.ruleIndex < b.ruleIndex
    }
}

/// Follows the active alerts of every alerting rule evaluation after evaluation and cuts
/// them into episodes.
///
/// Episodes live in one array and are updated in place; an index by rule and labels finds
/// the open ones, and a stamp of the last evaluation that reported each finds those that
/// went away, so an unchanged alert costs one hash lookup per evaluation.
struct EpisodeTracker {
    struct Key: Hashable {
        var ruleIndex: Int
        var labels: Labels
    }

    /// Every episode so far, open and closed, in the order they began.
    private var episodes: [AlertEpisode] = []
    /// By rule index: the open episodes' positions in `episodes`, by labels.
    private var open: [[Labels: Int]] = []
    /// By position in `episodes`: the last evaluation time that reported the episode.
    private var seenAt: [Int64] = []

    /// Records what rule `ruleIndex` reports after its evaluation at `time`.
    mutating func observe(
        _ alerts: [Alert], rule ruleIndex: Int, name: String, group: String, file: String, at time: Int64
    ) {
        while open.count <= ruleIndex { open.append([:]) }
        for alert in alerts {
            if let position = open[ruleIndex][alert.labels] {
                if episodes[position].pendingAt == alert.activeAt {
                    seenAt[position] = time
                    switch alert.state {
                    case .inactive:
                        close(position, at: alert.resolvedAt ?? time)
                        open[ruleIndex][alert.labels] = nil
                        continue
                    case .firing:
                        if episodes[position].firingAt == nil {
                            episodes[position].firingAt = alert.firedAt ?? time
                            episodes[position].valueAtFiring = alert.value
                        }
                    case .pending:
                        break
                    }
                    episodes[position].valueAtResolved = alert.value
                    if alert.annotations != episodes[position].annotations {
                        episodes[position].annotations = alert.annotations
                        episodes[position].annotationChanges.append((time, alert.annotations))
                    }
                    continue
                }
                // A new life of the same instance without us seeing the old one end.
                close(position, at: time)
                open[ruleIndex][alert.labels] = nil
            }
            // A new episode, unless this is a resolved alert kept for reporting.
            guard alert.state != .inactive else { continue }
            var episode = AlertEpisode(
                rule: name, group: group, file: file, ruleIndex: ruleIndex, labels: alert.labels,
                annotations: alert.annotations, annotationChanges: [(alert.activeAt, alert.annotations)],
                pendingAt: alert.activeAt, firingAt: nil, resolvedAt: nil, end: .active,
                valueAtPending: alert.value, valueAtFiring: nil, valueAtResolved: alert.value)
            if alert.state == .firing {
                episode.firingAt = alert.firedAt ?? time
                episode.valueAtFiring = alert.value
            }
            open[ruleIndex][alert.labels] = episodes.count
            episodes.append(episode)
            seenAt.append(time)
        }
        // Instances gone from the rule: a pending alert whose condition went away, or state
        // dropped wholesale (an alert limit exceeded).
        guard open[ruleIndex].count > 0 else { return }
        var gone: [Labels] = []
        for (labels, position) in open[ruleIndex] where seenAt[position] != time {
            close(position, at: time)
            gone.append(labels)
        }
        for labels in gone { open[ruleIndex][labels] = nil }
    }

    private mutating func close(_ position: Int, at resolvedAt: Int64) {
        episodes[position].resolvedAt = resolvedAt
        episodes[position].end = episodes[position].firingAt == nil ? .droppedWhilePending : .resolved
    }

    /// Every episode, the open ones as still active.
    func allEpisodes() -> [AlertEpisode] {
        episodes.sorted(by: AlertEpisode.timelineOrder)
    }
}
