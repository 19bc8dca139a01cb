import Foundation
import Model

/// A data directory opened read-only: its persisted blocks and the samples of its
/// write-ahead log, queried as one (as `promtool tsdb dump` reads a directory).
///
/// Works on a Hindsight or Prometheus data directory and on a Prometheus admin snapshot;
/// nothing in the directory is modified (no lock file is taken, a torn WAL tail is read
/// around, not repaired).
public final class ReadOnlyDB: Queryable {
    public let directory: String
    /// The blocks, ordered by their minimum time.
    public let blocks: [Block]
    /// Blocks that could not be opened, with why; the healthy ones are still served.
    public let brokenBlocks: [(directory: String, error: TSDBError)]
    /// The samples of the write-ahead log not yet in blocks (read, never repaired or written).
    public let head: Head?

    public init(directory: String) throws(TSDBError) {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .io(path: directory, reason: "no such directory")
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw .io(path: directory, reason: "cannot list the directory: \(error.localizedDescription)")
        }
        var blocks: [Block] = []
        var broken: [(directory: String, error: TSDBError)] = []
        for entry in entries where ReadOnlyDB.isBlockName(entry) {
            let path = directory + "/" + entry
            guard FileManager.default.fileExists(atPath: path + "/meta.json") else { continue }
            do throws(TSDBError) {
                blocks.append(try Block(directory: path))
            } catch {
                broken.append((path, error))
            }
        }
        brokenBlocks = broken
        self.blocks = blocks.sorted { ($0.meta.minTime, $0.meta.ulid) < ($1.meta.minTime, $1.meta.ulid) }
        var isWALDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory + "/wal", isDirectory: &isWALDirectory), isWALDirectory.boolValue {
            let head = Head()
            try DB.replay(directory + "/wal", into: head, after: blocks.map(\.meta.maxTime).max())
            self.head = head.seriesCount > 0 ? head : nil
        } else {
            head = nil
        }
    }

    /// A ULID: 26 characters of Crockford base32 (blocks being written end in `.tmp…` and are skipped).
    public static func isBlockName(_ name: String) -> Bool {
        name.utf8.count == 26 && name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
        }
    }

    public func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier {
        let overlapping = blocks.filter { $0.meta.minTime <= maxt && $0.meta.maxTime > mint }
        var queriers = try overlapping.map { try $0.querier(mint: mint, maxt: maxt) }
        if let head { queriers.append(try head.querier(mint: mint, maxt: maxt)) }
        return MergeQuerier(queriers)
    }
}
