import Foundation
import TSDB

/// What a snapshot holds, read without unpacking it.
public struct SnapshotContents: Sendable, Hashable {
    public struct Block: Codable, Sendable, Hashable {
        public var ulid: String
        /// From the manifest or the block's `meta.json` (nil when neither could be read).
        public var minTime: Int64?
        public var maxTime: Int64?
        public var numSeries: UInt64?
        public var numSamples: UInt64?
        public var numChunks: UInt64?
        /// Bytes of the block's files.
        public var size: Int64
        public var files: Int
    }

    /// The manifest, for a snapshot Hindsight wrote.
    public var manifest: SnapshotManifest?
    public var blocks: [Block]
    /// An entry that is not a block file (skipped by an import) or that an import would
    /// refuse, with why.
    public struct OtherEntry: Codable, Sendable, Hashable {
        public var entry: String
        public var note: String
    }

    public var otherEntries: [OtherEntry]
}

/// Lists a snapshot's blocks: from its manifest alone when it has one (only the first
/// entry is read), else by reading every entry's header and each block's `meta.json`.
public enum SnapshotInspector {
    public static func inspect(archive: String) throws(SnapshotError) -> SnapshotContents {
        let reader = try ArchiveReader(path: archive)
        var blocks: [String: SnapshotContents.Block] = [:]
        var others: [SnapshotContents.OtherEntry] = []
        var isFirst = true
        while let entry = try reader.next() {
            defer { isFirst = false }
            let classified: (EntryPath, prefix: [Substring], normalized: String)
            do throws(SnapshotError) {
                classified = try EntryPath.classify(entry.path, isDirectory: entry.type == .directory)
            } catch {
                others.append(.init(entry: entry.path, note: "refused: \(error)"))
                try reader.skipData()
                continue
            }
            switch classified.0 {
            case .manifest where isFirst:
                var bytes: [UInt8] = []
                try reader.readData { bytes.append(contentsOf: $0) }
                let manifest = try SnapshotManifest.decode(bytes)
                let listed = manifest.blocks.map { block in
                    SnapshotContents.Block(
                        ulid: block.ulid, minTime: block.minTime, maxTime: block.maxTime, numSeries: block.numSeries,
                        numSamples: block.numSamples, numChunks: block.numChunks,
                        size: block.files.reduce(0) { $0 + $1.size }, files: block.files.count)
                }
                return SnapshotContents(manifest: manifest, blocks: listed, otherEntries: [])
            case .manifest:
                others.append(.init(entry: entry.path, note: "refused: manifest.json must be the first entry"))
                try reader.skipData()
            case .directory:
                try reader.skipData()
            case .notBlockData:
                others.append(.init(entry: entry.path, note: "not block data: skipped on import"))
                try reader.skipData()
            case let .blockFile(ulid, relative):
                var block = blocks[ulid] ?? SnapshotContents.Block(ulid: ulid, size: 0, files: 0)
                block.size += entry.size ?? 0
                block.files += 1
                if relative == "meta.json", entry.type == .file, (entry.size ?? 0) <= 1 << 20 {
                    var bytes: [UInt8] = []
                    try reader.readData { bytes.append(contentsOf: $0) }
                    if let meta = try? JSONDecoder().decode(BlockMeta.self, from: Data(bytes)) {
                        block.minTime = meta.minTime
                        block.maxTime = meta.maxTime
                        block.numSeries = meta.stats?.numSeries
                        block.numSamples = meta.stats?.numSamples
                        block.numChunks = meta.stats?.numChunks
                    }
                } else {
                    if entry.type != .file { others.append(.init(entry: entry.path, note: "refused: a \(entry.type)")) }
                    try reader.skipData()
                }
                blocks[ulid] = block
            }
        }
        let sorted = blocks.values.sorted { ($0.minTime ?? .max, $0.ulid) < ($1.minTime ?? .max, $1.ulid) }
        return SnapshotContents(manifest: nil, blocks: sorted, otherEntries: others)
    }
}
