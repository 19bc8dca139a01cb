import Model

// The seams between storage and its readers (PromQL, rules, replay, the HTTP API), in the
// shape of Prometheus's `storage` package: small protocols that compose. Readers see
// storage only through these.

/// Iterates the samples of one series in time order.
///
/// `next()` returns the next sample, or nil at the end. `seek(to:)` advances to the first
/// sample at or after `t` and returns it (nil when there is none); it never moves
/// backwards, so seeking to a time before the current sample returns the current sample.
public protocol SampleIterator {
    mutating func next() throws -> Sample?
    mutating func seek(to t: Timestamp) throws -> Sample?
    /// Fills `buffer` from its start with the next samples and returns how many were
    /// written; 0 at the end. Readers of many samples use this: one call decodes a run of
    /// samples in a tight loop, into memory the caller reuses.
    mutating func next(into buffer: UnsafeMutableBufferPointer<Sample>) throws -> Int
}

extension SampleIterator {
    public mutating func next(into buffer: UnsafeMutableBufferPointer<Sample>) throws -> Int {
        var count = 0
        while count < buffer.count, let sample = try next() {
            buffer[count] = sample
            count += 1
        }
        return count
    }

    /// Appends up to `limit` next samples to `array` and returns how many; 0 at the end.
    public mutating func next(appendingTo array: inout [Sample], limit: Int) throws -> Int {
        let start = array.count
        array.append(contentsOf: repeatElement(Sample(timestamp: 0, value: 0), count: limit))
        let n = try array.withUnsafeMutableBufferPointer { all in
            try next(into: UnsafeMutableBufferPointer(rebasing: all[start...]))
        }
        array.removeLast(limit - n)
        return n
    }
}

/// A series: its labels and a way to read its samples.
public protocol Series {
    var labels: Labels { get }
    func makeIterator() -> any SampleIterator
    /// The time range of the samples, when known without reading them; lets a merge of
    /// parts that do not overlap read them one after the other.
    var timeRange: ClosedRange<Timestamp>? { get }
}

extension Series {
    public var timeRange: ClosedRange<Timestamp>? { nil }
}

/// A set of series in label order, read once.
public protocol SeriesSet {
    mutating func next() throws -> (any Series)?
}

/// Hints a querier may use to read less: the time range and the step of the query.
public struct SelectHints: Sendable, Hashable {
    public var start: Timestamp
    public var end: Timestamp
    public var step: Int64

    public init(start: Timestamp, end: Timestamp, step: Int64 = 0) {
        self.start = start
        self.end = end
        self.step = step
    }
}

/// Selects series by label matchers within the time range it was opened for.
public protocol Querier {
    /// The series matching all `matchers`, sorted by labels.
    func select(_ matchers: [LabelMatcher], hints: SelectHints?) throws -> any SeriesSet
    /// The label names of the series matching `matchers` (all series when empty), sorted.
    func labelNames(matching matchers: [LabelMatcher]) throws -> [String]
    /// The values of label `name` on the series matching `matchers`, sorted.
    func labelValues(_ name: String, matching matchers: [LabelMatcher]) throws -> [String]
}

/// Something that can open queriers over a time range: the head, a block, a DB.
public protocol Queryable: Sendable {
    func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier
}

/// A series set from an array, for results assembled in memory.
public struct ArraySeriesSet: SeriesSet {
    private var series: [any Series]
    private var index = 0

    public init(_ series: [any Series]) { self.series = series }

    public mutating func next() throws -> (any Series)? {
        guard index < series.count else { return nil }
        defer { index += 1 }
        return series[index]
    }
}

/// The empty series set.
public struct EmptySeriesSet: SeriesSet {
    public init() {}
    public mutating func next() throws -> (any Series)? { nil }
}
