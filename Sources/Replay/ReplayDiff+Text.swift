import Model

extension ReplayDiff {
    /// The diff as readable text: one line with the verdict, then per alert rule name with
    /// differences its episodes only in old, only in new and changed (old and new side by
    /// side, with what changed), then per recording rule name its differing series.
    /// Identical replays print `no differences`.
    public func text(oldName: String = "old", newName: String = "new") -> String {
        var out = "Replay diff \(ReplayFormat.time(from)) .. \(ReplayFormat.time(to)): \(oldName) -> \(newName)\n"
        if isIdentical {
            out += "no differences (\(unchangedAlertRules) alert rule\(Self.plural(unchangedAlertRules)), "
            out += "\(unchangedRecordingRules) recording rule\(Self.plural(unchangedRecordingRules)) identical)\n"
            return out
        }
        out += "\(alerts.count) alert rule\(Self.plural(alerts.count)) and \(recordings.count) recording rule\(Self.plural(recordings.count)) differ; "
        out += "\(unchangedAlertRules) alert and \(unchangedRecordingRules) recording rule\(Self.plural(unchangedRecordingRules)) identical\n"

        for rule in alerts {
            out += "\nALERT \(rule.name)\(Self.presenceText(rule.presence)): \(rule.oldEpisodes) old episode\(Self.plural(rule.oldEpisodes)), "
            out += "\(rule.newEpisodes) new; \(rule.onlyInOld.count) only in old, \(rule.onlyInNew.count) only in new, "
            out += "\(rule.changed.count) changed, \(rule.unchanged) unchanged\n"
            // Rows in time order: (sort key, row, details).
            var items: [(key: (Int64, Labels, Int), row: [String], details: [String])] = []
            for episode in rule.onlyInOld {
                items.append(((episode.pendingAt, episode.labels, 0), Self.row("only old", episode, until: to), []))
            }
            for episode in rule.onlyInNew {
                items.append(((episode.pendingAt, episode.labels, 1), Self.row("only new", episode, until: to), []))
            }
            for change in rule.changed {
                let key = (min(change.old.pendingAt, change.new.pendingAt), change.old.labels, 2)
                items.append((key, Self.row("changed old", change.old, until: to), []))
                var details = ["changed: " + change.changes.map(\.rawValue).joined(separator: ", ")]
                if change.changes.contains(.annotations) {
                    details.append("old annotations: " + ReplayReport.annotationText(change.old.annotations))
                    details.append("new annotations: " + ReplayReport.annotationText(change.new.annotations))
                }
                items.append(((key.0, key.1, 3), Self.row("        new", change.new, until: to), details))
            }
            items.sort { a, b in
                if a.key.0 != b.key.0 { return a.key.0 < b.key.0 }
                if a.key.1 != b.key.1 { return a.key.1 < b.key.1 }
                return a.key.2 < b.key.2
            }
            if !items.isEmpty {
                let header = ["", "PENDING", "FIRING", "RESOLVED", "DURATION", "ALERT"]
                out += ReplayReport.table([header] + items.map(\.row), details: [[]] + items.map(\.details))
            }
        }

        for rule in recordings {
            out += "\nRECORD \(rule.name)\(Self.presenceText(rule.presence)): \(rule.oldSeries) old series (\(rule.oldSamples) samples), "
            out += "\(rule.newSeries) new (\(rule.newSamples) samples); \(rule.seriesOnlyInOld.count) only in old, "
            out += "\(rule.seriesOnlyInNew.count) only in new, \(rule.changedSeries.count) changed"
            if !rule.changedSeries.isEmpty {
                out += ": \(rule.samplesDiffering) sample\(Self.plural(rule.samplesDiffering)) differ"
                if let first = rule.firstDifferenceAt { out += " from \(ReplayFormat.time(first))" }
                if let delta = rule.maxAbsoluteDifference { out += ", max |new-old| \(ReplayFormat.value(delta))" }
            }
            out += "\n"
            var rows: [[String]] = []
            for labels in rule.seriesOnlyInOld { rows.append(["only old", "", labels.description]) }
            for labels in rule.seriesOnlyInNew { rows.append(["only new", "", labels.description]) }
            for series in rule.changedSeries {
                var what = "\(series.samplesDiffering) differ from \(ReplayFormat.time(series.firstDifferenceAt))"
                if let delta = series.maxAbsoluteDifference { what += ", max |new-old| \(ReplayFormat.value(delta))" }
                rows.append(["changed", what, series.labels.description])
            }
            // Sorted by series, the first few; the JSON diff lists them all.
            rows.sort { $0[2] != $1[2] ? ByteOrder.less($0[2], $1[2]) : $0[0] < $1[0] }
            let shown = Array(rows.prefix(Self.shownSeries))
            out += ReplayReport.table(shown.map { [$0[0], $0[2], $0[1]] }, details: nil)
            if rows.count > shown.count { out += "  … \(rows.count - shown.count) more series\n" }
        }
        return out
    }

    /// Series listed per recording rule in the text diff.
    static let shownSeries = 20

    static func row(_ kind: String, _ episode: AlertEpisode, until end: Int64) -> [String] {
        let resolved: String
        switch episode.end {
        case .resolved: resolved = ReplayFormat.time(episode.resolvedAt ?? end)
        case .droppedWhilePending: resolved = "dropped " + ReplayFormat.time(episode.resolvedAt ?? end)
        case .active: resolved = "active"
        }
        return [
            kind, ReplayFormat.time(episode.pendingAt), episode.firingAt.map(ReplayFormat.time) ?? "never", resolved,
            ReplayFormat.duration(episode.duration(until: end)), episode.labels.description,
        ]
    }

    static func presenceText(_ presence: Presence) -> String {
        switch presence {
        case .both: ""
        case .onlyInOld: " (only in old: removed or renamed)"
        case .onlyInNew: " (only in new: added or renamed)"
        }
    }

    static func plural(_ n: Int) -> String { n == 1 ? "" : "s" }
}
