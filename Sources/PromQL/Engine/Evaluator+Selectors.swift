import Model
import TSDB

/// A series' raw samples read from storage for one selector.
struct LoadedSeries {
    var labels: Labels
    /// Samples in time order, stale markers included.
    var samples: [Sample]
}

/// The series of a range-vector argument, with what it takes to cut each step's window.
struct RangeArgument {
    var series: [EvalSeries]
    /// Window width (ms).
    var range: Int64
    var offset: Int64
    /// The fixed `@` time, when pinned.
    var at: Int64?
    /// The selector's experimental `anchored` / `smoothed` modifier.
    var anchored = false
    var smoothed = false
    /// How far past the window the samples of an anchored or smoothed selector reach (ms):
    /// the lookback delta.
    var lookback: Int64 = 0

    /// The window `(lower, upper]` of step `ts`.
    func window(at ts: Int64) -> (lower: Int64, upper: Int64) {
        let upper = (at ?? ts) - offset
        return (upper - range, upper)
    }

    /// The samples a function sees at step `ts`, `(lower, upper]`: the window, widened by
    /// the lookback delta before it when anchored or smoothed and after it when smoothed, as
    /// Prometheus reads them.
    func reach(at ts: Int64) -> (lower: Int64, upper: Int64) {
        let (lower, upper) = window(at: ts)
        return (anchored || smoothed ? lower - lookback : lower, smoothed ? upper + lookback : upper)
    }
}

extension Evaluator {
    /// The time an `@` modifier pins to (ms), resolving `start()`/`end()` to the query's.
    func pinnedTime(_ at: AtModifier?) -> Int64? {
        switch at {
        case nil: nil
        case .timestamp(let t): t
        case .start: query.start
        case .end: query.end
        }
    }

    /// Reads the series `selector` matches with their samples in `[mint, maxt]`.
    mutating func load(_ selector: VectorSelector, mint: Int64, maxt: Int64) throws(QueryError) -> [LoadedSeries] {
        var result: [LoadedSeries] = []
        do {
            let querier = try queryable.querier(mint: mint, maxt: maxt)
            var set = try querier.select(selector.matchers, hints: SelectHints(start: mint, end: maxt, step: interval))
            // Batches grow from small (an instant selector needs a few samples) to large
            // (a range query reads thousands), so neither case decodes much in vain.
            let scratch = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 1024)
            defer { scratch.deallocate() }
            while let series = try set.next() {
                try limits.check()
                var iterator = series.makeIterator()
                guard let first = try iterator.seek(to: mint), first.timestamp <= maxt else { continue }
                var samples = [first]
                var batch = 16
                reading: while true {
                    let n = try iterator.next(into: UnsafeMutableBufferPointer(rebasing: scratch[0..<batch]))
                    if n == 0 { break }
                    for i in 0..<n {
                        if scratch[i].timestamp > maxt { break reading }
                        samples.append(scratch[i])
                    }
                    batch = Swift.min(batch * 2, scratch.count)
                }
                result.append(LoadedSeries(labels: series.labels, samples: samples))
            }
        } catch let error as QueryError {
            throw error
        } catch {
            throw .storage("expanding series: \(error)")
        }
        return result
    }

    /// An instant-vector selector at every step: each series' latest sample within the
    /// lookback window `(ref − lookback, ref]`, unless that sample is a stale marker.
    mutating func evalVectorSelector(_ selector: VectorSelector) throws(QueryError) -> [EvalSeries] {
        try evalVectorSelector(selector, keepSampleTimestamps: false)
    }

    /// With `keepSampleTimestamps`, each point's value is the timestamp (seconds) of the
    /// sample found, which `timestamp()` reports.
    mutating func evalVectorSelector(_ selector: VectorSelector, keepSampleTimestamps: Bool) throws(QueryError) -> [EvalSeries] {
        if selector.smoothed && !keepSampleTimestamps { return try evalSmoothedVectorSelector(selector) }
        let pinned = pinnedTime(selector.at)
        let firstRef = (pinned ?? start) - selector.offset
        let lastRef = (pinned ?? end) - selector.offset
        let loaded = try load(selector, mint: firstRef - options.lookbackDelta + 1, maxt: lastRef)
        var out: [EvalSeries] = []
        out.reserveCapacity(loaded.count)
        for series in loaded {
            try limits.check()
            var points: [Sample] = []
            var cursor = 0
            let samples = series.samples
            for ts in steps {
                let ref = (pinned ?? ts) - selector.offset
                while cursor + 1 < samples.count, samples[cursor + 1].timestamp <= ref { cursor += 1 }
                let sample = samples[cursor]
                guard sample.timestamp <= ref, sample.timestamp > ref - options.lookbackDelta,
                    !StaleMarker.isStale(sample.value)
                else { continue }
                let value = keepSampleTimestamps ? Double(sample.timestamp) / 1000 : sample.value
                points.append(Sample(timestamp: ts, value: value))
            }
            if !points.isEmpty {
                try hold(points.count)
                out.append(EvalSeries(labels: series.labels, points: points))
            }
        }
        return out
    }

    /// A `smoothed` instant selector: at each step the value interpolated linearly between
    /// the last sample at or before the reference time (within the lookback delta) and the
    /// next one after it (within the lookback delta); the last sample's value when there is
    /// no next one; nothing without a sample before.
    private mutating func evalSmoothedVectorSelector(_ selector: VectorSelector) throws(QueryError) -> [EvalSeries] {
        let pinned = pinnedTime(selector.at)
        let firstRef = (pinned ?? start) - selector.offset
        let lastRef = (pinned ?? end) - selector.offset
        let lookback = options.lookbackDelta
        let loaded = try load(selector, mint: firstRef - lookback + 1, maxt: lastRef + lookback)
        var out: [EvalSeries] = []
        out.reserveCapacity(loaded.count)
        for series in loaded {
            try limits.check()
            var points: [Sample] = []
            var cursor = 0
            let samples = series.samples
            for ts in steps {
                let ref = (pinned ?? ts) - selector.offset
                while cursor + 1 < samples.count, samples[cursor + 1].timestamp <= ref { cursor += 1 }
                let previous = samples[cursor]
                guard previous.timestamp <= ref, previous.timestamp > ref - lookback,
                    !StaleMarker.isStale(previous.value)
                else { continue }
                var value = previous.value
                if previous.timestamp < ref, cursor + 1 < samples.count {
                    let next = samples[cursor + 1]
                    if next.timestamp <= ref + lookback, !StaleMarker.isStale(next.value) {
                        value = Rates.interpolate(previous, next, at: ref, isCounter: false)
                    }
                }
                points.append(Sample(timestamp: ts, value: value))
            }
            if !points.isEmpty {
                try hold(points.count)
                out.append(EvalSeries(labels: series.labels, points: points))
            }
        }
        return out
    }

    /// The samples of a range selector for every step of this evaluation, stale markers
    /// removed, plus the window geometry.
    mutating func rangeArgument(_ selector: MatrixSelector) throws(QueryError) -> RangeArgument {
        let vs = selector.vectorSelector
        let pinned = pinnedTime(vs.at)
        let firstRef = (pinned ?? start) - vs.offset
        let lastRef = (pinned ?? end) - vs.offset
        // Anchored and smoothed windows reach a lookback delta before (and smoothed ones after).
        let lookback = vs.anchored || vs.smoothed ? options.lookbackDelta : 0
        let loaded = try load(vs, mint: firstRef - selector.range - lookback + 1, maxt: lastRef + (vs.smoothed ? lookback : 0))
        var series: [EvalSeries] = []
        series.reserveCapacity(loaded.count)
        for s in loaded {
            var samples = s.samples
            samples.removeAll { StaleMarker.isStale($0.value) }
            if !samples.isEmpty { series.append(EvalSeries(labels: s.labels, points: samples)) }
        }
        return RangeArgument(
            series: series, range: selector.range, offset: vs.offset, at: pinned,
            anchored: vs.anchored, smoothed: vs.smoothed, lookback: lookback)
    }

    /// A subquery's inner expression evaluated at the subquery's steps, for every step
    /// of this evaluation, plus the window geometry.
    mutating func rangeArgument(_ subquery: SubqueryExpr) throws(QueryError) -> RangeArgument {
        let pinned = pinnedTime(subquery.at)
        let step = subquery.step > 0 ? subquery.step : options.subqueryDefaultStep
        let firstRef = (pinned ?? start) - subquery.offset
        let lastRef = (pinned ?? end) - subquery.offset
        // The first step-aligned time after the start of the first window (left-open).
        let lower = firstRef - subquery.range
        var innerStart = step * floorDivide(lower, step)
        if innerStart <= lower { innerStart += step }
        var inner = Evaluator(
            start: innerStart, end: lastRef, interval: step, query: query, options: options,
            queryable: queryable, queryText: queryText, limits: limits)
        inner.currentSamples = currentSamples
        var series: [EvalSeries] = []
        if innerStart <= lastRef {
            series = try inner.eval(subquery.expr).matrix
        }
        annotations.merge(inner.annotations)
        currentSamples = inner.currentSamples
        return RangeArgument(series: series, range: subquery.range, offset: subquery.offset, at: pinned)
    }

    /// The range argument of a function call: a matrix selector or a subquery (in parentheses or not).
    mutating func rangeArgument(_ expr: Expr) throws(QueryError) -> RangeArgument {
        switch expr {
        case .matrixSelector(let selector): return try rangeArgument(selector)
        case .subquery(let subquery): return try rangeArgument(subquery)
        case .paren(let paren): return try rangeArgument(paren.expr)
        default: throw .execution("expected a range vector, got \(expr.type.documentedName)")
        }
    }

    /// A range selector evaluated at one time, as a query result: the raw samples.
    mutating func evalMatrixSelector(_ selector: MatrixSelector, at ts: Int64) throws(QueryError) -> [EvalSeries] {
        let argument = try rangeArgument(selector)
        return try cut(argument, at: ts)
    }

    /// A subquery evaluated at one time, as a query result.
    mutating func evalSubqueryRaw(_ subquery: SubqueryExpr, at ts: Int64) throws(QueryError) -> [EvalSeries] {
        let argument = try rangeArgument(subquery)
        return try cut(argument, at: ts)
    }

    private mutating func cut(_ argument: RangeArgument, at ts: Int64) throws(QueryError) -> [EvalSeries] {
        let (lower, upper) = argument.window(at: ts)
        let (reachLower, reachUpper) = argument.reach(at: ts)
        var out: [EvalSeries] = []
        for var series in argument.series {
            series.points.removeAll { $0.timestamp <= reachLower || $0.timestamp > reachUpper }
            if argument.anchored || argument.smoothed, !series.points.isEmpty {
                series.points = Rates.extendedBoundaries(
                    series.points, rangeStart: lower, rangeEnd: upper, smoothed: argument.smoothed)
            }
            if !series.points.isEmpty {
                try hold(series.points.count)
                out.append(series)
            }
        }
        return out
    }
}
