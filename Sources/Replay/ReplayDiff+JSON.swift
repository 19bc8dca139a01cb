import Model

extension ReplayDiff {
    /// The diff as JSON, in a stable schema (keys always in this order; names sorted; times
    /// as Unix seconds; values in Go's shortest form, NaN and infinities as strings):
    ///
    /// ```
    /// {"from": SECONDS, "to": SECONDS, "identical": BOOL,
    ///  "unchangedAlertRules": N, "unchangedRecordingRules": N,
    ///  "alerts": [                                  // alert rule names with differences
    ///    {"name", "presence": "both"|"onlyInOld"|"onlyInNew", "oldEpisodes": N, "newEpisodes": N,
    ///     "unchanged": N, "onlyInOld": [EPISODE], "onlyInNew": [EPISODE],
    ///     "changed": [{"labels": {…}, "changes": ["pendingAt"|"firingAt"|"resolvedAt"|"end"|"annotations", …],
    ///                  "old": EPISODE, "new": EPISODE}]}],
    ///  "recordings": [                              // recording rule names with differences
    ///    {"name", "presence", "oldSeries": N, "newSeries": N, "oldSamples": N, "newSamples": N,
    ///     "samplesDiffering": N, "firstDifferenceAt": SECONDS|null, "maxAbsoluteDifference": NUMBER|null,
    ///     "seriesOnlyInOld": [{…labels…}], "seriesOnlyInNew": [{…labels…}],
    ///     "changedSeries": [{"labels": {…}, "samplesDiffering": N, "firstDifferenceAt": SECONDS,
    ///                        "maxAbsoluteDifference": NUMBER|null}]}]}
    /// EPISODE: {"labels": {…incl. alertname…}, "annotations": {…last templated…},
    ///           "pendingAt": SECONDS, "firingAt": SECONDS|null, "resolvedAt": SECONDS|null,
    ///           "end": "resolved"|"droppedWhilePending"|"active", "group", "file"}
    /// ```
    public func json() -> String {
        let w = JSONWriter()
        w.object {
            w.key("from") { w.seconds(from) }
            w.key("to") { w.seconds(to) }
            w.key("identical") { w.bool(isIdentical) }
            w.key("unchangedAlertRules") { w.int(unchangedAlertRules) }
            w.key("unchangedRecordingRules") { w.int(unchangedRecordingRules) }
            w.key("alerts") {
                w.array(alerts) { rule in
                    w.object {
                        w.key("name") { w.string(rule.name) }
                        w.key("presence") { w.string(rule.presence.rawValue) }
                        w.key("oldEpisodes") { w.int(rule.oldEpisodes) }
                        w.key("newEpisodes") { w.int(rule.newEpisodes) }
                        w.key("unchanged") { w.int(rule.unchanged) }
                        w.key("onlyInOld") { w.array(rule.onlyInOld) { w.episode($0) } }
                        w.key("onlyInNew") { w.array(rule.onlyInNew) { w.episode($0) } }
                        w.key("changed") {
                            w.array(rule.changed) { change in
                                w.object {
                                    w.key("labels") { w.labels(change.old.labels) }
                                    w.key("changes") { w.array(change.changes) { w.string($0.rawValue) } }
                                    w.key("old") { w.episode(change.old) }
                                    w.key("new") { w.episode(change.new) }
                                }
                            }
                        }
                    }
                }
            }
            w.key("recordings") {
                w.array(recordings) { rule in
                    w.object {
                        w.key("name") { w.string(rule.name) }
                        w.key("presence") { w.string(rule.presence.rawValue) }
                        w.key("oldSeries") { w.int(rule.oldSeries) }
                        w.key("newSeries") { w.int(rule.newSeries) }
                        w.key("oldSamples") { w.int(rule.oldSamples) }
                        w.key("newSamples") { w.int(rule.newSamples) }
                        w.key("samplesDiffering") { w.int(rule.samplesDiffering) }
                        w.key("firstDifferenceAt") { w.seconds(rule.firstDifferenceAt) }
                        w.key("maxAbsoluteDifference") { w.value(rule.maxAbsoluteDifference) }
                        w.key("seriesOnlyInOld") { w.array(rule.seriesOnlyInOld) { w.labels($0) } }
                        w.key("seriesOnlyInNew") { w.array(rule.seriesOnlyInNew) { w.labels($0) } }
                        w.key("changedSeries") {
                            w.array(rule.changedSeries) { series in
                                w.object {
                                    w.key("labels") { w.labels(series.labels) }
                                    w.key("samplesDiffering") { w.int(series.samplesDiffering) }
                                    w.key("firstDifferenceAt") { w.seconds(series.firstDifferenceAt) }
                                    w.key("maxAbsoluteDifference") { w.value(series.maxAbsoluteDifference) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return w.out + "\n"
    }
}

extension JSONWriter {
    /// `true` or `false`, separated like any value (written as an int, then replaced).
    fileprivate func bool(_ b: Bool) {
        int(0)
        out.removeLast()
        out += b ? "true" : "false"
    }

    fileprivate func episode(_ episode: AlertEpisode) {
        object {
            key("labels") { labels(episode.labels) }
            key("annotations") { labels(episode.annotations) }
            key("pendingAt") { seconds(episode.pendingAt) }
            key("firingAt") { seconds(episode.firingAt) }
            key("resolvedAt") { seconds(episode.resolvedAt) }
            key("end") { string(episode.end.rawValue) }
            key("group") { string(episode.group) }
            key("file") { string(episode.file) }
        }
    }
}
