import Model

/// The SVG timeline of one alerting rule: one row per alert instance (its labels), a
/// pending band and a firing band per episode over [from, to], a UTC time axis.
struct SVGTimeline {
    /// Rows drawn at most; the rest are counted in a note.
    static let maxRows = 40
    static let rowHeight = 20.0
    static let top = 8.0
    static let pendingColor = "#f0b429"
    static let firingColor = "#d64545"

    var frame: ChartFrame
    var rule: String
    /// Names of the labels the rule (and its group) sets.
    var ruleLabels: Set<String> = []
    /// The rule's episodes in timeline order.
    var episodes: [AlertEpisode]

    /// Instances (alert labels) in label order, with their episodes.
    var instances: [(labels: Labels, episodes: [AlertEpisode])] {
        var byLabels: [Labels: [AlertEpisode]] = [:]
        for episode in episodes { byLabels[episode.labels, default: []].append(episode) }
        return byLabels.keys.sorted().map { ($0, byLabels[$0]!) }
    }

    /// The names of labels whose values differ between instances (all but `alertname`
    /// when there is one instance): what tells the rows apart.
    /// With one instance, the rule's own labels (`ruleLabels`) are left out too when
    /// others remain.
    static func distinguishingNames(_ instances: [Labels], ruleLabels: Set<String> = []) -> Set<String> {
        var names = Set<String>()
        for labels in instances { names.formUnion(labels.names) }
        names.remove("alertname")
        guard instances.count > 1 else {
            let own = names.subtracting(ruleLabels)
            return own.isEmpty ? names : own
        }
        return names.filter { name in Set(instances.map { $0[name] ?? "\u{0}" }).count > 1 }
    }

    static func rowLabel(_ labels: Labels, showing names: Set<String>) -> String {
        let shown = labels.filter { names.contains($0.name) }
        guard !shown.isEmpty else { return "{}" }
        return "{" + shown.map { "\($0.name)=\(JSONWriter.quote($0.value))" }.joined(separator: ", ") + "}"
    }

    /// The instances not drawn (beyond ``maxRows``).
    var hiddenRows: Int { max(0, instances.count - Self.maxRows) }

    func svg() -> String {
        let all = instances
        let rows = Array(all.prefix(Self.maxRows))
        let names = Self.distinguishingNames(rows.map(\.labels), ruleLabels: ruleLabels)
        let rowCount = max(1, rows.count)
        let axisY = Self.top + Double(rowCount) * Self.rowHeight + 4
        let height = axisY + ChartFrame.axisHeight
        let c = FixedPoint.coordinate
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"\(c(ChartFrame.width))\" height=\"\(c(height))\""
        out += " viewBox=\"0 0 \(c(ChartFrame.width)) \(c(height))\" font-family=\"sans-serif\" role=\"img\""
        out += " aria-label=\"\(HTMLEscape.attribute("Timeline of alert " + rule))\">"
        out += "<title>\(HTMLEscape.text("Timeline of alert " + rule))</title>"
        // Row backgrounds first, the grid and axis over them, the bands on top.
        for i in 0..<rowCount where i % 2 == 0 {
            let y = Self.top + Double(i) * Self.rowHeight
            out += "<rect x=\"0\" y=\"\(c(y))\" width=\"\(c(ChartFrame.width))\" height=\"\(c(Self.rowHeight))\" fill=\"#f6f7f9\"/>"
        }
        out += frame.timeAxis(top: Self.top, axisY: axisY)
        if rows.isEmpty {
            let y = Self.top + Self.rowHeight / 2 + 4
            out += "<text x=\"\(c((ChartFrame.left + ChartFrame.right) / 2))\" y=\"\(c(y))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#777\">no alert was pending or firing in the range</text>"
        }
        for (i, row) in rows.enumerated() {
            let y = Self.top + Double(i) * Self.rowHeight
            let full = row.labels.description
            let label = HTMLEscape.truncated(Self.rowLabel(row.labels, showing: names), to: 42)
            out += "<g class=\"instance\"><title>\(HTMLEscape.text(full))</title>"
            out += "<text x=\"\(c(ChartFrame.left - 8))\" y=\"\(c(y + 14))\" text-anchor=\"end\" font-size=\"11\" font-family=\"monospace\" fill=\"#222\">\(HTMLEscape.text(label))</text>"
            for episode in row.episodes {
                let bands = episode.bands(from: frame.from, to: frame.to)
                var details = "pending " + ReplayFormat.time(episode.pendingAt)
                details += ", firing " + (episode.firingAt.map(ReplayFormat.time) ?? "never")
                switch episode.end {
                case .resolved: details += ", resolved " + ReplayFormat.time(episode.resolvedAt!)
                case .droppedWhilePending: details += ", dropped " + ReplayFormat.time(episode.resolvedAt!)
                case .active: details += ", still active"
                }
                for (band, color, state) in [(bands.pending, Self.pendingColor, "pending"), (bands.firing, Self.firingColor, "firing")] {
                    guard let band else { continue }
                    let x0 = frame.x(band.start), x1 = frame.x(band.end)
                    out += "<rect class=\"\(state)\" x=\"\(c(x0))\" y=\"\(c(y + 3))\" width=\"\(c(max(1.5, x1 - x0)))\" height=\"\(c(Self.rowHeight - 6))\" fill=\"\(color)\">"
                    out += "<title>\(HTMLEscape.text(state + ": " + details))</title></rect>"
                }
            }
            out += "</g>"
        }
        return out + "</svg>"
    }
}
