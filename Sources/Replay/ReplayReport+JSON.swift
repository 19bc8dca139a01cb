import Model

extension ReplayReport {
    /// The report as JSON, in a stable schema (keys always in this order; times are Unix
    /// seconds as numbers with millisecond precision; durations in seconds; sample values
    /// in Go's shortest form, NaN and infinities as the strings "NaN", "+Inf", "-Inf"):
    ///
    /// ```
    /// {"from": SECONDS, "to": SECONDS, "evaluationStart": SECONDS,
    ///  "alerts": [                                 // by pendingAt, then labels
    ///    {"rule": NAME, "group": NAME, "file": PATH,
    ///     "labels": {…incl. alertname…}, "annotations": {…last templated…},
    ///     "annotationChanges": [{"at": SECONDS, "annotations": {…}}, …],  // first at pendingAt
    ///     "pendingAt": SECONDS, "firingAt": SECONDS|null, "resolvedAt": SECONDS|null,
    ///     "end": "resolved"|"droppedWhilePending"|"active",
    ///     "durationSeconds": SECONDS,               // pending to resolved, or to `to`
    ///     "valueAtPending": NUMBER, "valueAtFiring": NUMBER|null, "valueAtResolved": NUMBER|null}],
    ///  "rules": [                                  // file, group, rule order
    ///    {"name", "type": "alerting", "group", "file", "fired", "episodes",
    ///     "totalFiringSeconds", "longestFiringSeconds", "meanTimeToResolveSeconds": SECONDS|null,
    ///     "flaps", "errorCount", "errors": [{"message", "count", "firstAt"}]}
    ///    {"name", "type": "recording", "group", "file", "samples", "series",
    ///     "errorCount", "errors": […]}]}
    /// ```
    ///
    /// `resolvedAt` null: still active at `to`; `firingAt` null with `resolvedAt` set: the
    /// alert was pending and its condition went away before `for` elapsed
    /// (`"end": "droppedWhilePending"`). `valueAtResolved` is the last value the expression
    /// returned for the alert before it resolved (the latest value while it is active).
    public func json() -> String {
        let w = JSONWriter()
        w.object {
            w.key("from") { w.seconds(from) }
            w.key("to") { w.seconds(to) }
            w.key("evaluationStart") { w.seconds(evaluationStart) }
            w.key("alerts") {
                w.array(alerts) { episode in
                    w.object {
                        w.key("rule") { w.string(episode.rule) }
                        w.key("group") { w.string(episode.group) }
                        w.key("file") { w.string(episode.file) }
                        w.key("labels") { w.labels(episode.labels) }
                        w.key("annotations") { w.labels(episode.annotations) }
                        w.key("annotationChanges") {
                            w.array(episode.annotationChanges) { change in
                                w.object {
                                    w.key("at") { w.seconds(change.at) }
                                    w.key("annotations") { w.labels(change.annotations) }
                                }
                            }
                        }
                        w.key("pendingAt") { w.seconds(episode.pendingAt) }
                        w.key("firingAt") { w.seconds(episode.firingAt) }
                        w.key("resolvedAt") { w.seconds(episode.resolvedAt) }
                        w.key("end") { w.string(episode.end.rawValue) }
                        w.key("durationSeconds") { w.seconds(episode.duration(until: to)) }
                        w.key("valueAtPending") { w.value(episode.valueAtPending) }
                        w.key("valueAtFiring") { w.value(episode.valueAtFiring) }
                        w.key("valueAtResolved") { w.value(episode.end == .active ? nil : episode.valueAtResolved) }
                    }
                }
            }
            w.key("rules") {
                w.array(rules) { rule in
                    w.object {
                        w.key("name") { w.string(rule.name) }
                        w.key("type") { w.string(rule.kind.rawValue) }
                        w.key("group") { w.string(rule.group) }
                        w.key("file") { w.string(rule.file) }
                        switch rule.kind {
                        case .alerting:
                            w.key("fired") { w.int(rule.fired) }
                            w.key("episodes") { w.int(rule.episodes) }
                            w.key("totalFiringSeconds") { w.seconds(rule.totalFiring) }
                            w.key("longestFiringSeconds") { w.seconds(rule.longestFiring) }
                            w.key("meanTimeToResolveSeconds") { w.seconds(rule.meanTimeToResolve) }
                            w.key("flaps") { w.int(rule.flaps) }
                        case .recording:
                            w.key("samples") { w.int(rule.samples) }
                            w.key("series") { w.int(rule.series) }
                        }
                        w.key("errorCount") { w.int(rule.errorCount) }
                        w.key("errors") {
                            w.array(rule.errors) { error in
                                w.object {
                                    w.key("message") { w.string(error.message) }
                                    w.key("count") { w.int(error.count) }
                                    w.key("firstAt") { w.seconds(error.firstAt) }
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

/// A small JSON writer: compact objects on one line per top-level list entry, so diffs of
/// two reports read well.
final class JSONWriter {
    var out = ""
    private var needsComma: [Bool] = []
    private var depth: Int { needsComma.count }

    private func separate() {
        if let last = needsComma.last {
            if last { out += "," }
            needsComma[needsComma.count - 1] = true
        }
    }

    func object(_ body: () -> Void) {
        separate()
        if depth == 3 { out += "\n  " }
        out += "{"
        needsComma.append(false)
        body()
        needsComma.removeLast()
        if depth == 0 { out += "\n" }
        out += "}"
    }

    func key(_ name: String, _ body: () -> Void) {
        separate()
        if depth == 1 { out += "\n" }
        out += Self.quote(name) + ":"
        // The value must not add a comma of its own.
        needsComma.append(false)
        body()
        needsComma.removeLast()
    }

    func array<T>(_ items: [T], _ body: (T) -> Void) {
        separate()
        out += "["
        needsComma.append(false)
        for item in items { body(item) }
        needsComma.removeLast()
        if depth == 2 && !items.isEmpty { out += "\n" }
        out += "]"
    }

    func string(_ s: String) {
        separate()
        out += Self.quote(s)
    }

    func int(_ v: Int) {
        separate()
        out += String(v)
    }

    func seconds(_ ms: Int64?) {
        separate()
        out += ms.map(ReplayFormat.seconds) ?? "null"
    }

    func value(_ v: Double?) {
        separate()
        guard let v else { return out += "null" }
        out += v.isFinite ? ReplayFormat.value(v) : Self.quote(ReplayFormat.value(v))
    }

    func labels(_ labels: Labels) {
        separate()
        out += "{"
        var first = true
        for label in labels {
            if !first { out += "," }
            first = false
            out += Self.quote(label.name) + ":" + Self.quote(label.value)
        }
        out += "}"
    }

    static func quote(_ s: String) -> String {
        // Most strings need no escape (0xE2 leads U+2028 and U+2029): copy them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }) { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
