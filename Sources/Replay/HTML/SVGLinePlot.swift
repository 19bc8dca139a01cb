import Model

/// The SVG value plot of one alerting rule: the pending and firing periods shaded behind,
/// one line per series (gaps where a series has no point), value grid and UTC time axis.
struct SVGLinePlot {
    static let top = 10.0
    static let plotHeight = 220.0
    static let pendingShade = "#fdf0c8"
    static let firingShade = "#f9d4d4"
    /// Tableau 10, reordered so the first series avoid the shading's red and amber; series
    /// past the tenth are dashed.
    static let palette = [
        "#4e79a7", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f", "#f28e2b", "#ff9da7", "#8c8c8c", "#e15759", "#edc948",
    ]

    static func color(_ i: Int) -> String { palette[i % palette.count] }
    static func dash(_ i: Int) -> String? { i / palette.count % 2 == 1 ? "5 3" : nil }

    var frame: ChartFrame
    var rule: String
    var plot: AlertPlot
    var episodes: [AlertEpisode]

    func svg() -> String {
        let c = FixedPoint.coordinate
        let bottom = Self.top + Self.plotHeight
        let height = bottom + ChartFrame.axisHeight
        var low = Double.infinity, high = -Double.infinity
        for series in plot.series {
            for s in series.samples where s.value.isFinite && !StaleMarker.isStale(s.value) {
                low = min(low, s.value)
                high = max(high, s.value)
            }
        }
        if let threshold = plot.threshold, threshold.value.isFinite {
            low = min(low, threshold.value)
            high = max(high, threshold.value)
        }
        let axis = SVGAxes.valueTicks(low: low, high: high)
        func y(_ v: Double) -> Double {
            let span = axis.high - axis.low
            let clamped = min(max(v, axis.low), axis.high)
            return bottom - (clamped - axis.low) / (span == 0 ? 1 : span) * Self.plotHeight
        }

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"\(c(ChartFrame.width))\" height=\"\(c(height))\""
        out += " viewBox=\"0 0 \(c(ChartFrame.width)) \(c(height))\" font-family=\"sans-serif\" role=\"img\""
        out += " aria-label=\"\(HTMLEscape.attribute("Value of the expression of alert " + rule))\">"
        out += "<title>\(HTMLEscape.text(plot.query))</title>"
        let l = c(ChartFrame.left), w = c(ChartFrame.right - ChartFrame.left)
        out += "<rect x=\"\(l)\" y=\"\(c(Self.top))\" width=\"\(w)\" height=\"\(c(Self.plotHeight))\" fill=\"#fff\" stroke=\"#ccc\"/>"
        // Shading: the union of every instance's pending, then firing, periods.
        var pending: [TimeBand] = [], firing: [TimeBand] = []
        for episode in episodes {
            let bands = episode.bands(from: frame.from, to: frame.to)
            if let p = bands.pending { pending.append(p) }
            if let f = bands.firing { firing.append(f) }
        }
        for (bands, color, state) in [(TimeBand.union(pending), Self.pendingShade, "pending"), (TimeBand.union(firing), Self.firingShade, "firing")] {
            for band in bands {
                let x0 = frame.x(band.start), x1 = frame.x(band.end)
                out += "<rect class=\"\(state)\" x=\"\(c(x0))\" y=\"\(c(Self.top))\" width=\"\(c(max(1, x1 - x0)))\" height=\"\(c(Self.plotHeight))\" fill=\"\(color)\">"
                out += "<title>\(state) \(ReplayFormat.time(band.start)) .. \(ReplayFormat.time(band.end))</title></rect>"
            }
        }
        // Value grid.
        out += "<g class=\"values\" font-size=\"11\" fill=\"#444\">"
        for tick in axis.ticks {
            let ty = c(y(tick.at))
            out += "<line x1=\"\(l)\" y1=\"\(ty)\" x2=\"\(c(ChartFrame.right))\" y2=\"\(ty)\" stroke=\"#e4e4e4\"/>"
            out += "<text x=\"\(c(ChartFrame.left - 6))\" y=\"\(c(y(tick.at) + 4))\" text-anchor=\"end\">\(HTMLEscape.text(tick.label))</text>"
        }
        out += "</g>"
        out += frame.timeAxis(top: Self.top, axisY: bottom)
        if let threshold = plot.threshold, threshold.value.isFinite {
            let ty = c(y(threshold.value))
            out += "<line class=\"threshold\" x1=\"\(l)\" y1=\"\(ty)\" x2=\"\(c(ChartFrame.right))\" y2=\"\(ty)\" stroke=\"#b00020\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">"
            out += "<title>\(HTMLEscape.text("alert condition: " + threshold.op + " " + ReplayFormat.value(threshold.value)))</title></line>"
        }
        for (i, series) in plot.series.enumerated() {
            let d = path(series.samples, x: frame.x, y: y)
            guard !d.isEmpty else { continue }
            out += "<path class=\"series\" d=\"\(d)\" fill=\"none\" stroke=\"\(Self.color(i))\" stroke-width=\"1.5\""
            if let dash = Self.dash(i) { out += " stroke-dasharray=\"\(dash)\"" }
            out += " stroke-linejoin=\"round\" stroke-linecap=\"round\"><title>\(HTMLEscape.text(series.labels.description))</title></path>"
        }
        if plot.series.isEmpty {
            let message = plot.error.map { "query failed: " + $0 } ?? "the expression returned no series in the range"
            out += "<text x=\"\(c((ChartFrame.left + ChartFrame.right) / 2))\" y=\"\(c(Self.top + Self.plotHeight / 2))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#777\">\(HTMLEscape.text(HTMLEscape.truncated(message, to: 120)))</text>"
        }
        return out + "</svg>"
    }

    /// Path data for one series: a subpath per run of consecutive points (a missing step
    /// breaks the line), thinned to the lowest and highest point per pixel column (and the
    /// run's ends) so long ranges stay small without losing spikes.
    func path(_ samples: [Sample], x: (Int64) -> Double, y: (Double) -> Double) -> String {
        var d = ""
        var run: [(Double, Double)] = []
        func flush() {
            guard !run.isEmpty else { return }
            var kept: [(Double, Double)] = []
            var start = 0
            while start < run.count {
                let column = run[start].0.rounded(.down)
                var end = start
                while end + 1 < run.count && run[end + 1].0.rounded(.down) == column { end += 1 }
                var lowest = start, highest = start
                for k in start...end {
                    if run[k].1 > run[lowest].1 { lowest = k }  // SVG y grows downwards
                    if run[k].1 < run[highest].1 { highest = k }
                }
                // The extremes of the column, and the run's own ends.
                var picks: Set<Int> = [lowest, highest]
                if start == 0 { picks.insert(start) }
                if end == run.count - 1 { picks.insert(end) }
                for k in picks.sorted() { kept.append(run[k]) }
                start = end + 1
            }
            for (k, point) in kept.enumerated() {
                d += (k == 0 ? (d.isEmpty ? "M" : " M") : " L") + FixedPoint.coordinate(point.0) + " " + FixedPoint.coordinate(point.1)
            }
            if kept.count == 1 { d += " h0" }
            run.removeAll(keepingCapacity: true)
        }
        var previous: Int64?
        for s in samples {
            guard s.value.isFinite, !StaleMarker.isStale(s.value) else {
                flush()
                previous = nil
                continue
            }
            if let p = previous, s.timestamp - p > plot.step { flush() }
            run.append((x(s.timestamp), y(s.value)))
            previous = s.timestamp
        }
        flush()
        return d
    }
}
