import Model

/// `histogram_quantile`, `histogram_quantiles` and `histogram_fraction` over classic
/// histograms: series with an `le` (upper bound) label holding cumulative bucket counts.
/// (Native histograms are not stored, so these are the only inputs.)
enum ClassicHistograms {
    /// One bucket: its upper bound and the cumulative count of observations up to it.
    struct Bucket: Equatable {
        var upperBound: Double
        var count: Double
    }

    /// The buckets of one histogram: the series' labels without `le` (the metric name stays,
    /// to be dropped by the engine) and the buckets in input order.
    struct Histogram {
        var labels: Labels
        var buckets: [Bucket]
    }

    /// What ``bucketQuantile(_:_:)`` found besides the quantile.
    struct QuantileResult {
        var value: Double
        /// Bucket counts decreased somewhere and were raised to restore monotonicity.
        var forcedMonotonicity = false
        /// Tiny differences (floating point noise) between buckets were ignored.
        var fixedPrecision = false
        /// The lowest and highest upper bound of a bucket that was raised, and the largest raise.
        var minBucket = Double.infinity
        var maxBucket = -Double.infinity
        var maxDiff = 0.0
    }

    /// Relative differences between neighbouring bucket counts below this are taken as
    /// floating point noise rather than non-monotonic data (Prometheus's `smallDeltaTolerance`).
    static let smallDeltaTolerance = 1e-12

    // MARK: Functions

    /// `histogram_quantile(q, v)`.
    static func quantile(_ q: Double, _ vector: Vector, context: inout FunctionContext) -> Vector {
        if q.isNaN || q < 0 || q > 1 {
            context.warn(FunctionMessages.invalidQuantile(q), argument: 0)
        }
        let histograms = group(vector, argument: 1, context: &context)
        var monotonicity = MonotonicityReport()
        var out: Vector = []
        for histogram in histograms {
            let result = bucketQuantile(q, histogram.buckets)
            monotonicity.record(result, labels: histogram.labels)
            out.append(VectorSample(labels: histogram.labels, timestamp: context.evaluationTime, value: result.value, dropName: true))
        }
        monotonicity.annotate(&context, argument: 1)
        return out
    }

    /// `histogram_quantiles(v, label, q...)`: one series per histogram and quantile, with the
    /// quantile in label `label` (formatted as OpenMetrics floats: `0.5`, `1.0`).
    static func quantiles(_ vector: Vector, label: String, quantiles qs: [Double], context: inout FunctionContext) -> Vector {
        for (i, q) in qs.enumerated() where q.isNaN || q < 0 || q > 1 {
            context.warn(FunctionMessages.invalidQuantile(q), argument: 2 + i)
        }
        let histograms = group(vector, argument: 0, context: &context)
        var monotonicity = MonotonicityReport()
        var out: Vector = []
        for q in qs {
            let text = GoFloat.formatOpenMetrics(q)
            for histogram in histograms {
                let result = bucketQuantile(q, histogram.buckets)
                monotonicity.record(result, labels: histogram.labels)
                let labels = histogram.labels.setting(label, to: text)
                out.append(VectorSample(labels: labels, timestamp: context.evaluationTime, value: result.value, dropName: true))
            }
        }
        monotonicity.annotate(&context, argument: 0)
        return out
    }

    /// `histogram_fraction(lower, upper, v)`.
    static func fraction(lower: Double, upper: Double, _ vector: Vector, context: inout FunctionContext) -> Vector {
        let histograms = group(vector, argument: 2, context: &context)
        return histograms.map {
            VectorSample(
                labels: $0.labels, timestamp: context.evaluationTime,
                value: bucketFraction(lower: lower, upper: upper, $0.buckets), dropName: true)
        }
    }

    /// Groups the samples of `vector` into histograms by their labels without `le`, in order
    /// of first appearance. A sample whose `le` is missing or not a number is skipped with a
    /// warning at argument `argument`.
    static func group(_ vector: Vector, argument: Int, context: inout FunctionContext) -> [Histogram] {
        var histograms: [Histogram] = []
        var indexByLabels: [Labels: Int] = [:]
        for sample in vector {
            let split: (labels: Labels, upperBound: Double?)
            if let cached = context.bucketCache[sample.labels] {
                split = cached
            } else {
                split = (sample.labels.removing([LabelName.bucket]), GoFloat.parse(sample.labels.value(of: LabelName.bucket)))
                context.bucketCache[sample.labels] = split
            }
            guard let upperBound = split.upperBound else {
                context.warn(
                    FunctionMessages.badBucketLabel(
                        metricName: sample.labels.metricName ?? "", value: sample.labels.value(of: LabelName.bucket)),
                    argument: argument)
                continue
            }
            let labels = split.labels
            let bucket = Bucket(upperBound: upperBound, count: sample.value)
            if let i = indexByLabels[labels] {
                histograms[i].buckets.append(bucket)
            } else {
                indexByLabels[labels] = histograms.count
                histograms.append(Histogram(labels: labels, buckets: [bucket]))
            }
        }
        return histograms
    }

    // MARK: Quantile

    /// The `q`-quantile of classic histogram buckets (Prometheus's `BucketQuantile`).
    ///
    /// Buckets are sorted by upper bound and equal bounds merged; tiny relative differences
    /// are flattened and decreasing counts raised (reported as forced monotonicity). The
    /// quantile is interpolated linearly inside its bucket, from 0 for a first bucket with a
    /// positive bound; in the `+Inf` bucket it is the highest finite bound, in a first bucket
    /// with a bound ≤ 0 that bound. NaN without a `+Inf` bucket, with fewer than two buckets
    /// or without observations; −Inf for `q < 0`, +Inf for `q > 1`.
    static func bucketQuantile(_ q: Double, _ input: [Bucket]) -> QuantileResult {
        if q.isNaN { return QuantileResult(value: .nan) }
        if q < 0 { return QuantileResult(value: -.infinity) }
        if q > 1 { return QuantileResult(value: .infinity) }
        var buckets = sortedAndCoalesced(input)
        guard let last = buckets.last, last.upperBound == .infinity else { return QuantileResult(value: .nan) }
        var result = QuantileResult(value: .nan)
        ensureMonotonic(&buckets, &result)
        guard buckets.count >= 2 else { return QuantileResult(value: .nan) }
        let observations = buckets[buckets.count - 1].count
        if observations == 0 { return QuantileResult(value: .nan) }
        var rank = q * observations
        let b = search(buckets.count - 1) { buckets[$0].count >= rank }
        if b == buckets.count - 1 {
            result.value = buckets[buckets.count - 2].upperBound
            return result
        }
        if b == 0 && buckets[0].upperBound <= 0 {
            result.value = buckets[0].upperBound
            return result
        }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        result.value = bucketStart + (bucketEnd - bucketStart) * (rank / count)
        return result
    }

    /// Flattens differences smaller than ``smallDeltaTolerance`` (relative) and raises counts
    /// that fall below an earlier bucket's, recording what was raised. The reference count
    /// only moves on genuine increases.
    static func ensureMonotonic(_ buckets: inout [Bucket], _ result: inout QuantileResult) {
        guard var previous = buckets.first?.count else { return }
        for i in buckets.indices.dropFirst() {
            let current = buckets[i].count
            if current == previous { continue }
            if almostEqual(previous, current, tolerance: smallDeltaTolerance) {
                buckets[i].count = previous
                result.fixedPrecision = true
                continue
            }
            if current < previous {
                buckets[i].count = previous
                result.forcedMonotonicity = true
                result.minBucket = Swift.min(result.minBucket, buckets[i].upperBound)
                result.maxBucket = Swift.max(result.maxBucket, buckets[i].upperBound)
                result.maxDiff = Swift.max(result.maxDiff, previous - current)
                continue
            }
            previous = current
        }
    }

    // MARK: Fraction

    /// The fraction of observations between `lower` and `upper` (Prometheus's `BucketFraction`),
    /// interpolating linearly inside the buckets the bounds fall in. The first bucket starts
    /// at 0 when its bound is positive and at −Inf otherwise; the infinitely wide first and
    /// last buckets are not interpolated. NaN without a `+Inf` bucket, without observations
    /// or for a NaN bound; 0 when `lower ≥ upper`.
    static func bucketFraction(lower: Double, upper: Double, _ input: [Bucket]) -> Double {
        let buckets = sortedAndCoalesced(input)
        guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
        let total = last.count
        if total == 0 || lower.isNaN || upper.isNaN { return .nan }
        if lower >= upper { return 0 }

        var rank = 0.0, lowerRank = 0.0, upperRank = 0.0
        var lowerSet = false, upperSet = false
        for (i, bucket) in buckets.enumerated() {
            let lowerBound = i > 0 ? buckets[i - 1].upperBound : (bucket.upperBound <= 0 ? -Double.infinity : 0)
            let upperBound = bucket.upperBound
            func interpolate(_ v: Double) -> Double {
                lowerBound == -.infinity ? bucket.count : rank + (bucket.count - rank) * (v - lowerBound) / (upperBound - lowerBound)
            }
            if !lowerSet && lowerBound >= lower {
                lowerRank = rank
                lowerSet = true
            }
            if !upperSet && lowerBound >= upper {
                upperRank = rank
                upperSet = true
            }
            if lowerSet && upperSet { break }
            if !lowerSet && lowerBound < lower && upperBound > lower {
                lowerRank = interpolate(lower)
                lowerSet = true
            }
            if !upperSet && lowerBound < upper && upperBound > upper {
                upperRank = interpolate(upper)
                upperSet = true
            }
            if lowerSet && upperSet { break }
            rank = bucket.count
        }
        if !lowerSet || lowerRank > total { lowerRank = total }
        if !upperSet || upperRank > total { upperRank = total }
        return (upperRank - lowerRank) / total
    }

    // MARK: Helpers

    /// Sorted by upper bound (stable), buckets with the same bound merged by adding counts.
    static func sortedAndCoalesced(_ input: [Bucket]) -> [Bucket] {
        let sorted = input.enumerated().sorted { a, b in
            a.element.upperBound < b.element.upperBound
                || (a.element.upperBound == b.element.upperBound && a.offset < b.offset)
        }
        var out: [Bucket] = []
        out.reserveCapacity(sorted.count)
        for (_, bucket) in sorted {
            if let last = out.last, last.upperBound == bucket.upperBound {
                out[out.count - 1].count += bucket.count
            } else {
                out.append(bucket)
            }
        }
        return out
    }

    /// Go's `sort.Search`: the smallest index in `0..<n` where `predicate` holds (binary
    /// search, assuming it is monotonic), or `n`.
    static func search(_ n: Int, _ predicate: (Int) -> Bool) -> Int {
        var i = 0, j = n
        while i < j {
            let h = Int(UInt(i + j) >> 1)
            if !predicate(h) { i = h + 1 } else { j = h }
        }
        return i
    }

    /// Prometheus's `almost.Equal`: equal, both NaN, or a relative difference below `tolerance`.
    static func almostEqual(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let minNormal = 2.2250738585072014e-308
        let absSum = Swift.abs(a) + Swift.abs(b)
        let diff = Swift.abs(a - b)
        if a == 0 || b == 0 || absSum < minNormal {
            return diff < tolerance * minNormal
        }
        return diff / Swift.min(absSum, Double.greatestFiniteMagnitude) < tolerance
    }
}

/// Collects forced-monotonicity findings of one evaluation per metric name and records the
/// info annotation for each, with Prometheus's detail: the raised buckets' bounds, the largest
/// raise, and how many quantile calculations needed fixing at which times.
struct MonotonicityReport {
    private struct Detail {
        var minBucket: Double
        var maxBucket: Double
        var maxDiff: Double
        var count: Int
    }

    private var details: [(name: String, detail: Detail)] = []

    mutating func record(_ result: ClassicHistograms.QuantileResult, labels: Labels) {
        guard result.forcedMonotonicity else { return }
        let name = labels.metricName ?? ""
        if let i = details.firstIndex(where: { $0.name == name }) {
            details[i].detail.minBucket = Swift.min(details[i].detail.minBucket, result.minBucket)
            details[i].detail.maxBucket = Swift.max(details[i].detail.maxBucket, result.maxBucket)
            details[i].detail.maxDiff = Swift.max(details[i].detail.maxDiff, result.maxDiff)
            details[i].detail.count += 1
        } else {
            details.append((name, Detail(minBucket: result.minBucket, maxBucket: result.maxBucket, maxDiff: result.maxDiff, count: 1)))
        }
    }

    func annotate(_ context: inout FunctionContext, argument: Int) {
        for (name, detail) in details {
            let time = RFC3339.format(unixSeconds: context.evaluationTime / 1000)
            let maxDiff = detail.maxDiff.isFinite ? CFormat.general(detail.maxDiff, precision: 2) : GoFloat.format(detail.maxDiff)
            let message = FunctionMessages.forcedMonotonicity(metricName: name)
                + ", from buckets \(GoFloat.format(detail.minBucket)) to \(GoFloat.format(detail.maxBucket)),"
                + " with a max diff of \(maxDiff), over \(detail.count) samples from \(time) to \(time)"
            context.info(message, argument: argument)
        }
    }
}

/// `time.Unix(s, 0).UTC().Format(time.RFC3339)` for years 0…9999.
enum RFC3339 {
    static func format(unixSeconds: Int64) -> String {
        let (days, secondOfDay) = DateFunctions.floorDivision(unixSeconds, 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }
}
