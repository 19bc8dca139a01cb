import Model
import TSDB

/// Prometheus 3's experimental `info(v [, {data-label-selector}])`: adds to each series of
/// `v` the data labels of the info series (by default `target_info`) that share its
/// identifying labels (`instance` and `job`).
///
/// - The info series are read as of the time the first argument's samples are read at: the
///   `@` and `offset` of its first selector, and of the subqueries around that selector,
///   move the time at which info series are looked up (with the lookback delta), step by step.
/// - At each step and for each info metric name, the info series with the newest sample
///   wins; two with samples at the same time are an error.
/// - Labels the base series already has are kept; two info metrics giving one label
///   different values are an error ("conflicting label").
/// - With a data-label selector, only the labels it names are added; a base series that no
///   info series matches is dropped at that step unless every data-label matcher accepts "".
/// - Base series that are themselves info series (their name matches all the effective
///   `__name__` matchers) pass through unchanged.
extension Evaluator {
    /// The metric read when the selector names no info metric.
    static let defaultInfoMetric = "target_info"
    /// The labels that tie an info series to the series it describes.
    static let infoIdentifyingLabels = ["instance", "job"]

    mutating func evalInfo(_ call: Call) throws(QueryError) -> [EvalSeries] {
        let base = try eval(call.args[0]).matrix

        var selectorMatchers: [LabelMatcher] = []
        if call.args.count > 1 {
            guard case .vectorSelector(let selector) = call.args[1] else {
                throw .execution("expected label selectors only")
            }
            selectorMatchers = selector.matchers
        }
        let nameMatchers = try Self.effectiveInfoNameMatchers(selectorMatchers)
        let dataMatchers = selectorMatchers.filter { $0.name != LabelName.metricName }
        let dataLabelNames = Set(dataMatchers.map(\.name))
        let unmatchedKept = dataMatchers.allSatisfy(\.matchesEmpty)

        // Info series are not enriched themselves.
        let ignored = base.map { series in
            let name = series.labels.metricName ?? ""
            return nameMatchers.allSatisfy { $0.matches(name) }
        }

        // The identifying label values the info series must have.
        var identifyingValues: [String: Set<String>] = [:]
        for (i, series) in base.enumerated() where !ignored[i] {
            for label in Self.infoIdentifyingLabels {
                let value = series.labels.value(of: label)
                if !value.isEmpty { identifyingValues[label, default: []].insert(value) }
            }
        }

        // The time info series are looked up at, per step.
        let layers = infoTimeLayers(call.args[0]) ?? []
        var refs: [Int64] = []
        refs.reserveCapacity(stepCount)
        for ts in steps {
            var t = ts
            for layer in layers { t = (layer.pinned ?? t) - layer.offset }
            refs.append(t)
        }

        var info: [LoadedSeries] = []
        if !identifyingValues.isEmpty, let firstRef = refs.min(), let lastRef = refs.max() {
            var matchers = nameMatchers
            for label in Self.infoIdentifyingLabels {
                guard let values = identifyingValues[label] else { continue }
                let pattern = values.sorted().map(Self.quoteRegexMeta).joined(separator: "|")
                do {
                    matchers.append(try LabelMatcher(.regexMatch, label, pattern))
                } catch {
                    throw .execution(error.description)
                }
            }
            matchers.append(contentsOf: dataMatchers)
            let selector = VectorSelector(name: nil, matchers: matchers, position: call.position)
            info = try load(selector, mint: firstRef - options.lookbackDelta + 1, maxt: lastRef)
        }

        // Each info series' key (name and identifying labels) and the time of the sample it
        // has at each step (nil when it has none within the lookback window).
        let infoKeys = info.map { InfoKey(name: $0.labels.metricName ?? "", identifying: $0.labels.keeping(Self.infoIdentifyingLabelSet)) }
        let infoNames = Set(infoKeys.map(\.name)).sorted()
        var infoSampleTimes: [[Int64?]] = []
        infoSampleTimes.reserveCapacity(info.count)
        for series in info {
            try limits.check()
            var times: [Int64?] = []
            times.reserveCapacity(refs.count)
            var cursor = 0
            let samples = series.samples
            for ref in refs {
                while cursor + 1 < samples.count, samples[cursor + 1].timestamp <= ref { cursor += 1 }
                let sample = samples[cursor]
                if sample.timestamp <= ref, sample.timestamp > ref - options.lookbackDelta, !StaleMarker.isStale(sample.value) {
                    times.append(sample.timestamp)
                } else {
                    times.append(nil)
                }
            }
            infoSampleTimes.append(times)
        }

        let baseIdentifying = base.map { $0.labels.keeping(Self.infoIdentifyingLabelSet) }
        // Per base series, the info series matched at the last step it was enriched and the
        // labels that gave, so unchanged steps reuse them.
        var cache: [(matched: [Int], labels: Labels)?] = Array(repeating: nil, count: base.count)
        var positions = Array(repeating: 0, count: base.count)
        var accumulator = SeriesAccumulator()
        var chosen: [InfoKey: (index: Int, time: Int64)] = [:]
        var stepIndex = 0
        for ts in steps {
            defer { stepIndex += 1 }
            try limits.check()
            // The newest info series per key at this step.
            chosen.removeAll(keepingCapacity: true)
            for i in info.indices {
                guard let time = infoSampleTimes[i][stepIndex] else { continue }
                let key = infoKeys[i]
                if let existing = chosen[key] {
                    if existing.time == time {
                        throw .execution(
                            "found duplicate series for info metric: existing \(info[existing.index].labels) @ \(existing.time), new \(info[i].labels) @ \(time)")
                    }
                    if existing.time > time { continue }
                }
                chosen[key] = (i, time)
            }

            var vector: Vector = []
            for b in base.indices {
                let points = base[b].points
                var p = positions[b]
                while p < points.count, points[p].timestamp < ts { p += 1 }
                positions[b] = p
                guard p < points.count, points[p].timestamp == ts else { continue }
                let value = points[p].value
                if ignored[b] {
                    vector.append(VectorSample(labels: base[b].labels, timestamp: ts, value: value, dropName: base[b].dropName))
                    continue
                }
                var matched: [Int] = []
                for name in infoNames {
                    if let hit = chosen[InfoKey(name: name, identifying: baseIdentifying[b])] { matched.append(hit.index) }
                }
                if matched.isEmpty && !unmatchedKept { continue }
                let labels: Labels
                if let cached = cache[b], cached.matched == matched {
                    labels = cached.labels
                } else {
                    labels = try enrichedLabels(base[b].labels, with: matched.map { info[$0].labels }, dataLabelNames: dataLabelNames)
                    cache[b] = (matched, labels)
                }
                vector.append(VectorSample(labels: labels, timestamp: ts, value: value, dropName: base[b].dropName))
            }
            try checkDistinctLabels(vector)
            for sample in vector { accumulator.add(sample, at: ts) }
        }
        var total = 0
        for s in accumulator.series { total += s.points.count }
        try hold(total)
        return accumulator.series
    }

    /// `labels` plus the data labels of `infoLabels` it does not have (only those in
    /// `dataLabelNames` when that is not empty).
    private func enrichedLabels(_ labels: Labels, with infoLabels: [Labels], dataLabelNames: Set<String>) throws(QueryError) -> Labels {
        guard !infoLabels.isEmpty else { return labels }
        var added: [String: String] = [:]
        for infoSeries in infoLabels {
            for label in infoSeries where label.name != LabelName.metricName {
                if !dataLabelNames.isEmpty, !dataLabelNames.contains(label.name) { continue }
                if let existing = added[label.name], existing != label.value {
                    throw .execution("conflicting label: \(label.name)")
                }
                if labels.contains(name: label.name) { continue }
                added[label.name] = label.value
            }
        }
        guard !added.isEmpty else { return labels }
        var builder = Labels.Builder(labels)
        for (name, value) in added { builder.set(name, value) }
        return builder.build()
    }

    static let infoIdentifyingLabelSet = Set(infoIdentifyingLabels)

    /// The `__name__` matchers that pick the info metrics: those of the selector; with only
    /// negative ones, those restricted to `*_info` metrics; with none, `target_info`.
    static func effectiveInfoNameMatchers(_ matchers: [LabelMatcher]) throws(QueryError) -> [LabelMatcher] {
        let name = matchers.filter { $0.name == LabelName.metricName }
        if name.isEmpty { return [.equal(LabelName.metricName, defaultInfoMetric)] }
        if name.allSatisfy(\.type.isNegative) {
            do {
                return [try LabelMatcher(.regexMatch, LabelName.metricName, ".+_info")] + name
            } catch {
                throw .execution(error.description)
            }
        }
        return name
    }

    /// `value` as an RE2 pattern matching exactly it (Go's `regexp.QuoteMeta`).
    static func quoteRegexMeta(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for c in value.unicodeScalars {
            if "\\.+*?()|[]{}^$".unicodeScalars.contains(c) { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// One `@`/`offset` pair on the way from the `info` argument down to its first selector.
    struct InfoTimeLayer {
        var pinned: Int64?
        var offset: Int64
    }

    /// The `@`/`offset` modifiers, outermost first, of the subqueries enclosing the first
    /// selector (in written order) of `expr`, and of that selector itself; nil without one.
    func infoTimeLayers(_ expr: Expr) -> [InfoTimeLayer]? {
        switch expr {
        case .vectorSelector(let vs):
            return [InfoTimeLayer(pinned: pinnedTime(vs.at), offset: vs.offset)]
        case .matrixSelector(let ms):
            return [InfoTimeLayer(pinned: pinnedTime(ms.vectorSelector.at), offset: ms.vectorSelector.offset)]
        case .subquery(let sq):
            guard let inner = infoTimeLayers(sq.expr) else { return nil }
            return [InfoTimeLayer(pinned: pinnedTime(sq.at), offset: sq.offset)] + inner
        case .aggregate(let agg):
            // The aggregated expression before the parameter, as Prometheus walks the tree.
            return infoTimeLayers(agg.expr) ?? agg.param.flatMap { infoTimeLayers($0) }
        default:
            for child in expr.children {
                if let layers = infoTimeLayers(child) { return layers }
            }
            return nil
        }
    }
}

/// An info series' identity for matching: its metric name and identifying labels.
struct InfoKey: Hashable {
    var name: String
    var identifying: Labels
}
