import Foundation
import Model

/// Keeps the decoded samples of recently selected series in memory over a window ahead
/// of the reads, for readers that query read-only data at many consecutive times (rule
/// replay): each step's selection is served from memory instead of index lookups and
/// chunk decoding from the start of every chunk.
///
/// Only for data that does not change while it is read.
public final class WindowCache: Queryable, @unchecked Sendable {
    public let base: any Queryable
    /// How far past the requested range a load reads (ms).
    public let lookahead: Int64
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var loaded = 0

    /// Samples decoded from the base so far (each once per load), for progress reports.
    public var loadedSamples: Int { lock.withLock { loaded } }

    struct Entry {
        var mint: Int64
        var maxt: Int64
        var series: [(labels: Labels, samples: [Sample])]
    }

    public init(base: any Queryable, lookahead: Int64 = 2 * 3_600_000) {
        self.base = base
        self.lookahead = lookahead
    }

    public func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier {
        CachedQuerier(cache: self, mint: mint, maxt: maxt)
    }

    /// The series `matchers` select, with their samples from `mint` to at least `maxt`.
    func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) throws -> [(labels: Labels, samples: [Sample])] {
        let key = matchers.map(\.description).joined(separator: "\u{0}")
        if let entry = lock.withLock({ entries[key] }), entry.mint <= mint, entry.maxt >= maxt {
            return entry.series
        }
        let loadMax = maxt > Int64.max - lookahead ? Int64.max : maxt + lookahead
        let querier = try base.querier(mint: mint, maxt: loadMax)
        var set = try querier.select(matchers, hints: SelectHints(start: mint, end: loadMax))
        var series: [(labels: Labels, samples: [Sample])] = []
        // Decoded in batches (block chunks decode a run at a time), not sample by sample.
        let scratch = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 1024)
        defer { scratch.deallocate() }
        while let s = try set.next() {
            var iterator = s.makeIterator()
            var samples: [Sample] = []
            if let first = try iterator.seek(to: mint), first.timestamp <= loadMax {
                samples.append(first)
                reading: while true {
                    let n = try iterator.next(into: scratch)
                    if n == 0 { break }
                    for i in 0..<n {
                        if scratch[i].timestamp > loadMax { break reading }
                        samples.append(scratch[i])
                    }
                }
            }
            series.append((s.labels, samples))
        }
        let count = series.reduce(0) { $0 + $1.samples.count }
        lock.withLock {
            loaded += count
            // Bounded: a replay selects the same few hundred expressions again and again.
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = Entry(mint: mint, maxt: loadMax, series: series)
        }
        return series
    }
}

struct CachedQuerier: Querier {
    let cache: WindowCache
    let mint: Int64
    let maxt: Int64

    func select(_ matchers: [LabelMatcher], hints: SelectHints?) throws -> any SeriesSet {
        var out: [any Series] = []
        for (labels, samples) in try cache.select(matchers, mint: mint, maxt: maxt) {
            let from = firstIndex(in: samples) { $0.timestamp >= mint }
            let to = firstIndex(in: samples) { $0.timestamp > maxt }
            if from < to { out.append(SliceSeries(labels: labels, samples: samples[from..<to])) }
        }
        return ArraySeriesSet(out)
    }

    func labelNames(matching matchers: [LabelMatcher]) throws -> [String] {
        try cache.base.querier(mint: mint, maxt: maxt).labelNames(matching: matchers)
    }

    func labelValues(_ name: String, matching matchers: [LabelMatcher]) throws -> [String] {
        try cache.base.querier(mint: mint, maxt: maxt).labelValues(name, matching: matchers)
    }

    /// The first index whose sample satisfies `predicate` (which must be monotone).
    private func firstIndex(in samples: [Sample], where predicate: (Sample) -> Bool) -> Int {
        var low = 0, high = samples.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(samples[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

/// A series served from memory.
struct SliceSeries: Series {
    let labels: Labels
    let samples: ArraySlice<Sample>

    func makeIterator() -> any SampleIterator { SliceIterator(samples: samples, position: samples.startIndex) }

    var timeRange: ClosedRange<Timestamp>? {
        guard let first = samples.first, let last = samples.last else { return nil }
        return first.timestamp...last.timestamp
    }
}

/// Iterates an array slice with the ``SampleIterator`` contract: after `seek(to:)` returns a
/// sample, `next()` returns the one after it, and seeking to an earlier time returns the
/// current sample again.
struct SliceIterator: SampleIterator {
    let samples: ArraySlice<Sample>
    /// The index `next()` returns; the current sample is the one before it.
    var position: Int

    mutating func next() throws -> Sample? {
        guard position < samples.endIndex else { return nil }
        defer { position += 1 }
        return samples[position]
    }

    mutating func seek(to t: Timestamp) throws -> Sample? {
        if position > samples.startIndex, samples[position - 1].timestamp >= t { return samples[position - 1] }
        while position < samples.endIndex, samples[position].timestamp < t { position += 1 }
        guard position < samples.endIndex else { return nil }
        position += 1
        return samples[position - 1]
    }

    mutating func next(into buffer: UnsafeMutableBufferPointer<Sample>) throws -> Int {
        let n = min(buffer.count, samples.endIndex - position)
        for i in 0..<n { buffer[i] = samples[position + i] }
        position += n
        return n
    }
}
