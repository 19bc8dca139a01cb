import Foundation
import Model
import TSDB

/// What part of a data directory a snapshot takes: a time range and series selectors.
public struct SnapshotSelection: Sendable, Hashable {
    /// Inclusive bounds in milliseconds (nil: unbounded).
    public var from: Int64?
    public var to: Int64?
    /// Series selectors; a series is taken when any of them matches (none: every series).
    public var selectors: [[LabelMatcher]]
    /// The selectors as the user wrote them, for the manifest.
    public var selectorTexts: [String]

    public init(from: Int64? = nil, to: Int64? = nil, selectors: [[LabelMatcher]] = [], selectorTexts: [String] = []) {
        self.from = from
        self.to = to
        self.selectors = selectors
        self.selectorTexts = selectorTexts
    }

    var isEverything: Bool { from == nil && to == nil && selectors.isEmpty }
    var lower: Int64 { from ?? .min }
    var upper: Int64 { to ?? .max }

    /// Whether all of [minTime, maxTime) lies inside the range.
    func covers(_ meta: BlockMeta) -> Bool { meta.minTime >= lower && (to == nil || meta.maxTime - 1 <= upper) }
    /// Whether any of [minTime, maxTime) lies inside the range.
    func overlaps(_ meta: BlockMeta) -> Bool { meta.maxTime > lower && meta.minTime <= upper }
}

/// Makes snapshot tarballs of a data directory.
///
/// The snapshot is consistent as of the moment it starts: the blocks are opened first and
/// read through their open files, so a compaction or retention run that deletes them
/// meanwhile changes nothing; the head (the samples of the write-ahead log not yet in a
/// block) is read without touching the log and written out as one more block, as
/// Prometheus's admin snapshot does. Nothing in the data directory is written, so a
/// server running on it is not disturbed.
///
/// Cutting to a range or to selectors rewrites the blocks it affects (tombstones applied);
/// blocks entirely inside the cut are packed byte for byte.
public enum SnapshotCreator {
    public static func create(
        data: String, output: String, selection: SnapshotSelection = SnapshotSelection(),
        compression: SnapshotCompression = .zstd, temporaryDirectory: String = NSTemporaryDirectory(),
        progress: SnapshotProgressHandler? = nil
    ) throws(SnapshotError) -> SnapshotManifest {
        if let from = selection.from, let to = selection.to, from > to {
            throw .invalidRequest("--from (\(from)) is after --to (\(to))")
        }
        let db: ReadOnlyDB
        do { db = try ReadOnlyDB(directory: data) } catch { throw .storage(error) }
        if let broken = db.brokenBlocks.first {
            throw .invalidBlock(block: broken.directory, reason: "cannot be read, so the snapshot would be incomplete: \(broken.error)")
        }
        let work = try SnapshotVerifier.makeStagingFolder(in: temporaryDirectory, name: "hindsight-snapshot")
        defer { try? FileManager.default.removeItem(atPath: work) }

        var sources: [SourceBlock] = []
        for block in db.blocks where selection.overlaps(block.meta) {
            if selection.selectors.isEmpty && selection.covers(block.meta) {
                sources.append(try SourceBlock(directory: block.directory, meta: block.meta))
            } else if let cut = try rewrite(block, selection: selection, into: work) {
                sources.append(cut)
            }
        }
        if let head = db.head, head.minTime != .max {
            let range = (max(head.minTime, selection.lower), min(head.maxTime, selection.upper))
            if range.0 <= range.1, let block = try write(head, range: range, selection: selection, into: work, parent: nil) {
                sources.append(block)
            }
        }
        sources.sort { ($0.meta.minTime, $0.meta.ulid) < ($1.meta.minTime, $1.meta.ulid) }

        let manifest = try makeManifest(sources, data: data, selection: selection, progress: progress)
        try writeArchive(manifest, sources: sources, to: output, compression: compression, progress: progress)
        return manifest
    }

    /// Rewrites the part of `block` the selection takes into `work`; nil when nothing is left.
    private static func rewrite(_ block: Block, selection: SnapshotSelection, into work: String) throws(SnapshotError) -> SourceBlock? {
        let range = (max(block.meta.minTime, selection.lower), min(block.meta.maxTime - 1, selection.upper))
        let parent = BlockMeta.Parent(ulid: block.meta.ulid, minTime: block.meta.minTime, maxTime: block.meta.maxTime)
        return try write(block, range: range, selection: selection, into: work, parent: parent)
    }

    /// Writes the series of `source` that the selection takes, in [range.0, range.1], as one
    /// new block: its own source (it holds only part of `parent`, so it must not claim the
    /// parent's sources, or an import would take the whole parent for present), the block
    /// it was cut from recorded as its parent.
    private static func write(
        _ source: some Queryable, range: (Int64, Int64), selection: SnapshotSelection, into work: String,
        parent: BlockMeta.Parent?
    ) throws(SnapshotError) -> SourceBlock? {
        do {
            let querier = try source.querier(mint: range.0, maxt: range.1)
            var writer = BlockWriter(chunkRange: 2 * 3_600_000)
            if selection.selectors.count <= 1 {
                try writer.append(contentsOf: querier, matching: selection.selectors.first ?? [])
            } else {
                try writer.append(contentsOf: UnionQuerier(base: querier, selectors: selection.selectors))
            }
            guard !writer.isEmpty else { return nil }
            var generator = SystemRandomNumberGenerator()
            let ulid = ULID(time: Int64(Date().timeIntervalSince1970 * 1000), using: &generator)
            let compaction = BlockMeta.Compaction(
                level: 1, sources: [ulid.description], parents: parent.map { [$0] }, deletable: nil, failed: nil, hints: nil)
            let meta = try writer.write(into: work, ulid: ulid, range: (range.0, range.1 + 1), compaction: compaction)
            return try SourceBlock(directory: work + "/" + meta.ulid, meta: meta)
        } catch let error as SnapshotError {
            throw error
        } catch let error as TSDBError {
            throw .storage(error)
        } catch {
            throw .invalidRequest("cannot cut the data to the selection: \(error)")
        }
    }

    /// Hashes every file (both cores at once) and describes the snapshot.
    private static func makeManifest(
        _ sources: [SourceBlock], data: String, selection: SnapshotSelection, progress: SnapshotProgressHandler?
    ) throws(SnapshotError) -> SnapshotManifest {
        let files = sources.flatMap(\.files)
        let total = files.reduce(0) { $0 + $1.size }
        let digests = try FileHasher.sha256(of: files.map { ($0.descriptor, $0.size, $0.entry) }) { done in
            progress?(SnapshotProgress(phase: .hashing, done: done, total: total))
        }
        var digestIndex = 0
        var blocks: [SnapshotManifest.Block] = []
        for source in sources {
            var entries: [SnapshotManifest.File] = []
            for file in source.files {
                entries.append(.init(path: file.entry, size: file.size, sha256: digests[digestIndex]))
                digestIndex += 1
            }
            blocks.append(.init(ulid: source.meta.ulid, minTime: source.meta.minTime, maxTime: source.meta.maxTime,
                                numSeries: source.counts.series, numSamples: source.counts.samples, numChunks: source.counts.chunks,
                                files: entries))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let absolute = URL(fileURLWithPath: data).standardizedFileURL.path
        let cut = selection.isEverything ? nil : SnapshotManifest.Selection(
            from: selection.from, to: selection.to, match: selection.selectorTexts.isEmpty ? nil : selection.selectorTexts)
        return SnapshotManifest(
            formatVersion: SnapshotManifest.currentFormatVersion, createdBy: "hindsight", createdAt: formatter.string(from: Date()),
            source: absolute, minTime: sources.map(\.meta.minTime).min(), maxTime: sources.map(\.meta.maxTime).max(),
            selection: cut, blocks: blocks)
    }

    /// Streams the manifest and then every file into the archive, through a temporary
    /// name renamed into place at the end (no half-written snapshot under the real name).
    private static func writeArchive(
        _ manifest: SnapshotManifest, sources: [SourceBlock], to output: String, compression: SnapshotCompression,
        progress: SnapshotProgressHandler?
    ) throws(SnapshotError) {
        let partial = output == "-" ? output : output + ".partial"
        var finished = false
        defer { if !finished && partial != "-" { unlink(partial) } }
        let writer = try ArchiveWriter(path: partial, compression: compression)
        try writer.add(SnapshotManifest.entryName, bytes: manifest.encoded())
        let total = sources.flatMap(\.files).reduce(0) { $0 + $1.size }
        var done: Int64 = 0
        for source in sources {
            for file in source.files {
                try writer.add(file.entry, contentsOf: file.descriptor, size: file.size, modificationTime: file.modificationTime) { n in
                    done += Int64(n)
                    progress?(SnapshotProgress(phase: .writing, done: done, total: total))
                }
            }
        }
        try writer.close()
        if partial != "-" {
            guard rename(partial, output) == 0 else {
                throw .io(path: output, reason: "cannot move the finished archive into place: \(String(cString: strerror(errno)))")
            }
        }
        finished = true
    }
}

/// Selects, from one querier, the series any of several selectors matches (each once),
/// restricted further by the matchers a caller passes.
private struct UnionQuerier: Querier {
    let base: any Querier
    let selectors: [[LabelMatcher]]

    func select(_ matchers: [LabelMatcher], hints: SelectHints?) throws -> any SeriesSet {
        var byLabels: [Labels: any Series] = [:]
        for selector in selectors {
            var set = try base.select(selector + matchers, hints: hints)
            while let series = try set.next() {
                if byLabels[series.labels] == nil { byLabels[series.labels] = series }
            }
        }
        return ArraySeriesSet(byLabels.keys.sorted().compactMap { byLabels[$0] })
    }

    func labelNames(matching matchers: [LabelMatcher]) throws -> [String] { try base.labelNames(matching: matchers) }
    func labelValues(_ name: String, matching matchers: [LabelMatcher]) throws -> [String] { try base.labelValues(name, matching: matchers) }
}
