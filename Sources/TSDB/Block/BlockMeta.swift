import Foundation
import Model

/// A block's `meta.json`: its identity, time range, statistics and compaction history.
public struct BlockMeta: Codable, Sendable, Hashable {
    public var ulid: String
    /// Inclusive start of the block's range, in ms.
    public var minTime: Timestamp
    /// Exclusive end of the block's range, in ms.
    public var maxTime: Timestamp
    public var stats: Stats?
    public var compaction: Compaction
    /// The meta format version; readers accept only 1.
    public var version: Int

    public struct Stats: Codable, Sendable, Hashable {
        public var numSamples: UInt64?
        public var numFloatSamples: UInt64?
        public var numHistogramSamples: UInt64?
        public var numSeries: UInt64?
        public var numChunks: UInt64?
        public var numTombstones: UInt64?
    }

    public struct Compaction: Codable, Sendable, Hashable {
        public var level: Int
        public var sources: [String]?
        public var parents: [Parent]?
        public var deletable: Bool?
        public var failed: Bool?
        public var hints: [String]?

        public init(level: Int, sources: [String]?, parents: [Parent]?, deletable: Bool? = nil, failed: Bool? = nil, hints: [String]? = nil) {
            self.level = level
            self.sources = sources
            self.parents = parents
            self.deletable = deletable
            self.failed = failed
            self.hints = hints
        }
    }

    public struct Parent: Codable, Sendable, Hashable {
        public var ulid: String
        public var minTime: Timestamp
        public var maxTime: Timestamp

        public init(ulid: String, minTime: Timestamp, maxTime: Timestamp) {
            self.ulid = ulid
            self.minTime = minTime
            self.maxTime = maxTime
        }
    }

    /// Reads and checks `meta.json` in `directory`.
    public static func read(directory: String) throws(TSDBError) -> BlockMeta {
        let path = directory + "/meta.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: "cannot read the file")
        }
        let meta: BlockMeta
        do {
            meta = try JSONDecoder().decode(BlockMeta.self, from: data)
        } catch {
            throw .invalidMeta(file: path, reason: "\(error)")
        }
        guard meta.version == 1 else { throw .unsupportedVersion(file: path, version: meta.version) }
        guard meta.minTime <= meta.maxTime else {
            throw .invalidMeta(file: path, reason: "minTime \(meta.minTime) is after maxTime \(meta.maxTime)")
        }
        return meta
    }
}
