import Model

/// The state of an alert instance, as Prometheus names them.
public enum AlertState: String, Sendable, Hashable, CustomStringConvertible {
    case inactive
    case pending
    case firing

    public var description: String { rawValue }
}

/// One alert instance of an alerting rule: its identity (labels) and its life so far.
public struct Alert: Sendable, Hashable {
    /// The sample's labels without `__name__`, plus the templated rule labels and `alertname`.
    public var labels: Labels
    /// Templated annotations, as of the latest evaluation.
    public var annotations: Labels
    public var state: AlertState
    /// The expression's value at the latest evaluation that returned this alert.
    public var value: Double
    /// When the alert became pending (ms): the evaluation time, never shifted by query offsets.
    public var activeAt: Int64
    /// When it started firing (ms).
    public var firedAt: Int64?
    /// When it resolved (ms).
    public var resolvedAt: Int64?
    /// Since when `keep_firing_for` has been holding it firing (ms).
    public var keepFiringSince: Int64?
    /// When it was last handed to the notifier (ms), and until when that notification holds.
    public var lastSentAt: Int64?
    public var validUntil: Int64?
    /// The number of the rule's latest evaluation whose result held this alert.
    var returnedIn: UInt64 = 0
    /// The labels of the alert's output series, remembered until the labels or the state change (see ``seriesLabels(from:)``).
    private var series: (of: Labels, state: AlertState, alerts: Labels, forState: Labels)?

    public init(labels: Labels, annotations: Labels, state: AlertState, value: Double, activeAt: Int64) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
    }

    public static func == (a: Alert, b: Alert) -> Bool {
        a.labels == b.labels && a.annotations == b.annotations && a.state == b.state
            && a.value.bitPattern == b.value.bitPattern && a.activeAt == b.activeAt && a.firedAt == b.firedAt
            && a.resolvedAt == b.resolvedAt && a.keepFiringSince == b.keepFiringSince
            && a.lastSentAt == b.lastSentAt && a.validUntil == b.validUntil
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(labels) }

    /// Whether the notifier must hear of this alert at `time`: firing or resolved alerts,
    /// again after a resolution since the last send or once `resendDelay` has passed.
    func needsSending(at time: Int64, resendDelay: Int64) -> Bool {
        if state == .pending { return false }
        guard let lastSentAt else { return true }
        if let resolvedAt, resolvedAt > lastSentAt { return true }
        return lastSentAt + resendDelay < time
    }

    /// The labels of the alert's `ALERTS` series (with its current state) and of its
    /// `ALERTS_FOR_STATE` series, remembered until the state changes. A new alert (or one in
    /// a new state) takes them from `shared`, the rule's cache, which hands out the label
    /// sets earlier alerts with the same labels wrote to.
    mutating func seriesLabels(from shared: AlertSeriesLabelsCache) -> (alerts: Labels, forState: Labels) {
        // The remembered labels are read in place: copying the tuple out would retain (and
        // so touch) all four of its buffers.
        if series?.of == labels && series?.state == state { return (series!.alerts, series!.forState) }
        let (alerts, forState) = shared.labels(for: labels, state: state)
        series = (labels, state, alerts, forState)
        return (alerts, forState)
    }

    /// When the receiver should consider the alert over: its resolution time, or the
    /// validity of the latest notification.
    public var endsAt: Int64? { resolvedAt ?? validUntil }
}

/// Whether a rule's latest evaluation worked.
public enum RuleHealth: String, Sendable, Hashable {
    case unknown
    case ok
    case err
}
