import Model

/// Queries several queriers (blocks, head) as one: series with the same labels are
/// merged into one series whose samples are interleaved by time, with duplicate
/// timestamps kept once (the first querier's sample wins).
public struct MergeQuerier: Querier {
    let queriers: [any Querier]

    public init(_ queriers: [any Querier]) { self.queriers = queriers }

    public func select(_ matchers: [LabelMatcher], hints: SelectHints?) throws -> any SeriesSet {
        if queriers.count == 1 { return try queriers[0].select(matchers, hints: hints) }
        return MergeSeriesSet(try queriers.map { try $0.select(matchers, hints: hints) })
    }

    public func labelNames(matching matchers: [LabelMatcher]) throws -> [String] {
        var names = Set<String>()
        for querier in queriers { names.formUnion(try querier.labelNames(matching: matchers)) }
        return names.sorted { ByteOrder.less($0, $1) }
    }

    public func labelValues(_ name: String, matching matchers: [LabelMatcher]) throws -> [String] {
        var values = Set<String>()
        for querier in queriers { values.formUnion(try querier.labelValues(name, matching: matchers)) }
        return values.sorted { ByteOrder.less($0, $1) }
    }
}

/// Merges series sets that are each sorted by labels into one sorted set, reading them
/// in step (a k-way merge): series with the same labels become one series.
struct MergeSeriesSet: SeriesSet {
    private var sets: [any SeriesSet]
    /// Each set's next series and its labels (read once).
    private var heads: [(series: any Series, labels: Labels)?]
    private var started = false

    init(_ sets: [any SeriesSet]) {
        self.sets = sets
        heads = Array(repeating: nil, count: sets.count)
    }

    private mutating func advance(_ i: Int) throws {
        heads[i] = try sets[i].next().map { ($0, $0.labels) }
    }

    mutating func next() throws -> (any Series)? {
        if !started {
            started = true
            for i in sets.indices { try advance(i) }
        }
        var smallest: Labels?
        for head in heads {
            guard let head else { continue }
            if smallest == nil || head.labels < smallest! { smallest = head.labels }
        }
        guard let labels = smallest else { return nil }
        var parts: [any Series] = []
        for i in heads.indices {
            guard let head = heads[i], head.labels == labels else { continue }
            parts.append(head.series)
            try advance(i)
        }
        if parts.count == 1 { return parts[0] }
        return ChainedSeries(labels: labels, parts: parts) ?? MergedSeries(labels: labels, parts: parts)
    }
}

/// One series stored in parts whose time ranges do not overlap (the usual case: one part
/// per block), read one part after the other.
struct ChainedSeries: Series {
    let labels: Labels
    let parts: [any Series]

    /// Nil when a part's range is unknown or two parts overlap.
    init?(labels: Labels, parts: [any Series]) {
        // Parts usually arrive in time order (blocks are sorted): check that in one pass.
        var previousEnd = Int64.min
        var inOrder = true
        var ranges: [ClosedRange<Timestamp>] = []
        ranges.reserveCapacity(parts.count)
        for part in parts {
            guard let range = part.timeRange else { return nil }
            if range.lowerBound <= previousEnd { inOrder = false }
            previousEnd = max(previousEnd, range.upperBound)
            ranges.append(range)
        }
        self.labels = labels
        if inOrder {
            self.parts = parts
            return
        }
        let order = ranges.indices.sorted { ranges[$0].lowerBound < ranges[$1].lowerBound }
        for (a, b) in zip(order, order.dropFirst()) where ranges[b].lowerBound <= ranges[a].upperBound {
            return nil
        }
        self.parts = order.map { parts[$0] }
    }

    func makeIterator() -> any SampleIterator {
        ChainedSampleIterator(parts: parts)
    }
}

/// Reads each part's iterator to its end in turn.
struct ChainedSampleIterator: SampleIterator {
    let parts: [any Series]
    private var index = 0
    private var current: (any SampleIterator)?
    private var last: Sample?

    init(parts: [any Series]) { self.parts = parts }

    /// The current part's iterator, opening the next part when needed; nil at the end.
    private mutating func advancePart() -> Bool {
        if current != nil { return true }
        guard index < parts.count else { return false }
        current = parts[index].makeIterator()
        index += 1
        return true
    }

    mutating func next() throws -> Sample? {
        while advancePart() {
            if let sample = try current?.next() {
                last = sample
                return sample
            }
            current = nil
        }
        last = nil
        return nil
    }

    mutating func seek(to t: Timestamp) throws -> Sample? {
        if let last, last.timestamp >= t { return last }
        while advancePart() {
            if let sample = try current?.seek(to: t) {
                last = sample
                return sample
            }
            current = nil
        }
        last = nil
        return nil
    }

    mutating func next(into buffer: UnsafeMutableBufferPointer<Sample>) throws -> Int {
        while advancePart() {
            let n = try current?.next(into: buffer) ?? 0
            if n > 0 {
                last = buffer[n - 1]
                return n
            }
            current = nil
        }
        return 0
    }
}

/// One series stored in several places.
struct MergedSeries: Series {
    let labels: Labels
    let parts: [any Series]

    func makeIterator() -> any SampleIterator {
        MergedSampleIterator(parts.map { $0.makeIterator() })
    }
}

/// Merges sample iterators by timestamp; equal timestamps yield the first iterator's sample.
struct MergedSampleIterator: SampleIterator {
    private var iterators: [any SampleIterator]
    /// Each iterator's next unconsumed sample (its current one).
    private var heads: [Sample?]
    private var started = false
    private var last: Sample?

    init(_ iterators: [any SampleIterator]) {
        self.iterators = iterators
        heads = Array(repeating: nil, count: iterators.count)
    }

    mutating func next() throws -> Sample? {
        if !started {
            started = true
            for i in iterators.indices { heads[i] = try iterators[i].next() }
        }
        var best: Sample?
        for head in heads {
            guard let head else { continue }
            if best == nil || head.timestamp < best!.timestamp { best = head }
        }
        guard let sample = best else {
            last = nil
            return nil
        }
        for i in heads.indices where heads[i]?.timestamp == sample.timestamp {
            heads[i] = try iterators[i].next()
        }
        last = sample
        return sample
    }

    mutating func seek(to t: Timestamp) throws -> Sample? {
        if let last, last.timestamp >= t { return last }
        if !started {
            started = true
            for i in iterators.indices { heads[i] = try iterators[i].seek(to: t) }
        } else {
            for i in heads.indices where (heads[i]?.timestamp ?? .max) < t {
                heads[i] = try iterators[i].seek(to: t)
            }
        }
        return try next()
    }
}
