import Model
import Rules
import TSDB

extension ReplayReport {
    /// Series drawn at most in each alert expression plot.
    public static let htmlMaxPlotSeries = 20
    /// Episodes listed at most in the HTML alert timeline table.
    public static let htmlMaxTimelineRows = 1000

    /// The report as one self-contained HTML page (inline CSS and SVG, no script, no
    /// external asset; opens offline): the header (range, rule files, evaluations), the
    /// per-rule summary, then per alerting rule an SVG timeline (a row per alert instance,
    /// pending and firing bands, UTC axis) and a plot of its expression's value over the
    /// range at the group's interval, the pending and firing periods shaded behind (at most
    /// ``htmlMaxPlotSeries`` series), then the alert timeline as a table.
    ///
    /// `files` and `configuration` are the replay's: the expressions, group intervals and
    /// slots come from them. The output is deterministic: same inputs, same bytes. The page
    /// is well-formed XML as well as HTML.
    public func html(files: [RuleFile], configuration: ReplayConfiguration) -> String {
        var page = HTMLPage()
        page.open(title: "Hindsight replay " + ReplayFormat.time(from) + " .. " + ReplayFormat.time(to))
        page.header(self, files: files)
        page.summary(self)
        page.alertSections(self, files: files, configuration: configuration)
        page.timelineTable(self)
        page.close()
        return page.out
    }
}

/// Builds the HTML report page piece by piece.
struct HTMLPage {
    var out = ""

    static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d1f23;background:#fff;font-size:14px}
        h1{font-size:22px;margin:0 0 8px}
        h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
        h3{font-size:16px;margin:22px 0 4px}
        h3 small{font-weight:normal;color:#666;font-size:12px}
        dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}
        dl.meta dt{color:#555}
        dl.meta dd{margin:0}
        table{border-collapse:collapse;font-size:13px}
        th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f0f2f5}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        td.t{white-space:nowrap;font-variant-numeric:tabular-nums}
        tr.never td{color:#777}
        code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
        p.expr{margin:2px 0 8px}
        p.note{color:#666;font-size:12px;margin:2px 0}
        svg{display:block;max-width:100%;height:auto}
        figure{margin:8px 0}
        figcaption{font-size:12px;color:#555}
        .sw{display:inline-block;width:14px;height:4px;margin:0 6px 3px 0;vertical-align:middle}
        ul.legend{list-style:none;padding:0;margin:4px 0 0 0;columns:2;font-size:12px}
        ul.legend li{break-inside:avoid}
        .badge{display:inline-block;width:12px;height:12px;vertical-align:-1px;margin:0 4px 0 10px}
        .err{color:#b00020}
        """

    mutating func open(title: String) {
        out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<title>\(HTMLEscape.text(title))</title>\n<style>\n\(Self.css)\n</style>\n</head>\n<body>\n"
    }

    mutating func close() {
        out += "</body>\n</html>\n"
    }

    mutating func header(_ report: ReplayReport, files: [RuleFile]) {
        let alerting = report.rules.filter { $0.kind == .alerting }.count
        out += "<header>\n<h1>Hindsight replay</h1>\n<dl class=\"meta\">\n"
        func row(_ name: String, _ html: String) { out += "<dt>\(name)</dt><dd>\(html)</dd>\n" }
        row("Range", HTMLEscape.text(ReplayFormat.time(report.from) + " .. " + ReplayFormat.time(report.to))
            + " (" + ReplayFormat.duration(report.to - report.from) + ")")
        row("Evaluation from", HTMLEscape.text(ReplayFormat.time(report.evaluationStart)) + " (warm-up included)")
        row("Group evaluations", String(report.evaluations))
        var paths = files.map(\.path)
        if paths.isEmpty {
            for rule in report.rules where !paths.contains(rule.file) { paths.append(rule.file) }
        }
        row("Rule files", paths.map { "<code>\(HTMLEscape.text($0))</code>" }.joined(separator: "<br/>"))
        row("Rules", "\(alerting) alerting, \(report.rules.count - alerting) recording")
        let fired = report.alerts.filter { $0.firingAt != nil }.count
        row("Alert episodes", "\(report.alerts.count) (\(fired) fired)")
        out += "</dl>\n</header>\n"
    }

    mutating func summary(_ report: ReplayReport) {
        out += "<section id=\"summary\">\n<h2>Rule summary</h2>\n<table class=\"summary\">\n<thead><tr>"
        for name in ["Rule", "Type", "Group", "Fired", "Episodes", "Firing", "Longest", "MTTR", "Flaps", "Samples", "Series", "Errors"] {
            out += "<th>\(name)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (i, rule) in report.rules.enumerated() {
            let never = rule.kind == .alerting && rule.fired == 0
            out += never ? "<tr class=\"never\">" : "<tr>"
            let name = HTMLEscape.text(rule.name)
            out += rule.kind == .alerting ? "<td><a href=\"#rule-\(i)\">\(name)</a></td>" : "<td>\(name)</td>"
            out += "<td>\(rule.kind == .alerting ? "alert" : "record")</td><td>\(HTMLEscape.text(rule.group))</td>"
            let cells: [String]
            switch rule.kind {
            case .alerting:
                cells = [
                    String(rule.fired), String(rule.episodes), ReplayReport.roundedDuration(rule.totalFiring),
                    ReplayReport.roundedDuration(rule.longestFiring), rule.meanTimeToResolve.map(ReplayReport.roundedDuration) ?? "-",
                    String(rule.flaps), "-", "-",
                ]
            case .recording:
                cells = ["-", "-", "-", "-", "-", "-", String(rule.samples), String(rule.series)]
            }
            for cell in cells { out += "<td class=\"n\">\(cell)</td>" }
            out += rule.errorCount > 0 ? "<td class=\"n err\">\(rule.errorCount)</td>" : "<td class=\"n\">0</td>"
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        let silent = report.rules.filter { $0.kind == .alerting && $0.fired == 0 }.map(\.name)
        out += "<p>Never fired: " + (silent.isEmpty ? "none" : silent.map { "<code>\(HTMLEscape.text($0))</code>" }.joined(separator: ", ")) + "</p>\n"
        let failing = report.rules.filter { $0.errorCount > 0 }
        if failing.isEmpty {
            out += "<p>Errors: none</p>\n"
        } else {
            out += "<p>Errors:</p>\n<ul class=\"errors\">\n"
            for rule in failing {
                out += "<li><code>\(HTMLEscape.text(rule.name))</code> (group \(HTMLEscape.text(rule.group))): "
                out += "\(rule.errorCount) failed evaluation\(rule.errorCount == 1 ? "" : "s")<ul>"
                for error in rule.errors {
                    out += "<li class=\"err\">\(error.count)× from \(ReplayFormat.time(error.firstAt)): \(HTMLEscape.text(error.message))</li>"
                }
                out += "</ul></li>\n"
            }
            out += "</ul>\n"
        }
        out += "</section>\n"
    }

    mutating func alertSections(_ report: ReplayReport, files: [RuleFile], configuration: ReplayConfiguration) {
        out += "<section id=\"alerts\">\n<h2>Alerting rules</h2>\n"
        out += "<p class=\"note\"><span class=\"badge\" style=\"background:\(SVGTimeline.pendingColor)\"></span>pending"
        out += "<span class=\"badge\" style=\"background:\(SVGTimeline.firingColor)\"></span>firing"
        out += " — times in UTC; hover a band or a line for details.</p>\n"
        let frame = ChartFrame(from: report.from, to: report.to)
        // The groups as the replay evaluated them: intervals, offsets, slots, expressions.
        let replayer = Replayer(files: files, data: Head(), configuration: configuration)
        let groups = replayer.makeGroups()
        var byRule: [Int: [AlertEpisode]] = [:]
        for episode in report.alerts { byRule[episode.ruleIndex, default: []].append(episode) }
        // The label names each rule sets (its own and its group's), by global rule index.
        let ruleLabelNames: [Set<String>] = files.flatMap(\.groups).flatMap { group in
            group.rules.map { Set(group.labels.map(\.name) + $0.labels.map(\.name)) }
        }
        var index = 0
        var drawn = 0
        for group in groups {
            for rule in group.rules {
                defer { index += 1 }
                guard case .alerting(let alerting) = rule, index < report.rules.count,
                      report.rules[index].name == alerting.name, report.rules[index].kind == .alerting
                else { continue }
                let summary = report.rules[index]
                let episodes = byRule[index] ?? []
                drawn += 1
                out += "<section class=\"rule\" id=\"rule-\(index)\">\n"
                out += "<h3>\(HTMLEscape.text(alerting.name)) <small>group \(HTMLEscape.text(summary.group)) · \(HTMLEscape.text(summary.file))"
                out += " · every \(ReplayFormat.duration(group.interval))"
                if alerting.holdDuration > 0 { out += " · for \(ReplayFormat.duration(alerting.holdDuration))" }
                if alerting.keepFiringFor > 0 { out += " · keep_firing_for \(ReplayFormat.duration(alerting.keepFiringFor))" }
                out += "</small></h3>\n"
                out += "<p class=\"expr\"><code>\(HTMLEscape.text(alerting.query))</code></p>\n"
                out += "<p class=\"note\">\(summary.fired) fired, \(summary.episodes) episode\(summary.episodes == 1 ? "" : "s"), "
                out += "firing \(ReplayReport.roundedDuration(summary.totalFiring)) in all</p>\n"

                var timeline = SVGTimeline(frame: frame, rule: alerting.name, episodes: episodes)
                if index < ruleLabelNames.count { timeline.ruleLabels = ruleLabelNames[index] }
                out += "<figure class=\"timeline\">\n" + timeline.svg() + "\n"
                let instances = Set(episodes.map(\.labels)).count
                var caption = "Timeline: \(instances) alert instance\(instances == 1 ? "" : "s")"
                if timeline.hiddenRows > 0 {
                    caption += "; the first \(SVGTimeline.maxRows) in label order are drawn, \(timeline.hiddenRows) more are in the table below"
                }
                out += "<figcaption>\(caption).</figcaption>\n</figure>\n"

                let first = replayer.firstSlot(of: group, atOrAfter: report.from)
                let plot = AlertPlot.evaluate(
                    alerting, interval: group.interval, queryOffset: group.queryOffset, first: first, to: report.to,
                    lookbackDelta: configuration.lookbackDelta, episodes: episodes, storage: report.storage,
                    maxSeries: ReplayReport.htmlMaxPlotSeries)
                out += "<figure class=\"plot\">\n" + SVGLinePlot(frame: frame, rule: alerting.name, plot: plot, episodes: episodes).svg() + "\n"
                out += "<figcaption>"
                if let threshold = plot.threshold {
                    out += "Value of <code>\(HTMLEscape.text(plot.query))</code>; the alert condition <code>"
                    out += HTMLEscape.text(threshold.op + " " + ReplayFormat.value(threshold.value)) + "</code> is the dashed line"
                } else {
                    out += "Value of the alert expression"
                }
                out += ", every \(ReplayFormat.duration(plot.step)) at the group's evaluation times; pending and firing periods shaded."
                if plot.totalSeries > plot.series.count {
                    out += " Showing \(plot.series.count) of \(plot.totalSeries) series (those behind an alert first, then in label order)."
                }
                if let error = plot.error { out += " <span class=\"err\">\(HTMLEscape.text(error))</span>" }
                out += "</figcaption>\n"
                if !plot.series.isEmpty {
                    // Labels every series shares once, then what tells each apart.
                    let labelSets = plot.series.map(\.labels)
                    let varying = plot.series.count > 1 ? SVGTimeline.distinguishingNames(labelSets).union(
                        labelSets.contains { $0.metricName != labelSets[0].metricName } ? ["__name__"] : []) : []
                    let common = labelSets[0].filter { !varying.contains($0.name) }
                    if plot.series.count > 1 && !common.isEmpty {
                        out += "<p class=\"note\">Every series: <span class=\"mono\">\(HTMLEscape.text(Labels(Array(common)).description))</span></p>\n"
                    }
                    out += "<ul class=\"legend\">"
                    for (i, series) in plot.series.enumerated() {
                        let own = plot.series.count > 1 ? Labels(series.labels.filter { varying.contains($0.name) }) : series.labels
                        out += "<li><span class=\"sw\" style=\"background:\(SVGLinePlot.color(i))\"></span>"
                        out += "<span class=\"mono\" title=\"\(HTMLEscape.attribute(series.labels.description))\">\(HTMLEscape.text(own.description))</span></li>"
                    }
                    out += "</ul>\n"
                }
                out += "</figure>\n</section>\n"
            }
        }
        if drawn == 0 { out += "<p>No alerting rules.</p>\n" }
        out += "</section>\n"
    }

    mutating func timelineTable(_ report: ReplayReport) {
        let count = report.alerts.count
        out += "<section id=\"timeline\">\n<h2>Alert timeline: \(count) episode\(count == 1 ? "" : "s")</h2>\n"
        guard count > 0 else {
            out += "<p>No alert was pending or firing in the range.</p>\n</section>\n"
            return
        }
        out += "<table class=\"episodes\">\n<thead><tr><th>Pending</th><th>Firing</th><th>Resolved</th><th>Duration</th>"
        out += "<th>Value</th><th>Alert</th><th>Annotations</th></tr></thead>\n<tbody>\n"
        for episode in report.alerts.prefix(ReplayReport.htmlMaxTimelineRows) {
            let resolved: String
            switch episode.end {
            case .resolved: resolved = ReplayFormat.time(episode.resolvedAt!)
            case .droppedWhilePending: resolved = "dropped " + ReplayFormat.time(episode.resolvedAt!)
            case .active: resolved = "active"
            }
            let value = [episode.valueAtPending, episode.valueAtFiring, episode.end == .active ? nil : episode.valueAtResolved]
                .map { $0.map(ReplayFormat.value) ?? "-" }.joined(separator: " / ")
            out += "<tr><td class=\"t\">\(ReplayFormat.time(episode.pendingAt))</td><td class=\"t\">\(episode.firingAt.map(ReplayFormat.time) ?? "never")</td>"
            out += "<td class=\"t\">\(resolved)</td><td class=\"n\">\(ReplayFormat.duration(episode.duration(until: report.to)))</td>"
            out += "<td class=\"n\">\(HTMLEscape.text(value))</td><td class=\"mono\">\(HTMLEscape.text(episode.labels.description))</td><td>"
            out += episode.annotations.map { "<b>\(HTMLEscape.text($0.name))</b>: \(HTMLEscape.text($0.value))" }.joined(separator: "<br/>")
            out += "</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if count > ReplayReport.htmlMaxTimelineRows {
            out += "<p class=\"note\">The first \(ReplayReport.htmlMaxTimelineRows) of \(count) episodes; every one is in the JSON report.</p>\n"
        }
        out += "<p class=\"note\">Value: at pending / at firing / last before resolving.</p>\n</section>\n"
    }
}
