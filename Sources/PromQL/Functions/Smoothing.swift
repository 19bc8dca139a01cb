import Model

/// `double_exponential_smoothing(v, sf, tf)` (Holt's linear method, formerly `holt_winters`).
enum Smoothing {
    /// The error for a smoothing factor or trend factor outside (0, 1), with Prometheus's text.
    static func validate(smoothingFactor sf: Double, trendFactor tf: Double) throws(QueryError) {
        if sf <= 0 || sf >= 1 {
            throw .execution("invalid smoothing factor. Expected: 0 < sf < 1, got: \(goFixed(sf))")
        }
        if tf <= 0 || tf >= 1 {
            throw .execution("invalid trend factor. Expected: 0 < tf < 1, got: \(goFixed(tf))")
        }
    }

    /// The smoothed value after the last sample; nil for fewer than two samples or invalid
    /// factors (see ``validate(smoothingFactor:trendFactor:)``).
    static func doubleExponential(_ window: RangeWindow, smoothingFactor sf: Double, trendFactor tf: Double) -> Double? {
        // Prometheus fails the query for these (NaN factors pass and give NaN).
        guard !(sf <= 0 || sf >= 1 || tf <= 0 || tf >= 1) else { return nil }
        let samples = window.samples
        guard samples.count >= 2 else { return nil }
        let base = samples.startIndex
        var s0 = 0.0
        var s1 = samples[base].value
        var trend = samples[base + 1].value - samples[base].value
        for i in 1..<samples.count {
            let x = sf * samples[base + i].value
            // The trend at the previous point (the initial trend for the first step).
            if i > 1 { trend = tf * (s1 - s0) + (1 - tf) * trend }
            let y = (1 - sf) * (s1 + trend)
            s0 = s1
            s1 = x + y
        }
        return s1
    }

    /// Go's `%f` (six decimals; `NaN`, `+Inf`, `-Inf` for the special values).
    static func goFixed(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return CFormat.fixed(value, decimals: 6)
    }
}
