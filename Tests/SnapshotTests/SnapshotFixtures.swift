import Foundation
import Model
import TestSupport
@testable import Snapshot
@testable import TSDB

/// Data directories and archives the snapshot tests build, and ways to compare them.
enum SnapshotFixtures {
    static let hour: Int64 = 3_600_000
    static let start: Int64 = 1_700_000_000_000 / (2 * hour) * (2 * hour)

    /// A data directory with three 2-hour blocks of `series` series (one sample every
    /// 15 s) and, when `withHead`, an hour more in the write-ahead log.
    static func dataDirectory(at path: String, series: Int = 6, withHead: Bool = true) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var random = SplitMix64(state: 42)
        for block in 0..<3 {
            var writer = BlockWriter(chunkRange: 2 * hour)
            let blockStart = start + Int64(block) * 2 * hour
            for s in 0..<series {
                let labels = Self.labels(s)
                for t in stride(from: blockStart, to: blockStart + 2 * hour, by: 15_000) {
                    try writer.append(labels, t, Double(random.below(1000)) / 10)
                }
            }
            _ = try writer.write(into: path, ulid: ULID(time: blockStart, using: &random))
        }
        if withHead {
            let db = try DB(directory: path)
            var appender = db.appender()
            let headStart = start + 6 * hour
            for s in 0..<series {
                for t in stride(from: headStart, to: headStart + hour, by: 15_000) {
                    try appender.append(Self.labels(s), t, Double(random.below(1000)))
                }
            }
            try appender.commit()
            try db.close()
        }
        return path
    }

    static func labels(_ s: Int) -> Labels {
        Labels(["__name__": s % 2 == 0 ? "node_load1" : "http_requests_total", "instance": "host-\(s / 2)", "job": s % 2 == 0 ? "node" : "api"])
    }

    /// Every sample of a directory, one `labels t v` line each, in order.
    static func dump(_ directory: String, mint: Int64 = .min, maxt: Int64 = .max) throws -> [String] {
        let db = try ReadOnlyDB(directory: directory)
        var set = try db.querier(mint: mint, maxt: maxt).select([try LabelMatcher(.regexMatch, "__name__", ".+")], hints: nil)
        var lines: [String] = []
        while let series = try set.next() {
            var iterator = series.makeIterator()
            while let sample = try iterator.next() { lines.append("\(series.labels) \(sample.timestamp) \(sample.value)") }
        }
        return lines
    }

    /// Every file and folder under `path` with its content's SHA-256 (and link targets), to
    /// show that a refused import left a directory byte-identical.
    static func tree(_ path: String) -> [String: String] {
        var result: [String: String] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return result }
        for case let name as String in enumerator {
            let full = path + "/" + name
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: full) {
                result[name] = "link:" + target
            } else if let data = FileManager.default.contents(atPath: full) {
                result[name] = SHA256Digest.hex(of: Array(data))
            } else {
                result[name] = "folder"
            }
        }
        return result
    }

    /// Builds an archive entry by entry (for hostile ones).
    static func archive(at path: String, compression: SnapshotCompression = .none, _ build: (ArchiveWriter) throws -> Void) throws {
        let writer = try ArchiveWriter(path: path, compression: compression)
        try build(writer)
        try writer.close()
    }

    /// The entries (path and content) of an archive, in order.
    static func entries(of path: String) throws -> [(path: String, bytes: [UInt8])] {
        let reader = try ArchiveReader(path: path)
        var result: [(path: String, bytes: [UInt8])] = []
        while let entry = try reader.next() {
            var bytes: [UInt8] = []
            try reader.readData { bytes.append(contentsOf: $0) }
            result.append((entry.path, bytes))
        }
        return result
    }
}
