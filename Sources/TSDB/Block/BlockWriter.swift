import Foundation
import Model

/// Collects samples per series, cuts them into chunks as Prometheus's head does, and
/// writes one block: `<ULID>.tmp-for-creation/` is filled and fsynced, then renamed.
public struct BlockWriter {
    /// A series being built: finished chunks and the open one.
    struct SeriesState {
        var chunks: [(meta: ChunkMeta, chunk: XORChunk)] = []
        var appender = XORAppender()
        var minTime: Timestamp = 0
        var maxTime: Timestamp = 0
        var lastValue: Double = 0
        var cutter: ChunkCutter

        mutating func closeChunk() {
            guard appender.count > 0 else { return }
            chunks.append((ChunkMeta(ref: 0, minTime: minTime, maxTime: maxTime), appender.chunk))
            appender = XORAppender()
        }
    }

    /// Why a sample was refused.
    public enum AppendError: Error, Sendable, Hashable, CustomStringConvertible {
        case outOfOrder(series: Labels, timestamp: Timestamp, last: Timestamp)
        case duplicateTimestamp(series: Labels, timestamp: Timestamp)

        public var description: String {
            switch self {
            case let .outOfOrder(series, t, last): return "out of order sample for \(series) at \(t) (last sample at \(last))"
            case let .duplicateTimestamp(series, t): return "duplicate sample for timestamp \(t) with a different value for \(series)"
            }
        }
    }

    private var series: [Labels: SeriesState] = [:]
    private let chunkRange: Int64
    public private(set) var minTime: Timestamp = .max
    public private(set) var maxTime: Timestamp = .min
    public private(set) var sampleCount = 0

    /// `chunkRange` is the range chunks must not cross (the block duration for backfills).
    public init(chunkRange: Int64) { self.chunkRange = chunkRange }

    public var isEmpty: Bool { sampleCount == 0 }

    /// Appends a sample. Samples of a series must come in time order; a repeated
    /// timestamp with the same value is ignored, with another value it is an error.
    public mutating func append(_ labels: Labels, _ t: Timestamp, _ v: Double) throws(AppendError) {
        var state = series.removeValue(forKey: labels) ?? SeriesState(cutter: ChunkCutter(chunkRange: chunkRange))
        defer { series[labels] = state }
        let count = state.appender.count
        if count > 0 || !state.chunks.isEmpty {
            let last = state.maxTime
            if t < last { throw .outOfOrder(series: labels, timestamp: t, last: last) }
            if t == last {
                // Prometheus ignores an exact repeat and rejects a different value.
                if v.bitPattern == state.lastValue.bitPattern { return }
                throw .duplicateTimestamp(series: labels, timestamp: t)
            }
        }
        if state.cutter.shouldCut(at: t, chunkMinTime: state.minTime, chunkMaxTime: state.maxTime,
                                  count: count, bytes: state.appender.byteCount) {
            state.closeChunk()
        }
        if state.appender.count == 0 { state.minTime = t }
        state.appender.append(t, v)
        state.maxTime = t
        state.lastValue = v
        minTime = min(minTime, t)
        maxTime = max(maxTime, t)
        sampleCount += 1
    }

    /// Appends every sample of the series `querier` selects with `matchers` (every series
    /// when none are given), in the querier's order.
    public mutating func append(contentsOf querier: any Querier, matching matchers: [LabelMatcher] = []) throws {
        let selection = matchers.isEmpty ? [try LabelMatcher(.regexMatch, LabelName.metricName, ".*")] : matchers
        var set = try querier.select(selection, hints: nil)
        while let series = try set.next() {
            let labels = series.labels
            var iterator = series.makeIterator()
            while let sample = try iterator.next() { try append(labels, sample.timestamp, sample.value) }
        }
    }

    /// Writes the block into `directory` and returns its metadata. `range` overrides the
    /// block's [minTime, maxTime) (compactions keep their inputs' range); `compaction`
    /// the level-1 history of a freshly cut block.
    public mutating func write(
        into directory: String, ulid: ULID, range: (Timestamp, Timestamp)? = nil,
        compaction: BlockMeta.Compaction? = nil
    ) throws(TSDBError) -> BlockMeta {
        let name = ulid.description
        let temporary = directory + "/" + name + ".tmp-for-creation"
        let final = directory + "/" + name
        try FileIO.createDirectory(temporary + "/chunks")

        var writer = ChunkWriter(directory: temporary + "/chunks")
        var entries: [IndexWriter.SeriesEntry] = []
        var chunkCount = 0
        for labels in series.keys.sorted() {
            guard var state = series[labels] else { continue }
            state.closeChunk()
            var metas: [ChunkMeta] = []
            for (meta, chunk) in state.chunks {
                let ref = try writer.write(encoding: ChunkEncoding.xor.rawValue, data: chunk.bytes)
                metas.append(ChunkMeta(ref: ref, minTime: meta.minTime, maxTime: meta.maxTime))
            }
            chunkCount += metas.count
            entries.append(IndexWriter.SeriesEntry(labels: labels, chunks: metas))
        }
        try writer.flush()
        try FileIO.write(IndexWriter.build(entries), to: temporary + "/index")
        try FileIO.write(Tombstones.emptyFile, to: temporary + "/tombstones")

        let meta = BlockMeta(
            ulid: name, minTime: range?.0 ?? minTime, maxTime: range?.1 ?? maxTime + 1,
            stats: .init(numSamples: UInt64(sampleCount), numFloatSamples: nil, numHistogramSamples: nil,
                         numSeries: UInt64(entries.count), numChunks: UInt64(chunkCount), numTombstones: nil),
            compaction: compaction ?? .init(level: 1, sources: [name], parents: nil, deletable: nil, failed: nil, hints: nil),
            version: 1)
        try FileIO.write(try meta.encoded(), to: temporary + "/meta.json")
        try FileIO.syncDirectory(temporary)
        guard rename(temporary, final) == 0 else {
            throw .io(path: final, reason: "cannot move the finished block into place: \(String(cString: strerror(errno)))")
        }
        try FileIO.syncDirectory(directory)
        return meta
    }
}

extension BlockMeta {
    /// The JSON Prometheus writes (indented, fields in its order).
    func encoded() throws(TSDBError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return Array(try encoder.encode(self))
        } catch {
            throw .invalidMeta(file: "meta.json", reason: "cannot encode: \(error)")
        }
    }
}

extension Tombstones {
    /// A tombstones file with no entries: magic, version 1, and the checksum of nothing.
    static let emptyFile: [UInt8] = [0x01, 0x30, 0xBA, 0x30, 0x01, 0x00, 0x00, 0x00, 0x00]
}
