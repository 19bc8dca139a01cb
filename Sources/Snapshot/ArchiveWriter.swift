import CArchive
import Foundation

/// How a snapshot tarball is compressed. zstd is the default: it compresses TSDB blocks
/// about as well as xz at the speed of gzip.
public enum SnapshotCompression: String, Sendable, CaseIterable {
    case zstd
    case gzip
    case xz
    case none
}

/// What kind of entry an archive holds. Only ``file`` and ``directory`` are ever extracted;
/// the others exist so that tests can build hostile archives and readers can name them.
public enum ArchiveEntryType: Sendable, Hashable, CustomStringConvertible {
    case file
    case directory
    case symlink
    case hardlink
    case characterDevice
    case blockDevice
    case fifo
    case socket
    case other(mode: UInt32)

    public var description: String {
        switch self {
        case .file: "regular file"
        case .directory: "directory"
        case .symlink: "symbolic link"
        case .hardlink: "hard link"
        case .characterDevice: "character device"
        case .blockDevice: "block device"
        case .fifo: "FIFO"
        case .socket: "socket"
        case let .other(mode): "entry of unknown type (mode \(String(mode, radix: 8)))"
        }
    }

    /// The `AE_IF…` file type bits of this type (a hard link is a regular file with a link target).
    var fileTypeBits: UInt32 {
        switch self {
        case .file, .hardlink: FileTypeBits.reg
        case .directory: FileTypeBits.dir
        case .symlink: FileTypeBits.lnk
        case .characterDevice: FileTypeBits.chr
        case .blockDevice: FileTypeBits.blk
        case .fifo: FileTypeBits.ifo
        case .socket: FileTypeBits.sock
        case let .other(mode): mode
        }
    }
}

/// libarchive's `AE_IF…` file type bits (C macros with casts, which Swift does not import).
enum FileTypeBits {
    static let reg: UInt32 = 0o100000
    static let dir: UInt32 = 0o040000
    static let lnk: UInt32 = 0o120000
    static let chr: UInt32 = 0o020000
    static let blk: UInt32 = 0o060000
    static let ifo: UInt32 = 0o010000
    static let sock: UInt32 = 0o140000
}

/// libarchive's message for the last error on `archive`.
func libarchiveError(_ archive: OpaquePointer, otherwise fallback: String = "unknown libarchive error") -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? fallback
}

/// Streams entries into a tar archive (POSIX pax format, ustar-compatible where possible)
/// through a libarchive compression filter, to a file or to standard output (`-`).
public final class ArchiveWriter {
    private let archive: OpaquePointer
    public let path: String
    private var closed = false

    public init(path: String, compression: SnapshotCompression) throws(SnapshotError) {
        guard let archive = archive_write_new() else { throw .archive(file: path, entry: nil, reason: "libarchive cannot allocate a writer") }
        self.archive = archive
        self.path = path
        try check(archive_write_set_format_pax_restricted(archive), "cannot select the tar format")
        switch compression {
        case .zstd:
            try check(archive_write_add_filter_zstd(archive), "cannot use zstd compression")
            // Compress on every core, as zstd's own multi-threaded mode does.
            let threads = String(max(1, ProcessInfo.processInfo.activeProcessorCount))
            _ = archive_write_set_filter_option(archive, "zstd", "threads", threads)
        case .gzip: try check(archive_write_add_filter_gzip(archive), "cannot use gzip compression")
        case .xz: try check(archive_write_add_filter_xz(archive), "cannot use xz compression")
        case .none: try check(archive_write_add_filter_none(archive), "cannot write an uncompressed archive")
        }
        // Whole 10 KiB records are padded only at the end; entries stream in 1 MiB writes.
        archive_write_set_bytes_in_last_block(archive, 1)
        if path == "-" {
            try check(archive_write_open_fd(archive, STDOUT_FILENO), "cannot write to standard output")
        } else {
            try check(archive_write_open_filename(archive, path), "cannot create the file")
        }
    }

    deinit {
        if !closed { archive_write_close(archive) }
        archive_write_free(archive)
    }

    /// Adds a regular file with `bytes` as its content.
    public func add(_ name: String, bytes: [UInt8], modificationTime: Int = 0) throws(SnapshotError) {
        try writeHeader(name, type: .file, size: Int64(bytes.count), modificationTime: modificationTime)
        try writeData(bytes, entry: name)
    }

    /// Adds a regular file whose `size` bytes are read from the open descriptor `fd`
    /// (from its start); `progress` hears the bytes written as they go.
    public func add(
        _ name: String, contentsOf fd: Int32, size: Int64, modificationTime: Int = 0,
        progress: (Int) -> Void = { _ in }
    ) throws(SnapshotError) {
        try writeHeader(name, type: .file, size: size, modificationTime: modificationTime)
        try forEachChunk(of: fd, size: size, name: name) { chunk throws(SnapshotError) in
            try writeData(chunk, entry: name)
            progress(chunk.count)
        }
    }

    /// Adds an entry of any type, as given: for tests that build hostile archives.
    /// `size` may differ from `bytes.count` (an entry that claims more than it holds).
    public func addRawEntry(
        _ name: String, type: ArchiveEntryType, bytes: [UInt8] = [], size: Int64? = nil, linkTarget: String? = nil
    ) throws(SnapshotError) {
        try writeHeader(name, type: type, size: size ?? Int64(bytes.count), modificationTime: 0, linkTarget: linkTarget)
        if !bytes.isEmpty { try writeData(bytes, entry: name) }
        archive_write_finish_entry(archive)
    }

    /// Finishes the archive (end-of-archive records, compression trailer) and closes the file.
    public func close() throws(SnapshotError) {
        guard !closed else { return }
        closed = true
        try check(archive_write_close(archive), "cannot finish the archive")
    }

    private func writeHeader(
        _ name: String, type: ArchiveEntryType, size: Int64, modificationTime: Int, linkTarget: String? = nil
    ) throws(SnapshotError) {
        guard let entry = archive_entry_new() else { throw .archive(file: path, entry: name, reason: "cannot allocate an entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_filetype(entry, type.fileTypeBits)
        archive_entry_set_perm(entry, type == .directory ? 0o755 : 0o644)
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, modificationTime, 0)
        if let linkTarget {
            if type == .hardlink { archive_entry_set_hardlink(entry, linkTarget) } else { archive_entry_set_symlink(entry, linkTarget) }
        }
        try check(archive_write_header(archive, entry), "cannot write the header", entry: name)
    }

    private func writeData(_ bytes: [UInt8], entry name: String) throws(SnapshotError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SnapshotError) in try writeData(raw, entry: name) }
        }
        try result.get()
    }

    private func writeData(_ bytes: UnsafeRawBufferPointer, entry name: String) throws(SnapshotError) {
        var written = 0
        while written < bytes.count {
            let n = archive_write_data(archive, bytes.baseAddress! + written, bytes.count - written)
            guard n > 0 else { throw error("cannot write the data", entry: name) }
            written += n
        }
    }

    private func check(_ status: Int32, _ what: String, entry: String? = nil) throws(SnapshotError) {
        guard status < ARCHIVE_WARN else { return }
        throw error(what, entry: entry)
    }

    private func error(_ what: String, entry: String?) -> SnapshotError {
        .archive(file: path, entry: entry, reason: "\(what): \(libarchiveError(archive))")
    }
}
