import Foundation
import Model

/// A persisted block: a folder with `meta.json`, `index`, `chunks/` and `tombstones`,
/// opened read-only. Nothing in the folder is ever modified by reading it.
public final class Block: Queryable {
    public let directory: String
    public let meta: BlockMeta
    public let index: IndexReader
    public let chunks: ChunkReader
    public let tombstones: Tombstones

    public init(directory: String) throws(TSDBError) {
        self.directory = directory
        meta = try BlockMeta.read(directory: directory)
        index = try IndexReader(path: directory + "/index")
        chunks = try ChunkReader(directory: directory + "/chunks")
        tombstones = try Tombstones(path: directory + "/tombstones")
    }

    public func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier {
        BlockQuerier(block: self, mint: mint, maxt: maxt)
    }
}

/// Selects series of one block within [mint, maxt].
struct BlockQuerier: Querier {
    let block: Block
    let mint: Timestamp
    let maxt: Timestamp

    func select(_ matchers: [LabelMatcher], hints: SelectHints?) throws -> any SeriesSet {
        let refs = try PostingsForMatchers.resolve(matchers, in: block.index)
        let start = max(mint, hints?.start ?? mint), end = min(maxt, hints?.end ?? maxt)
        var series: [any Series] = []
        for ref in refs {
            let (labels, metas) = try block.index.series(ref)
            let overlapping = metas.filter { $0.maxTime >= start && $0.minTime <= end }
            guard !overlapping.isEmpty else { continue }
            series.append(BlockSeries(labels: labels, ref: ref, chunks: overlapping, block: block, mint: start, maxt: end))
        }
        return ArraySeriesSet(series)
    }

    func labelNames(matching matchers: [LabelMatcher]) throws -> [String] {
        guard !matchers.isEmpty else { return block.index.labelNames }
        return try PostingsForMatchers.labelNames(matching: matchers, in: block.index) { try block.index.series($0).labels }
    }

    func labelValues(_ name: String, matching matchers: [LabelMatcher]) throws -> [String] {
        guard !matchers.isEmpty else { return block.index.labelValues(name) }
        return try PostingsForMatchers.labelValues(name, matching: matchers, in: block.index) { try block.index.series($0).labels }
    }
}

/// A series of a block: its chunks in the queried range, decoded on demand.
struct BlockSeries: Series {
    let labels: Labels
    let ref: UInt64
    let chunks: [ChunkMeta]
    let block: Block
    let mint: Timestamp
    let maxt: Timestamp

    func makeIterator() -> any SampleIterator {
        BlockSeriesIterator(series: self)
    }

    var timeRange: ClosedRange<Timestamp>? {
        max(mint, chunks.first?.minTime ?? mint)...min(maxt, chunks.last?.maxTime ?? maxt)
    }
}

/// Walks a block series' chunks in order, keeping samples in [mint, maxt] that no
/// tombstone deletes.
struct BlockSeriesIterator: SampleIterator {
    let series: BlockSeries
    private var chunkIndex = 0
    private var current: XORIterator?
    private let hasTombstones: Bool
    private var last: Sample?

    init(series: BlockSeries) {
        self.series = series
        hasTombstones = series.block.tombstones.intervals[series.ref] != nil
    }

    mutating func next() throws -> Sample? {
        last = try advance()
        return last
    }

    private mutating func advance() throws -> Sample? {
        while true {
            if current == nil {
                guard chunkIndex < series.chunks.count else { return nil }
                current = try openChunk(series.chunks[chunkIndex])
                chunkIndex += 1
            }
            guard let sample = try current?.next() else {
                current = nil
                continue
            }
            if sample.timestamp < series.mint { continue }
            if sample.timestamp > series.maxt {
                current = nil
                chunkIndex = series.chunks.count
                return nil
            }
            if hasTombstones && series.block.tombstones.isDeleted(series.ref, at: sample.timestamp) { continue }
            return sample
        }
    }

    /// Decodes runs of samples straight from the chunks: the per-sample work is the XOR
    /// decoding and the range checks, with no dynamic dispatch.
    mutating func next(into buffer: UnsafeMutableBufferPointer<Sample>) throws -> Int {
        var count = 0
        let limit = buffer.count
        let mint = series.mint, maxt = series.maxt
        while count < limit {
            if current == nil {
                guard chunkIndex < series.chunks.count else { break }
                current = try openChunk(series.chunks[chunkIndex])
                chunkIndex += 1
            }
            // Decode in place (`current!` is mutated where it lives; no copy of the iterator).
            let n = try current!.next(into: UnsafeMutableBufferPointer(rebasing: buffer[count..<limit]))
            if n == 0 {
                current = nil
                continue
            }
            let first = buffer[count], final = buffer[count + n - 1]
            if first.timestamp >= mint && final.timestamp <= maxt && !hasTombstones {
                count += n  // the usual case: the whole run is wanted
                continue
            }
            // Keep the samples in range and not deleted, in place.
            var kept = count
            for i in count..<(count + n) {
                let sample = buffer[i]
                if sample.timestamp < mint { continue }
                if sample.timestamp > maxt {
                    current = nil
                    chunkIndex = series.chunks.count
                    break
                }
                if hasTombstones && series.block.tombstones.isDeleted(series.ref, at: sample.timestamp) { continue }
                buffer[kept] = sample
                kept += 1
            }
            count = kept
        }
        if count > 0 { last = buffer[count - 1] }
        return count
    }

    mutating func seek(to t: Timestamp) throws -> Sample? {
        if let last, last.timestamp >= t { return last }
        // Skip whole chunks that end before t.
        if current == nil {
            while chunkIndex < series.chunks.count, series.chunks[chunkIndex].maxTime < t { chunkIndex += 1 }
        }
        while let sample = try next() {
            if sample.timestamp >= t { return sample }
        }
        return nil
    }

    private func openChunk(_ meta: ChunkMeta) throws -> XORIterator {
        let (encoding, data) = try series.block.chunks.chunk(meta.ref)
        guard encoding == ChunkEncoding.xor.rawValue else {
            throw TSDBError.corrupt(file: series.block.directory + "/chunks", offset: Int(meta.ref & 0xFFFF_FFFF),
                                   reason: "chunk encoding \(encoding) is not supported yet (only XOR float chunks)")
        }
        return try XORChunk(bytes: data).makeIterator()
    }
}

/// An index that answers postings lookups: a block's index or the head's.
public protocol PostingsSource {
    /// The series references having `name="value"`, ascending.
    func postings(_ name: String, _ value: String) throws -> [UInt64]
    /// The merged postings of every value of `name` that satisfies `include`.
    func postings(_ name: String, where include: (String) -> Bool) throws -> [UInt64]
    /// Every series reference, ascending.
    func allPostings() throws -> [UInt64]
}

/// Prometheus's rules for turning label matchers into a postings list.
///
/// A matcher that matches the empty string also selects series that lack the label (a
/// missing label reads as ""): it becomes "all series minus those whose value does not
/// match". Other matchers select the union of the postings of the values they match.
enum PostingsForMatchers {
    static func resolve(_ matchers: [LabelMatcher], in index: some PostingsSource) throws -> [UInt64] {
        var result: [UInt64]?
        var subtract: [[UInt64]] = []
        for matcher in matchers {
            if matcher.matchesEmpty {
                // Anything matches when no value fails the matcher.
                let failing = try index.postings(matcher.name) { !matcher.matches($0) }
                if !failing.isEmpty { subtract.append(failing) }
                continue
            }
            let matching: [UInt64]
            if let values = matcher.setMatches, matcher.type == .equal || matcher.type == .regexMatch {
                matching = Postings.union(try values.map { value throws in try index.postings(matcher.name, value) })
            } else {
                matching = try index.postings(matcher.name) { matcher.matches($0) }
            }
            result = result.map { Postings.intersect($0, matching) } ?? matching
            if result?.isEmpty == true { return [] }
        }
        var refs = try result ?? index.allPostings()
        for list in subtract { refs = Postings.subtract(refs, list) }
        return refs
    }

    /// The sorted label names of the series matching `matchers`; `labels` reads a series.
    static func labelNames(
        matching matchers: [LabelMatcher], in index: some PostingsSource, labels: (UInt64) throws -> Labels?
    ) throws -> [String] {
        var names = Set<String>()
        for ref in try resolve(matchers, in: index) {
            if let l = try labels(ref) { names.formUnion(l.names) }
        }
        return names.sorted { ByteOrder.less($0, $1) }
    }

    /// The sorted values of label `name` on the series matching `matchers`.
    static func labelValues(
        _ name: String, matching matchers: [LabelMatcher], in index: some PostingsSource, labels: (UInt64) throws -> Labels?
    ) throws -> [String] {
        var values = Set<String>()
        for ref in try resolve(matchers, in: index) {
            if let value = try labels(ref)?[name] { values.insert(value) }
        }
        return values.sorted { ByteOrder.less($0, $1) }
    }
}
