import CArchive
import Foundation

/// One entry's header as an archive states it, before any of its data is read.
public struct ArchiveEntry: Sendable, Hashable {
    /// The path exactly as stored in the archive.
    public var path: String
    public var type: ArchiveEntryType
    /// The declared size of the data (nil when the header gives none).
    public var size: Int64?
    /// The target of a symbolic or hard link.
    public var linkTarget: String?
    /// A sparse entry (data with holes): never extracted.
    public var isSparse: Bool
}

/// Reads a tar archive (any compression libarchive detects: zstd, gzip, xz, bzip2, none)
/// entry by entry, streaming each entry's data in blocks.
final class ArchiveReader {
    private let archive: OpaquePointer
    let path: String
    private(set) var current: ArchiveEntry?
    private let decompressor: BackgroundDecompressor?

    /// Opens `path` (`-`: standard input). With `decompressInBackground`, a compressed
    /// file is decompressed on a second thread while this reader parses it.
    init(path: String, decompressInBackground: Bool = false) throws(SnapshotError) {
        guard let archive = archive_read_new() else { throw .archive(file: path, entry: nil, reason: "libarchive cannot allocate a reader") }
        self.archive = archive
        self.path = path
        decompressor = decompressInBackground && path != "-" ? BackgroundDecompressor(path: path) : nil
        archive_read_support_filter_all(archive)
        archive_read_support_format_tar(archive)
        let status: Int32
        if let decompressor {
            status = decompressor.open(archive)
        } else if path == "-" {
            status = archive_read_open_fd(archive, STDIN_FILENO, 1 << 20)
        } else {
            status = archive_read_open_filename(archive, path, 1 << 20)
        }
        if status != ARCHIVE_OK {
            var isFile = false
            if path != "-" { isFile = FileManager.default.fileExists(atPath: path) }
            throw path != "-" && !isFile
                ? .io(path: path, reason: "no such file")
                : failure(nil, "cannot open the archive")
        }
    }

    deinit {
        archive_read_free(archive)
    }

    /// The next entry's header, or nil at the end of the archive.
    func next() throws(SnapshotError) -> ArchiveEntry? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF {
            // A compressed stream cut short can end the tar stream at an entry boundary.
            if let failure = decompressor?.failure {
                throw .archive(file: path, entry: current.map { "after " + $0.path }, reason: "cannot read the next entry: \(failure)")
            }
            current = nil
            return nil
        }
        guard status >= ARCHIVE_WARN, let entry else {
            throw failure(current.map { "after " + $0.path }, "cannot read the next entry")
        }
        let path = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let hardlink = archive_entry_hardlink(entry).map { String(cString: $0) }
        let symlink = archive_entry_symlink(entry).map { String(cString: $0) }
        let type: ArchiveEntryType
        if hardlink != nil {
            type = .hardlink
        } else {
            switch UInt32(archive_entry_filetype(entry)) {
            case FileTypeBits.reg: type = .file
            case FileTypeBits.dir: type = .directory
            case FileTypeBits.lnk: type = .symlink
            case FileTypeBits.chr: type = .characterDevice
            case FileTypeBits.blk: type = .blockDevice
            case FileTypeBits.ifo: type = .fifo
            case FileTypeBits.sock: type = .socket
            case let mode: type = .other(mode: mode)
            }
        }
        let result = ArchiveEntry(
            path: path, type: type,
            size: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil,
            linkTarget: hardlink ?? symlink,
            isSparse: archive_entry_sparse_count(entry) > 0)
        current = result
        return result
    }

    /// Streams the current entry's data to `body` in blocks as they are decompressed; the
    /// blocks must be contiguous (a hole means the entry is sparse, which is refused).
    /// Returns the number of bytes read.
    @discardableResult
    func readData(_ body: (UnsafeRawBufferPointer) throws(SnapshotError) -> Void) throws(SnapshotError) -> Int64 {
        var total: Int64 = 0
        while true {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(archive, &block, &size, &offset)
            if status == ARCHIVE_EOF { return total }
            guard status >= ARCHIVE_WARN else { throw failure(current?.path, "cannot read the data") }
            guard offset == total else {
                throw .refusedEntry(entry: current?.path ?? "", reason: "the entry is sparse (has holes); snapshots hold only plain files")
            }
            if size > 0, let block { try body(UnsafeRawBufferPointer(start: block, count: size)) }
            total += Int64(size)
        }
    }

    /// Bytes of the archive file read so far (compressed), for progress.
    var bytesRead: Int64 { decompressor?.bytesRead ?? Int64(archive_filter_bytes(archive, -1)) }

    /// Skips the current entry's data.
    func skipData() throws(SnapshotError) {
        guard archive_read_data_skip(archive) >= ARCHIVE_WARN else { throw failure(current?.path, "cannot skip the data") }
    }

    private func failure(_ entry: String?, _ what: String) -> SnapshotError {
        // A broken compressed stream shows here as a short tar stream: name the real cause.
        let detail = decompressor?.failure ?? libarchiveError(archive)
        return .archive(file: path, entry: entry, reason: "\(what): \(detail)")
    }
}
