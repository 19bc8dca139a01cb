import CArchive
import Foundation
import TSDB

/// A block file written into the staging folder, with the checksum it must have.
struct StagedFile: Sendable {
    var ulid: String
    /// The entry's path in the archive, for messages.
    var entry: String
    /// Where it was written.
    var path: String
    /// The SHA-256 the manifest gives (nil without a manifest).
    var expectedSHA256: String?
}

/// A snapshot unpacked into a staging folder, every entry checked, not yet verified as blocks.
struct StagedSnapshot {
    /// The manifest, when the archive is one Hindsight wrote (nil: a plain tar of blocks).
    var manifest: SnapshotManifest?
    /// The staging folder: one sub-folder per block, named by its ULID.
    var root: String
    /// The staged blocks' ULIDs, sorted.
    var blocks: [String]
    /// Entries of a Prometheus data directory that are not blocks (WAL, head chunks, lock):
    /// skipped, listed for the report.
    var skippedEntries: [String]
    /// Bytes of block files written.
    var bytes: Int64
}

/// Streams an archive into a staging folder, refusing anything that is not a plain block
/// file before a byte of it is written: unsafe paths, links, devices, FIFOs, duplicates,
/// entries over the limits, and (with a manifest) entries it does not list or that differ
/// from it in size. Writing goes through libarchive's disk writer with its secure-extraction
/// flags as a second line of defence. SHA-256 checksums are left to the caller, who hears
/// of every staged file (``VerificationPipeline`` checks them on another core).
enum SnapshotExtractor {
    /// Stages `archive` into `root` (which must exist and be empty). `progress` hears the
    /// archive's bytes read so far; `fileStaged` every block file written (with the
    /// manifest, once read). On error, what was written under `root` is left for the
    /// caller to remove.
    static func stage(
        archive path: String, into root: String, limits: SnapshotLimits, progress: ((Int64) -> Void)? = nil,
        fileStaged: ((_ file: StagedFile, _ manifest: SnapshotManifest?) -> Void)? = nil
    ) throws(SnapshotError) -> StagedSnapshot {
        let reader = try ArchiveReader(path: path, decompressInBackground: true)
        let disk = try DiskWriter(archive: path)
        var manifest: SnapshotManifest?
        var listed: [String: SnapshotManifest.File] = [:]
        var seen = Set<String>()
        var prefix: [Substring]?
        var blocks = Set<String>()
        var skipped: [String] = []
        var total: Int64 = 0
        var isFirst = true
        // Never fill the disk: what the entries declare must fit in the space left.
        let available = Self.availableBytes(at: root)

        while let entry = try reader.next() {
            defer { isFirst = false; progress?(reader.bytesRead) }
            try requireFileOrFolder(entry)
            let (kind, entryPrefix, normalized) = try EntryPath.classify(entry.path, isDirectory: entry.type == .directory)
            guard seen.insert(normalized).inserted else {
                throw .refusedEntry(entry: entry.path, reason: "the archive holds this path more than once")
            }
            switch kind {
            case .directory:
                try reader.skipData()
                continue
            case .manifest:
                guard isFirst else { throw .refusedEntry(entry: entry.path, reason: "manifest.json must be the archive's first entry") }
                try requirePlainFile(entry, limit: Int64(SnapshotManifest.maximumSize))
                var bytes: [UInt8] = []
                try reader.readData { bytes.append(contentsOf: $0) }
                manifest = try SnapshotManifest.decode(bytes)
                listed = manifest!.filesByPath
            case .notBlockData:
                guard manifest == nil else { throw .refusedEntry(entry: entry.path, reason: "not listed in the manifest") }
                skipped.append(entry.path)
                try reader.skipData()
            case let .blockFile(ulid, relative):
                try requirePlainFile(entry, limit: limits.maximumEntrySize)
                let size = entry.size ?? 0
                var expected: SnapshotManifest.File?
                if manifest != nil {
                    guard entryPrefix.isEmpty, let file = listed[normalized] else {
                        throw .refusedEntry(entry: entry.path, reason: "not listed in the manifest")
                    }
                    guard size == file.size else {
                        throw .mismatch(entry: entry.path, reason: "the archive says \(size) bytes, the manifest \(file.size)")
                    }
                    expected = file
                } else if let prefix, prefix != entryPrefix {
                    throw .refusedEntry(entry: entry.path, reason: "blocks in two different folders (\"\(prefix.joined(separator: "/"))/\" and \"\(entryPrefix.joined(separator: "/"))/\")")
                }
                prefix = entryPrefix
                total += size
                if let maximum = limits.maximumTotalSize, total > maximum {
                    throw .refusedEntry(entry: entry.path, reason: "the archive holds more than the limit of \(maximum) bytes")
                }
                if let available, total > available {
                    throw .refusedEntry(entry: entry.path, reason: "the entries so far need \(total) bytes, more than the \(available) bytes free where they are unpacked")
                }
                let target = root + "/" + ulid + "/" + relative
                try disk.create(target, size: size, entry: entry.path)
                let read = try reader.readData { bytes throws(SnapshotError) in try disk.write(bytes, entry: entry.path) }
                try disk.finish(entry: entry.path)
                guard read == size else {
                    throw .mismatch(entry: entry.path, reason: "holds \(read) bytes, its header says \(size)")
                }
                blocks.insert(ulid)
                fileStaged?(StagedFile(ulid: ulid, entry: entry.path, path: target, expectedSHA256: expected?.sha256), manifest)
            }
        }
        if let manifest {
            for block in manifest.blocks { for file in block.files where !seen.contains(file.path) {
                throw .mismatch(entry: file.path, reason: "listed in the manifest but missing from the archive")
            } }
        } else {
            guard !blocks.isEmpty else {
                throw .invalidRequest("\(path): the archive holds no blocks (neither a Hindsight snapshot with manifest.json nor a tar of Prometheus block folders)")
            }
            for ulid in blocks.sorted() {
                for required in ["meta.json", "index"] where !FileManager.default.fileExists(atPath: root + "/" + ulid + "/" + required) {
                    throw .invalidBlock(block: ulid, reason: "the archive holds no \(required) for it")
                }
            }
        }
        return StagedSnapshot(manifest: manifest, root: root, blocks: blocks.sorted(), skippedEntries: skipped, bytes: total)
    }

    /// Bytes free for an unprivileged writer on the file system holding `path`.
    static func availableBytes(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let (bytes, overflow) = Int64(info.f_bavail).multipliedReportingOverflow(by: Int64(info.f_frsize))
        return overflow ? nil : bytes
    }

    /// Only regular files of a known size within `limit` are ever extracted.
    private static func requirePlainFile(_ entry: ArchiveEntry, limit: Int64) throws(SnapshotError) {
        guard entry.type == .file else { throw notRegular(entry) }
        guard !entry.isSparse else { throw .refusedEntry(entry: entry.path, reason: "a sparse file; snapshots hold only plain files") }
        guard let size = entry.size, size >= 0 else { throw .refusedEntry(entry: entry.path, reason: "the header gives no size") }
        guard size <= limit else {
            throw .refusedEntry(entry: entry.path, reason: "\(size) bytes, more than the limit of \(limit) bytes for one entry")
        }
    }

    /// No entry, not even a skipped one, may be a link or a special file.
    private static func requireFileOrFolder(_ entry: ArchiveEntry) throws(SnapshotError) {
        guard entry.type == .file || entry.type == .directory else { throw notRegular(entry) }
    }

    private static func notRegular(_ entry: ArchiveEntry) -> SnapshotError {
        .refusedEntry(entry: entry.path, reason: "a \(entry.type)\(entry.linkTarget.map { " to \"\($0)\"" } ?? ""); snapshots hold only regular files")
    }
}

/// libarchive's disk writer, restricted: no `..`, no writing through symbolic links, no
/// overwriting, permissions fixed at 0644, owners and times not restored.
private final class DiskWriter {
    private let disk: OpaquePointer
    private let archive: String

    init(archive: String) throws(SnapshotError) {
        guard let disk = archive_write_disk_new() else { throw .archive(file: archive, entry: nil, reason: "libarchive cannot allocate a disk writer") }
        self.disk = disk
        self.archive = archive
        archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_NO_OVERWRITE)
    }

    deinit {
        archive_write_close(disk)
        archive_write_free(disk)
    }

    func create(_ path: String, size: Int64, entry name: String) throws(SnapshotError) {
        guard let entry = archive_entry_new() else { throw .archive(file: archive, entry: name, reason: "cannot allocate an entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, path)
        archive_entry_set_filetype(entry, FileTypeBits.reg)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, size)
        guard archive_write_header(disk, entry) >= ARCHIVE_WARN else { throw failure(name, "cannot create the file") }
    }

    func write(_ bytes: UnsafeRawBufferPointer, entry name: String) throws(SnapshotError) {
        var written = 0
        while written < bytes.count {
            let n = archive_write_data(disk, bytes.baseAddress! + written, bytes.count - written)
            guard n > 0 else { throw failure(name, "cannot write the file") }
            written += n
        }
    }

    func finish(entry name: String) throws(SnapshotError) {
        guard archive_write_finish_entry(disk) >= ARCHIVE_WARN else { throw failure(name, "cannot finish the file") }
    }

    private func failure(_ entry: String, _ what: String) -> SnapshotError {
        let detail = libarchiveError(disk)
        return .archive(file: archive, entry: entry, reason: "\(what): \(detail)")
    }
}
