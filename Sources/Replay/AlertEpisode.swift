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
struct EpisodeTracker {
    struct Key: Hashable {
        var ruleIndex: Int
        var labels: Labels
    }

    /// Open episodes by rule, then labels.
    private(set) var open: [Int: [Labels: AlertEpisode]] = [:]
    private(set) var closed: [AlertEpisode] = []

    /// Records what rule `ruleIndex` reports after its evaluation at `time`.
    mutating func observe(
        _ alerts: [Alert], rule ruleIndex: Int, name: String, group: String, file: String, at time: Int64
    ) {
        var ruleOpen = open.removeValue(forKey: ruleIndex) ?? [:]
        defer { if !ruleOpen.isEmpty { open[ruleIndex] = ruleOpen } }
        func close(_ episode: AlertEpisode, at resolvedAt: Int64) {
            var ended = episode
            ended.resolvedAt = resolvedAt
            ended.end = episode.firingAt == nil ? .droppedWhilePending : .resolved
            closed.append(ended)
        }
        var seen = Set<Labels>()
        for alert in alerts {
            seen.insert(alert.labels)
            if var episode = ruleOpen[alert.labels] {
                if episode.pendingAt == alert.activeAt {
                    switch alert.state {
                    case .inactive:
                        close(episode, at: alert.resolvedAt ?? time)
                        ruleOpen[alert.labels] = nil
                        continue
                    case .firing:
                        if episode.firingAt == nil {
                            episode.firingAt = alert.firedAt ?? time
                            episode.valueAtFiring = alert.value
                        }
                    case .pending:
                        break
                    }
                    episode.valueAtResolved = alert.value
                    if alert.annotations != episode.annotations {
                        episode.annotations = alert.annotations
                        episode.annotationChanges.append((time, alert.annotations))
                    }
                    ruleOpen[alert.labels] = episode
                    continue
                }
                // A new life of the same instance without us seeing the old one end.
                close(episode, at: time)
                ruleOpen[alert.labels] = nil
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
            ruleOpen[alert.labels] = episode
        }
        // Instances gone from the rule: a pending alert whose condition went away, or state
        // dropped wholesale (an alert limit exceeded).
        for (labels, episode) in ruleOpen where !seen.contains(labels) {
            close(episode, at: time)
            ruleOpen[labels] = nil
        }
    }

    /// Every episode, the open ones as still active.
    func allEpisodes() -> [AlertEpisode] {
        (closed + open.values.flatMap(\.values)).sorted(by: AlertEpisode.timelineOrder)
    }
}
