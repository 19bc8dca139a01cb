import Model
import PromQL

/// An alerting rule: its definition, compiled templates, and its active alerts.
public struct AlertingRule: Sendable {
    public let name: String
    public let expr: Expr
    /// The expression as Prometheus passes it to the engine: the canonical printed form.
    public let query: String
    /// `for` and `keep_firing_for` in ms.
    public let holdDuration: Int64
    public let keepFiringFor: Int64
    /// Rule labels (group labels merged in; rule labels win), as templates, in name order.
    let labelTemplates: [(name: String, template: Result<RuleTemplate, TemplateError>)]
    /// Annotations as templates, in name order.
    let annotationTemplates: [(name: String, template: Result<RuleTemplate, TemplateError>)]
    /// The active alerts (pending, firing, and resolved ones still retained), by labels.
    public internal(set) var active: [Labels: Alert] = [:]
    public internal(set) var health: RuleHealth = .unknown
    public internal(set) var lastError: RuleEvaluationError?
    public internal(set) var lastEvaluation: Int64?
    public internal(set) var evaluationDuration: Duration = .zero
    /// How many evaluations returned a vector or had active alerts (numbers the alerts'
    /// ``Alert/returnedIn``).
    private var evaluations: UInt64 = 0
    /// Whether the alert's labels are a function of the sample's labels alone (plain text, or
    /// templates that read only labels), which ``alertLabels`` then remembers.
    let labelsFollowInput: Bool
    let alertLabels = LabelsCache()
    /// The labels of the alerts' output series, by alert labels.
    let seriesLabels = AlertSeriesLabelsCache()
    /// Whether any annotation is a real template.
    let annotationsAreTemplates: Bool
    /// The annotations when none is a template.
    let plainAnnotations: Labels

    init(
        name: String, expr: Expr, holdDuration: Int64, keepFiringFor: Int64,
        labels: [(name: String, value: String)], annotations: [(name: String, value: String)]
    ) {
        self.name = name
        self.expr = expr
        self.query = expr.description
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        func compile(_ pairs: [(name: String, value: String)]) -> [(name: String, template: Result<RuleTemplate, TemplateError>)] {
            pairs.sorted { ByteOrder.less($0.name, $1.name) }.map { pair in
                (pair.name, Result { () throws(TemplateError) in try RuleTemplate(pair.value, name: "__alert_" + name) })
            }
        }
        labelTemplates = compile(labels)
        annotationTemplates = compile(annotations)
        labelsFollowInput = labelTemplates.allSatisfy { pair in
            switch pair.template {
            case .success(let template): !template.text.contains("{{") || template.readsLabelsOnly
            case .failure: true  // always the same error text
            }
        }
        annotationsAreTemplates = annotations.contains { $0.value.contains("{{") }
        plainAnnotations = Labels(annotations.map { Label($0.name, $0.value) })
    }

    /// The active alerts in label order (pending, firing and retained resolved ones).
    public var activeAlerts: [Alert] { active.values.sorted { $0.labels < $1.labels } }

    /// Evaluates the rule at `t`: updates the alerts' states and returns the `ALERTS` and
    /// `ALERTS_FOR_STATE` samples, stamped at `t − queryOffset`.
    mutating func evaluate(
        at t: Int64, queryOffset: Int64, limit: Int, using query: RuleQuery, options: RuleEvaluationOptions
    ) throws(RuleEvaluationError) -> [RuleOutputSample] {
        let vector = try query.run(expr, text: self.query, at: t - queryOffset)
        // Nothing returned and nothing active (the usual case): nothing to do.
        if vector.isEmpty && active.isEmpty { return [] }
        let environment = TemplateEnvironment(time: t, externalURL: options.externalURL) { text, time in
            try query.templateSamples(text, at: time)
        }
        var externalLabels: [String: String]?

        // The alerts this evaluation returns, checked before any state changes: a
        // duplicate fails the evaluation and leaves the alerts as they were (as Prometheus).
        var returned: [(labels: Labels, annotations: Labels, value: Double)] = []
        returned.reserveCapacity(vector.count)
        for sample in vector {
            // Template data only when some template needs the interpreter.
            var data: TemplateData?
            func templateData() -> TemplateData {
                if let data { return data }
                if externalLabels == nil {
                    var map: [String: String] = [:]
                    for label in options.externalLabels { map[label.name] = label.value }
                    externalLabels = map
                }
                var labelMap: [String: String] = [:]
                for label in sample.labels { labelMap[label.name] = label.value }
                let made = TemplateData(labels: labelMap, value: sample.value, externalLabels: externalLabels ?? [:], externalURL: options.externalURL)
                data = made
                return made
            }
            func expand(_ template: Result<RuleTemplate, TemplateError>) -> String {
                switch template {
                case .success(let t): t.expand(labels: sample.labels, value: sample.value, environment: environment, data: templateData)
                case .failure(let e): "<error expanding template: \(e)>"
                }
            }
            func build(_ input: Labels) -> Labels {
                var builder = Labels.Builder(input)
                builder.remove(LabelName.metricName)
                for (name, template) in labelTemplates { builder.set(name, expand(template)) }
                builder.set(LabelName.alertName, self.name)
                return builder.build()
            }
            let labels = labelsFollowInput ? alertLabels.output(for: sample.labels, build) : build(sample.labels)
            // Annotations keep empty values (Prometheus adds them without the builder's
            // "empty removes" rule).
            let annotations = annotationsAreTemplates
                ? Labels(sortedUnique: annotationTemplates.map { Label($0.name, expand($0.template)) })
                : plainAnnotations
            returned.append((labels, annotations, sample.value))
        }
        if Self.containsDuplicate(returned.lazy.map(\.labels)) { throw .duplicateAlertLabels }

        // Alerts that continue keep their state and take the new value and annotations; new
        // ones (or ones returning after they resolved) start pending. Each is marked with
        // this evaluation's number, which tells the returned ones apart below.
        evaluations &+= 1
        for alert in returned {
            if let i = active.index(forKey: alert.labels), active.values[i].state != .inactive {
                active.values[i].value = alert.value
                active.values[i].annotations = alert.annotations
                active.values[i].returnedIn = evaluations
            } else {
                var new = Alert(labels: alert.labels, annotations: alert.annotations, state: .pending, value: alert.value, activeAt: t)
                new.returnedIn = evaluations
                active[alert.labels] = new
            }
        }

        var outputs: [RuleOutputSample] = []
        outputs.reserveCapacity(2 * active.count)
        var activeCount = 0
        let stamp = t - queryOffset
        var forgotten: [Labels] = []
        // In label order (the output order must not depend on hashing); alerts are updated
        // in place, never copied out and back.
        for i in active.indices.sorted(by: { active.keys[$0] < active.keys[$1] }) {
            let step = Self.advance(
                &active.values[i], returned: active.values[i].returnedIn == evaluations, at: t, holdDuration: holdDuration,
                keepFiringFor: keepFiringFor, resolvedRetention: options.resolvedRetention, seriesLabels: seriesLabels)
            switch step {
            case .forget:
                forgotten.append(active.keys[i])
            case .silent:
                break
            case .active(let series, let activeAt):
                activeCount += 1
                outputs.append(RuleOutputSample(labels: series.alerts, timestamp: stamp, value: 1))
                outputs.append(RuleOutputSample(labels: series.forState, timestamp: stamp, value: Double(floorDivide(activeAt, 1000))))
            }
        }
        // Removed after the walk: a removal would invalidate the other positions.
        for labels in forgotten { active[labels] = nil }
        alertLabels.trim(keeping: returned.count)
        seriesLabels.trim(keeping: active.count)
        if limit > 0 && activeCount > limit {
            active = [:]
            throw .alertLimit(limit: limit, count: activeCount)
        }
        return outputs
    }

    /// Whether two of `labels` are equal: compared pairwise when few (the usual case, where
    /// hashing into a set would cost more), through a set otherwise.
    private static func containsDuplicate<C: Collection>(_ labels: C) -> Bool where C.Element == Labels {
        if labels.count < 2 { return false }
        if labels.count <= 16 {
            var seen: [Labels] = []
            seen.reserveCapacity(labels.count)
            for l in labels {
                if seen.contains(l) { return true }
                seen.append(l)
            }
            return false
        }
        var seen = Set<Labels>(minimumCapacity: labels.count)
        return labels.contains { !seen.insert($0).inserted }
    }

    /// What one evaluation made of an alert.
    private enum Step {
        /// Dropped: a pending alert that vanished, or a resolved one kept long enough.
        case forget
        /// Kept (resolved) but writes no samples.
        case silent
        /// Pending or firing: its `ALERTS` and `ALERTS_FOR_STATE` series, and since when it is active.
        case active(series: (alerts: Labels, forState: Labels), activeAt: Int64)
    }

    /// Advances `alert`'s state at evaluation time `t`; `returned`: the expression returned it.
    private static func advance(
        _ alert: inout Alert, returned: Bool, at t: Int64, holdDuration: Int64, keepFiringFor: Int64, resolvedRetention: Int64,
        seriesLabels: AlertSeriesLabelsCache
    ) -> Step {
        if !returned {
            var keepFiring = false
            if alert.state == .firing && keepFiringFor > 0 {
                if alert.keepFiringSince == nil { alert.keepFiringSince = t }
                if t - alert.keepFiringSince! < keepFiringFor { keepFiring = true }
            }
            // A pending alert that vanishes is dropped; a resolved one is kept for a while
            // so that it is reported as resolved.
            if alert.state == .pending || (alert.resolvedAt.map { t - $0 > resolvedRetention } ?? false) {
                return .forget
            }
            if alert.state != .inactive && !keepFiring {
                alert.state = .inactive
                alert.resolvedAt = t
            }
            if !keepFiring { return .silent }
        } else {
            alert.keepFiringSince = nil
        }
        if alert.state == .pending && t - alert.activeAt >= holdDuration {
            alert.state = .firing
            alert.firedAt = t
        }
        return .active(series: alert.seriesLabels(from: seriesLabels), activeAt: alert.activeAt)
    }

    /// The alerts to hand to the notifier after an evaluation at `time`, marking them sent
    /// (Prometheus's `sendAlerts`): each notification holds for four times the larger of
    /// the resend delay and the group interval, so two missed evaluations do not resolve it.
    mutating func alertsToSend(at time: Int64, resendDelay: Int64, interval: Int64) -> [Alert] {
        // Usually none is due (pending alerts never are, sent ones not before the resend
        // delay): then the alerts are not sorted.
        guard active.values.contains(where: { $0.needsSending(at: time, resendDelay: resendDelay) }) else { return [] }
        var out: [Alert] = []
        for i in active.indices.sorted(by: { active.keys[$0] < active.keys[$1] }) {
            guard active.values[i].needsSending(at: time, resendDelay: resendDelay) else { continue }
            active.values[i].lastSentAt = time
            active.values[i].validUntil = time + 4 * max(resendDelay, interval)
            out.append(active.values[i])
        }
        return out
    }
}
