import Foundation
import Model
import TSDB

/// What an import did.
public struct ImportReport: Sendable, Hashable {
    /// Blocks moved into the data directory as they were.
    public var imported: [BlockMeta] = []
    /// Blocks that overlapped existing data, merged with it into new blocks.
    public var merged: [MergedBlock] = []
    /// Blocks already in the directory (by ULID, or as a source of a compacted block): skipped.
    public var alreadyPresent: [String] = []
    /// Entries of a Prometheus data directory that are not blocks (WAL, head chunks, lock), skipped.
    public var skippedEntries: [String] = []
    /// The snapshot's manifest (nil for a plain tar of Prometheus blocks).
    public var manifest: SnapshotManifest?

    public struct MergedBlock: Sendable, Hashable {
        /// The snapshot's block.
        public var imported: String
        /// The existing blocks it overlapped, now replaced.
        public var replaced: [String]
        /// The block that holds all of them.
        public var result: BlockMeta
    }
}

/// Imports a snapshot into a data directory, all or nothing.
///
/// The directory must not be in use: the import takes its lock file and refuses when a
/// server (Hindsight's, or a Prometheus, which holds the same `lock`) has it. Everything
/// is checked before the directory changes: the archive is unpacked into a staging folder
/// inside the directory and verified (``SnapshotVerifier``); only then are blocks moved in,
/// each with one rename. A block overlapping existing blocks is merged with them by
/// vertical compaction into a new block, which replaces them. On any error the staging
/// folder is removed and the directory is as it was.
public enum SnapshotImporter {
    public static func importSnapshot(
        archive: String, into directory: String, limits: SnapshotLimits = SnapshotLimits(), deep: Bool = false,
        progress: SnapshotProgressHandler? = nil
    ) throws(SnapshotError) -> ImportReport {
        let fileManager = FileManager.default
        let createdDirectory = !fileManager.fileExists(atPath: directory)
        if createdDirectory {
            do { try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .io(path: directory, reason: "cannot create the data directory: \(error.localizedDescription)")
            }
        }
        let hadLockFile = fileManager.fileExists(atPath: directory + "/lock")
        let lock: DirectoryLock
        do { lock = try DirectoryLock(directory: directory) } catch {
            if createdDirectory { try? fileManager.removeItem(atPath: directory) }
            if case .io(_, let reason) = error, reason.contains("in use") { throw .directoryInUse(directory: directory) }
            throw .storage(error)
        }
        var succeeded = false
        defer {
            lock.release()
            if !hadLockFile { unlink(directory + "/lock") }
            if createdDirectory && !succeeded { try? fileManager.removeItem(atPath: directory) }
        }
        let staging = try SnapshotVerifier.makeStagingFolder(in: directory, name: "snapshot-import")
        defer { try? fileManager.removeItem(atPath: staging) }

        let verification = try SnapshotVerifier.unpack(archive: archive, into: staging, limits: limits, deep: deep, durable: true, progress: progress)
        var report = ImportReport(skippedEntries: verification.skippedEntries, manifest: verification.manifest)
        let existing: ReadOnlyDB
        do { existing = try ReadOnlyDB(directory: directory) } catch { throw .storage(error) }
        let present = Set(existing.blocks.flatMap { [$0.meta.ulid] + ($0.meta.compaction.sources ?? []) })
        var incoming: [VerifiedBlock] = []
        for block in verification.blocks.sorted(by: { ($0.meta.minTime, $0.meta.ulid) < ($1.meta.minTime, $1.meta.ulid) }) {
            if present.contains(block.meta.ulid) { report.alreadyPresent.append(block.meta.ulid) } else { incoming.append(block) }
        }
        try checkWriteAheadLog(of: existing, against: incoming, directory: directory)
        for block in incoming { try syncBlock(block.directory) }

        var current = existing.blocks.map { (meta: $0.meta, directory: $0.directory) }
        for block in incoming {
            let overlapping = current.filter { $0.meta.minTime < block.meta.maxTime && block.meta.minTime < $0.meta.maxTime }
            if overlapping.isEmpty {
                let target = directory + "/" + block.meta.ulid
                guard rename(block.directory, target) == 0 else {
                    throw .io(path: target, reason: "cannot move the block in: \(String(cString: strerror(errno)))")
                }
                do { try FileIO.syncDirectory(directory) } catch { throw .storage(error) }
                report.imported.append(block.meta)
                current.append((block.meta, target))
            } else {
                let result = try merge(block, with: overlapping.map(\.directory), into: directory)
                report.merged.append(.init(imported: block.meta.ulid, replaced: overlapping.map(\.meta.ulid), result: result))
                let replaced = Set(overlapping.map(\.meta.ulid))
                current.removeAll { replaced.contains($0.meta.ulid) }
                current.append((result, directory + "/" + result.ulid))
            }
        }
        succeeded = true
        return report
    }

    /// Writes one block holding `block` and the existing blocks it overlaps, then removes those.
    private static func merge(_ block: VerifiedBlock, with existing: [String], into directory: String) throws(SnapshotError) -> BlockMeta {
        do {
            let inputs = try ([block.directory] + existing).map { path throws(TSDBError) in try Block(directory: path) }
            var generator = SystemRandomNumberGenerator()
            let ulid = ULID(time: Int64(Date().timeIntervalSince1970 * 1000), using: &generator)
            guard let result = try Compactor.compact(inputs, into: directory, ulid: ulid) else {
                throw SnapshotError.invalidBlock(block: block.meta.ulid, reason: "merging it with \(existing.count) existing block(s) left no samples")
            }
            for path in existing { try DB.removeBlock(path) }
            return result
        } catch let error as SnapshotError {
            throw error
        } catch let error as TSDBError {
            throw .storage(error)
        } catch {
            throw .invalidBlock(block: block.meta.ulid, reason: "cannot merge it with the overlapping blocks: \(error)")
        }
    }

    /// A data directory's TSDB drops WAL samples older than its newest block on start; an
    /// imported block reaching past the oldest WAL sample would make those samples vanish.
    private static func checkWriteAheadLog(of existing: ReadOnlyDB, against blocks: [VerifiedBlock], directory: String) throws(SnapshotError) {
        guard let head = existing.head, head.minTime != .max else { return }
        for block in blocks where block.meta.maxTime > head.minTime {
            throw .conflict(directory: directory, reason: "block \(block.meta.ulid) reaches \(formatRFC3339(milliseconds: block.meta.maxTime)), past the oldest sample in the directory's write-ahead log (\(formatRFC3339(milliseconds: head.minTime))): the TSDB would drop those samples on its next start. Import into a directory without recent data, or after the head has been compacted into blocks")
        }
    }

    /// Makes a staged block durable before it is renamed into place.
    private static func syncBlock(_ path: String) throws(SnapshotError) {
        let files = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
        for file in files {
            let fd = open(path + "/" + file, O_RDONLY)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw .io(path: path + "/" + file, reason: "fsync failed: \(String(cString: strerror(errno)))") }
        }
    }

}
