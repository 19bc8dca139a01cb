/// The horizontal geometry every chart of the HTML report shares, so that timelines and
/// value plots of one rule line up: a label column on the left, then [from, to].
struct ChartFrame {
    static let width = 1100.0
    static let left = 300.0
    static let right = 1080.0

    var from: Int64
    var to: Int64

    /// The x coordinate of time `t` (ms), clamped to the chart.
    func x(_ t: Int64) -> Double {
        let span = Double(max(1, to - from))
        let clamped = min(max(t, from), to)
        return Self.left + Double(clamped - from) / span * (Self.right - Self.left)
    }

    /// Vertical grid lines and tick labels of the time axis; the axis line at `axisY`.
    func timeAxis(top: Double, axisY: Double) -> String {
        var out = "<g class=\"axis\" font-size=\"11\" fill=\"#444\">"
        for tick in SVGAxes.timeTicks(from: from, to: to) {
            let x = FixedPoint.coordinate(self.x(Int64(tick.at)))
            out += "<line x1=\"\(x)\" y1=\"\(FixedPoint.coordinate(top))\" x2=\"\(x)\" y2=\"\(FixedPoint.coordinate(axisY + 4))\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(x)\" y=\"\(FixedPoint.coordinate(axisY + 16))\" text-anchor=\"middle\">\(HTMLEscape.text(tick.label))</text>"
            if let second = tick.secondLine {
                out += "<text x=\"\(x)\" y=\"\(FixedPoint.coordinate(axisY + 29))\" text-anchor=\"middle\" fill=\"#777\">\(HTMLEscape.text(second))</text>"
            }
        }
        let l = FixedPoint.coordinate(Self.left), r = FixedPoint.coordinate(Self.right), y = FixedPoint.coordinate(axisY)
        out += "<line x1=\"\(l)\" y1=\"\(y)\" x2=\"\(r)\" y2=\"\(y)\" stroke=\"#888\"/>"
        out += "<text x=\"\(FixedPoint.coordinate(Self.left - 26))\" y=\"\(FixedPoint.coordinate(axisY + 16))\" text-anchor=\"end\" fill=\"#777\">UTC</text>"
        return out + "</g>"
    }

    /// Space the time axis needs under `axisY`.
    static let axisHeight = 36.0
}

/// A closed-open time interval (ms) for bands.
struct TimeBand: Equatable {
    var start: Int64
    var end: Int64

    /// The intervals merged where they overlap or touch, in time order.
    static func union(_ bands: [TimeBand]) -> [TimeBand] {
        var out: [TimeBand] = []
        for band in bands.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            if let last = out.last, band.start <= last.end {
                out[out.count - 1].end = max(last.end, band.end)
            } else {
                out.append(band)
            }
        }
        return out
    }
}

extension AlertEpisode {
    /// The pending part [pendingAt, firingAt or end) and the firing part [firingAt, end),
    /// clipped to [from, to]; nil when empty there.
    func bands(from: Int64, to: Int64) -> (pending: TimeBand?, firing: TimeBand?) {
        let end = resolvedAt ?? to
        let pendingEnd = firingAt ?? end
        func clip(_ s: Int64, _ e: Int64) -> TimeBand? {
            let a = max(s, from), b = min(e, to)
            return a < b ? TimeBand(start: a, end: b) : nil
        }
        return (clip(pendingAt, pendingEnd), firingAt.flatMap { clip($0, end) })
    }
}
