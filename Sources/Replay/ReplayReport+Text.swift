import Model

extension ReplayReport {
    /// The report as readable text: the range, the alert timeline (by pending time, then
    /// labels) with annotations and their changes, then the per-rule summary, the rules
    /// that never fired and the rules that failed with their errors.
    public func text() -> String {
        var out = "Replay \(ReplayFormat.time(from)) .. \(ReplayFormat.time(to))"
        out += " (evaluation from \(ReplayFormat.time(evaluationStart)), \(evaluations) group evaluations)\n\n"

        out += "ALERT TIMELINE: \(alerts.count) episode\(alerts.count == 1 ? "" : "s")\n"
        if !alerts.isEmpty {
            var rows = [["PENDING", "FIRING", "RESOLVED", "DURATION", "VALUE", "ALERT"]]
            var details: [[String]] = [[]]
            for episode in alerts {
                let resolved: String
                switch episode.end {
                case .resolved: resolved = ReplayFormat.time(episode.resolvedAt!)
                case .droppedWhilePending: resolved = "dropped " + ReplayFormat.time(episode.resolvedAt!)
                case .active: resolved = "active"
                }
                let value = [episode.valueAtPending, episode.valueAtFiring, episode.end == .active ? nil : episode.valueAtResolved]
                    .map { $0.map(ReplayFormat.value) ?? "-" }.joined(separator: "/")
                rows.append([
                    ReplayFormat.time(episode.pendingAt), episode.firingAt.map(ReplayFormat.time) ?? "never", resolved,
                    ReplayFormat.duration(episode.duration(until: to)), value, episode.labels.description,
                ])
                var lines: [String] = []
                if !episode.annotations.isEmpty { lines.append("annotations: " + Self.annotationText(episode.annotations)) }
                let changes = episode.annotationChanges
                if changes.count > 1 {
                    // The first and latest few; every change is in the JSON report.
                    let shown = changes.count <= Self.shownChanges ? Array(changes.indices) : Array(0..<3) + Array(changes.count - 2..<changes.count)
                    for (k, i) in shown.enumerated() {
                        if k > 0 && shown[k - 1] != i - 1 { lines.append("… \(i - shown[k - 1] - 1) more changes …") }
                        lines.append("at \(ReplayFormat.time(changes[i].at)): " + Self.annotationText(changes[i].annotations))
                    }
                }
                details.append(lines)
            }
            out += Self.table(rows, details: details)
            out += "  (VALUE: at pending / at firing / last before resolving)\n"
        }
        out += "\n"

        out += "RULE SUMMARY\n"
        var rows = [["RULE", "TYPE", "GROUP", "FIRED", "EPISODES", "FIRING", "LONGEST", "MTTR", "FLAPS", "SAMPLES", "SERIES", "ERRORS"]]
        for rule in rules {
            switch rule.kind {
            case .alerting:
                rows.append([
                    rule.name, "alert", rule.group, String(rule.fired), String(rule.episodes),
                    Self.roundedDuration(rule.totalFiring), Self.roundedDuration(rule.longestFiring),
                    rule.meanTimeToResolve.map(Self.roundedDuration) ?? "-", String(rule.flaps), "-", "-",
                    String(rule.errorCount),
                ])
            case .recording:
                rows.append([
                    rule.name, "record", rule.group, "-", "-", "-", "-", "-", "-", String(rule.samples), String(rule.series),
                    String(rule.errorCount),
                ])
            }
        }
        out += Self.table(rows, details: nil)

        let silent = rules.filter { $0.kind == .alerting && $0.fired == 0 }.map(\.name)
        out += "\nNever fired: " + (silent.isEmpty ? "none" : silent.joined(separator: ", ")) + "\n"
        let failing = rules.filter { $0.errorCount > 0 }
        if failing.isEmpty {
            out += "Errors: none\n"
        } else {
            out += "Errors:\n"
            for rule in failing {
                out += "  \(rule.name) (group \(rule.group)): \(rule.errorCount) failed evaluation\(rule.errorCount == 1 ? "" : "s")\n"
                for error in rule.errors {
                    out += "    \(error.count)× from \(ReplayFormat.time(error.firstAt)): \(error.message)\n"
                }
            }
        }
        return out
    }

    /// Annotation changes listed in full up to this many per episode.
    static let shownChanges = 6

    /// Durations of the summary, to the second.
    static func roundedDuration(_ ms: Int64) -> String { ReplayFormat.duration((ms + 500) / 1000 * 1000) }

    static func annotationText(_ annotations: Labels) -> String {
        annotations.map { "\($0.name)=\(JSONWriter.quote($0.value))" }.joined(separator: " ")
    }

    /// Left-aligned columns two spaces apart; `details` lines go under their row, indented.
    static func table(_ rows: [[String]], details: [[String]]?) -> String {
        var widths = Array(repeating: 0, count: rows.first?.count ?? 0)
        for row in rows {
            for (i, cell) in row.enumerated() where i < row.count - 1 { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for (r, row) in rows.enumerated() {
            var line = "  "
            for (i, cell) in row.enumerated() {
                line += cell
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            out += line + "\n"
            if let details, r < details.count {
                for detail in details[r] { out += "      " + detail + "\n" }
            }
        }
        return out
    }
}
