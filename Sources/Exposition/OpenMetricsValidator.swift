import Model

/// Checks the OpenMetrics 1.0 data-model rules that the syntax alone does not:
/// metadata placement and repetition, family name clashes, contiguous and
/// time-ordered samples, histogram/summary structure, and the value ranges of each
/// type (counters are non-negative, info is 1, stateset is 0 or 1, …).
///
/// Feed it every entry of an ``OpenMetricsParser`` in order with the entry's line,
/// then call ``finish(line:)``. The first broken rule is thrown as an ``ExpositionError``.
public struct OpenMetricsValidator: Sendable {
    private var reserved: Set<String> = []
    private var family: FamilyState?
    /// The line of the entry being checked, for errors.
    private var line = 0

    public init() {}

    public mutating func check(_ entry: ExpositionEntry, line: Int) throws(ExpositionError) {
        self.line = line
        switch entry {
        case .comment:
            return
        case let .help(name, _):
            var f = try familyForMetadata(name, kind: "HELP")
            if f.hasHelp { throw fail("second HELP line for metric family \(quoteForMessage(name))") }
            f.hasHelp = true
            family = f
        case let .type(name, type):
            var f = try familyForMetadata(name, kind: "TYPE")
            if f.type != nil { throw fail("second TYPE line for metric family \(quoteForMessage(name))") }
            f.type = type
            family = f
            try checkReservedNames(f)
            try checkUnitAllowed()
        case let .unit(name, unit):
            var f = try familyForMetadata(name, kind: "UNIT")
            if f.unit != nil { throw fail("second UNIT line for metric family \(quoteForMessage(name))") }
            if !unit.isEmpty && !name.hasSuffix("_" + unit) {
                throw ExpositionError(line: line, column: 1, reason: .invalidUnit(family: name, unit: unit, why: "the family name must end with \"_\(unit)\""))
            }
            f.unit = unit
            family = f
            try checkUnitAllowed()
        case let .sample(sample):
            try checkSample(sample)
        }
    }

    /// Closes the last family; call after the parser returned nil.
    public mutating func finish(line: Int) throws(ExpositionError) {
        self.line = line
        try closeFamily()
    }

    // MARK: Families

    private struct FamilyState: Sendable {
        let name: String
        var type: MetricType?
        var hasHelp = false
        var unit: String?
        var hasSamples = false
        var group: Labels?
        var closedGroups: Set<Labels> = []
        var point = PointState()
        var lastTimestamps: [Labels: Timestamp?] = [:]

        var effectiveType: MetricType { type ?? .unknown }

        func suffix(of sampleName: String) -> String? {
            effectiveType.sampleSuffix(of: sampleName, family: name, format: .openMetrics)
        }
    }

    /// The samples of one histogram or summary point (one label set at one time).
    private struct PointState: Sendable {
        var started = false
        var timestamp: Timestamp?
        var lastBound: Double?
        var lastBucketValue = 0.0
        var infinityBucket: Double?
        var hasNegativeBucket = false
        var count: Double?
        var hasSum = false
        var negativeGSum = false
        var firstLine = 0
    }

    private func fail(_ message: String) -> ExpositionError {
        ExpositionError(line: line, column: 1, reason: .semantic(message))
    }

    /// The family a metadata line applies to: the current one if it has this name
    /// (and no samples yet), otherwise a new one.
    private mutating func familyForMetadata(_ name: String, kind: String) throws(ExpositionError) -> FamilyState {
        if let f = family, f.name == name {
            if f.hasSamples {
                throw fail("\(kind) line for metric family \(quoteForMessage(name)) must come before its samples")
            }
            return f
        }
        try openFamily(name)
        return FamilyState(name: name)
    }

    private mutating func openFamily(_ name: String) throws(ExpositionError) {
        try closeFamily()
        if reserved.contains(name) {
            throw fail("metric family \(quoteForMessage(name)) appears twice or clashes with the samples of an earlier family; a family's lines must be contiguous")
        }
        family = FamilyState(name: name)
    }

    /// A family's type reserves all the sample names it can expose.
    private func checkReservedNames(_ f: FamilyState) throws(ExpositionError) {
        for suffix in f.effectiveType.openMetricsSuffixes where reserved.contains(f.name + suffix) {
            throw fail("metric family \(quoteForMessage(f.name)) of type \(f.effectiveType.rawValue) clashes with the earlier name \(quoteForMessage(f.name + suffix))")
        }
    }

    private func checkUnitAllowed() throws(ExpositionError) {
        guard let f = family, let unit = f.unit, !unit.isEmpty, let type = f.type else { return }
        if type == .info || type == .stateSet {
            throw ExpositionError(line: line, column: 1, reason: .invalidUnit(family: f.name, unit: unit, why: "\(type.rawValue) metrics cannot have a unit"))
        }
    }

    private mutating func closeFamily() throws(ExpositionError) {
        guard let f = family else { return }
        try finishPoint()
        try checkReservedNames(f)
        reserved.insert(f.name)
        for suffix in f.effectiveType.openMetricsSuffixes { reserved.insert(f.name + suffix) }
        family = nil
    }

    // MARK: Samples

    private mutating func checkSample(_ sample: ExpositionSample) throws(ExpositionError) {
        let name = sample.name
        if family?.suffix(of: name) == nil {
            try openFamily(name)
        }
        guard var f = family, let suffix = f.suffix(of: name) else { return }
        f.hasSamples = true
        let type = f.effectiveType

        // Contiguity: a label set's samples stand together within the family.
        let groupKey = sample.labels.removing([LabelName.metricName, LabelName.bucket, LabelName.quantile])
        if f.group != groupKey {
            if let old = f.group { f.closedGroups.insert(old) }
            if f.closedGroups.contains(groupKey) {
                throw fail("samples of \(seriesText(name, groupKey)) are not contiguous: they must not be interleaved with other label sets")
            }
            family = f
            try finishPoint()
            f = family ?? f
            f.group = groupKey
        }

        // Timestamps: all present or all absent per series, and never going back.
        if let previous = f.lastTimestamps[sample.labels] {
            switch (previous, sample.timestamp) {
            case (nil, nil):
                throw fail("duplicate sample for series \(seriesText(name, sample.labels.droppingMetricName))")
            case (nil, _), (_, nil):
                throw fail("series \(seriesText(name, sample.labels.droppingMetricName)) mixes samples with and without timestamps")
            case let (p?, t?) where t < p:
                throw fail("timestamps of series \(seriesText(name, sample.labels.droppingMetricName)) go backwards")
            default:
                break
            }
        }
        f.lastTimestamps[sample.labels] = sample.timestamp
        family = f

        if sample.exemplar != nil {
            let allowed = (type == .counter && suffix == "_total")
                || ((type == .histogram || type == .gaugeHistogram) && suffix == "_bucket")
            if !allowed {
                throw fail("exemplars are only allowed on counter _total and histogram _bucket samples, not on \(quoteForMessage(name)) of type \(type.rawValue)")
            }
        }

        let v = sample.value
        switch type {
        case .counter:
            if suffix == "_total" { try requireCounterValue(v, name) }
        case .gauge, .unknown:
            break
        case .info:
            if v != 1 { throw fail("info metric \(quoteForMessage(name)) must have the value 1, not \(GoFloat.format(v))") }
        case .stateSet:
            guard sample.labels.contains(name: f.name) else {
                throw fail("stateset sample \(quoteForMessage(name)) must have a label named \(quoteForMessage(f.name))")
            }
            if v != 0 && v != 1 { throw fail("stateset \(quoteForMessage(name)) must have the value 0 or 1, not \(GoFloat.format(v))") }
        case .summary:
            switch suffix {
            case "":
                guard let text = sample.labels[LabelName.quantile] else {
                    throw fail("summary quantile sample \(quoteForMessage(name)) needs a \"quantile\" label")
                }
                guard let q = canonicalFloat(text), q >= 0, q <= 1 else {
                    throw fail("invalid quantile \(quoteForMessage(text)) on \(quoteForMessage(name)): expected a float from 0 to 1")
                }
                if !v.isNaN && v < 0 { throw fail("summary quantile \(quoteForMessage(name)) must not be negative") }
            case "_sum", "_count":
                try requireCounterValue(v, name)
            default:
                break
            }
        case .histogram, .gaugeHistogram:
            try checkHistogramSample(sample, suffix: suffix, type: type)
        }
    }

    /// `name{labels}`, or just `name` when there are no other labels.
    private func seriesText(_ name: String, _ labels: Labels) -> String {
        let rest = labels.droppingMetricName
        return rest.isEmpty ? name : name + rest.description
    }

    private func requireCounterValue(_ v: Double, _ name: String) throws(ExpositionError) {
        if v.isNaN { throw fail("\(quoteForMessage(name)) is a counter value and must not be NaN") }
        if v < 0 { throw fail("\(quoteForMessage(name)) is a counter value and must not be negative") }
    }

    /// A float label value (`le`, `quantile`); infinities only as `+Inf`/`-Inf`.
    private func canonicalFloat(_ text: String) -> Double? {
        guard let v = GoFloat.parse(text), !v.isNaN else { return nil }
        if v.isInfinite && text != "+Inf" && text != "-Inf" { return nil }
        return v
    }

    private mutating func checkHistogramSample(_ sample: ExpositionSample, suffix: String, type: MetricType) throws(ExpositionError) {
        guard var f = family else { return }
        let name = sample.name
        let v = sample.value
        if f.point.started, f.point.timestamp != sample.timestamp {
            try finishPoint()
            f = family ?? f
        }
        if !f.point.started {
            f.point = PointState()
            f.point.started = true
            f.point.timestamp = sample.timestamp
            f.point.firstLine = line
        }
        switch suffix {
        case "_bucket":
            guard let text = sample.labels[LabelName.bucket] else {
                throw fail("histogram bucket \(quoteForMessage(name)) needs an \"le\" label")
            }
            guard let bound = canonicalFloat(text) else {
                throw fail("invalid le \(quoteForMessage(text)) on \(quoteForMessage(name)): expected a float, with +Inf spelt \"+Inf\"")
            }
            try requireCounterValue(v, name)
            if let last = f.point.lastBound, bound <= last {
                throw fail("histogram buckets of \(quoteForMessage(f.name)) must be in increasing order of le")
            }
            if v < f.point.lastBucketValue {
                throw fail("histogram bucket counts of \(quoteForMessage(f.name)) must not decrease as le grows")
            }
            if bound < 0 { f.point.hasNegativeBucket = true }
            if bound == .infinity { f.point.infinityBucket = v }
            f.point.lastBound = bound
            f.point.lastBucketValue = v
        case "_count", "_gcount":
            if suffix == "_count" && type != .histogram || suffix == "_gcount" && type != .gaugeHistogram { break }
            try requireCounterValue(v, name)
            f.point.count = v
        case "_sum":
            guard type == .histogram else { break }
            try requireCounterValue(v, name)
            f.point.hasSum = true
        case "_gsum":
            if v.isNaN { throw fail("\(quoteForMessage(name)) must not be NaN") }
            f.point.hasSum = true
            if v < 0 { f.point.negativeGSum = true }
        default:
            break
        }
        family = f
    }

    /// Checks the structure of the histogram point just completed.
    private mutating func finishPoint() throws(ExpositionError) {
        guard var f = family, f.point.started else { return }
        let p = f.point
        f.point = PointState()
        family = f
        let type = f.effectiveType
        guard type == .histogram || type == .gaugeHistogram else { return }
        let which = (type == .histogram ? "histogram " : "gauge histogram ") + quoteForMessage(f.name)
        guard let inf = p.infinityBucket else {
            throw fail("\(which) has no +Inf bucket (point starting on line \(p.firstLine))")
        }
        let countName = type == .histogram ? "_count" : "_gcount"
        let sumName = type == .histogram ? "_sum" : "_gsum"
        if let count = p.count, count != inf {
            throw fail("\(which): \(countName) is \(GoFloat.format(count)) but the +Inf bucket is \(GoFloat.format(inf)); they must be equal")
        }
        if (p.count != nil) != p.hasSum {
            throw fail("\(which): \(countName) and \(sumName) must both be present or both absent")
        }
        if type == .histogram && p.hasNegativeBucket && p.hasSum {
            throw fail("\(which) has negative buckets, so it must not have _sum")
        }
        if type == .gaugeHistogram && p.negativeGSum && !p.hasNegativeBucket {
            throw fail("\(which) has a negative _gsum but no negative buckets")
        }
    }
}
