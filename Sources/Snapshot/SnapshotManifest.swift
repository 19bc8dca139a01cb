import Foundation
import TSDB

/// `manifest.json`, the first entry of every snapshot Hindsight writes: what the tarball
/// holds and how to check it. Its schema is stable; readers refuse a newer `formatVersion`.
///
/// ```json
/// {
///   "formatVersion": 1,
///   "createdBy": "hindsight, version 0.1.0",
///   "createdAt": "2026-11-26T02:00:00Z",
///   "source": "/var/lib/hindsight",
///   "minTime": 1700000000000, "maxTime": 1700007200000,
///   "selection": {"from": …, "to": …, "match": ["{job=\"node\"}"]},
///   "blocks": [{"ulid": "01H…", "minTime": …, "maxTime": …, "numSeries": 12,
///               "numSamples": 8640, "numChunks": 60,
///               "files": [{"path": "01H…/index", "size": 1234, "sha256": "…"}, …]}]
/// }
/// ```
/// Times are milliseconds since the epoch; block `maxTime` is exclusive, as in `meta.json`.
public struct SnapshotManifest: Codable, Sendable, Hashable {
    /// The version this reader and writer speak.
    public static let currentFormatVersion = 1
    /// The name of the manifest entry.
    public static let entryName = "manifest.json"
    /// The largest manifest read into memory.
    static let maximumSize = 64 << 20

    public var formatVersion: Int
    /// The program that wrote the snapshot.
    public var createdBy: String
    /// When it was written (RFC 3339, UTC).
    public var createdAt: String
    /// The data directory it was made from.
    public var source: String
    /// The earliest sample time and the exclusive end of the blocks (nil when empty).
    public var minTime: Int64?
    public var maxTime: Int64?
    /// The cut requested with `--from`, `--to` and `--match` (nil: everything).
    public var selection: Selection?
    public var blocks: [Block]

    public struct Selection: Codable, Sendable, Hashable {
        public var from: Int64?
        public var to: Int64?
        public var match: [String]?
    }

    public struct Block: Codable, Sendable, Hashable {
        public var ulid: String
        public var minTime: Int64
        public var maxTime: Int64
        public var numSeries: UInt64
        public var numSamples: UInt64
        public var numChunks: UInt64
        public var files: [File]
    }

    public struct File: Codable, Sendable, Hashable {
        /// The entry path: `<ulid>/meta.json`, `<ulid>/index`, `<ulid>/tombstones`, `<ulid>/chunks/000001`, …
        public var path: String
        public var size: Int64
        /// SHA-256 of the content, 64 lowercase hex digits.
        public var sha256: String
    }

    /// Every file of every block, by entry path.
    var filesByPath: [String: File] {
        var result: [String: File] = [:]
        for block in blocks { for file in block.files { result[file.path] = file } }
        return result
    }

    /// The manifest as written into the archive: indented, keys sorted.
    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
    }

    /// Decodes and checks a manifest: known version, valid and unique block names and
    /// file paths (each under its own block, each block with its `meta.json` and
    /// `index`), well-formed checksums and sizes.
    static func decode(_ bytes: [UInt8]) throws(SnapshotError) -> SnapshotManifest {
        let manifest: SnapshotManifest
        do {
            manifest = try JSONDecoder().decode(SnapshotManifest.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            throw .manifest(reason: "not valid JSON: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw .manifest(reason: "missing \"\(key.stringValue)\"\(Self.location(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .manifest(reason: "wrong type at \(Self.location(context.codingPath + [])): \(context.debugDescription)")
        } catch {
            throw .manifest(reason: "\(error)")
        }
        guard manifest.formatVersion == currentFormatVersion else {
            throw .manifest(reason: "format version \(manifest.formatVersion) is not supported (this hindsight reads version \(currentFormatVersion)); use a newer hindsight")
        }
        try manifest.validate()
        return manifest
    }

    private static func location(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "" }
        return " in " + path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    private func validate() throws(SnapshotError) {
        var ulids = Set<String>(), paths = Set<String>()
        for block in blocks {
            guard ReadOnlyDB.isBlockName(block.ulid) else { throw .manifest(reason: "\"\(block.ulid)\" is not a block name (a ULID)") }
            guard ulids.insert(block.ulid).inserted else { throw .manifest(reason: "block \(block.ulid) is listed twice") }
            guard block.minTime <= block.maxTime else {
                throw .manifest(reason: "block \(block.ulid): minTime \(block.minTime) is after maxTime \(block.maxTime)")
            }
            var names = Set<String>()
            for file in block.files {
                guard let (kind, prefix, _) = try? EntryPath.classify(file.path), case let .blockFile(ulid, relative) = kind,
                      ulid == block.ulid, prefix.isEmpty else {
                    throw .manifest(reason: "block \(block.ulid) lists \"\(file.path)\", which is not one of its files")
                }
                guard paths.insert(file.path).inserted else { throw .manifest(reason: "\"\(file.path)\" is listed twice") }
                guard file.size >= 0 else { throw .manifest(reason: "\"\(file.path)\" has a negative size") }
                guard file.sha256.utf8.count == 64, file.sha256.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                    throw .manifest(reason: "\"\(file.path)\" has a malformed sha256 (64 lowercase hex digits expected)")
                }
                names.insert(relative)
            }
            for required in ["meta.json", "index"] where !names.contains(required) {
                throw .manifest(reason: "block \(block.ulid) lists no \(required)")
            }
        }
    }
}
