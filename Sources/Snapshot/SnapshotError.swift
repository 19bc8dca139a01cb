import TSDB

/// Why a snapshot could not be made, read, verified or imported. Every case names the
/// archive entry, block or file at fault so that a user can find it.
public enum SnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libarchive could not read or write the archive (truncated, corrupt, unknown format, I/O).
    case archive(file: String, entry: String?, reason: String)
    /// An entry refused before anything of it is written: unsafe path, link, device,
    /// duplicate, too large, not a block file.
    case refusedEntry(entry: String, reason: String)
    /// `manifest.json` is missing where it must be, malformed or inconsistent.
    case manifest(reason: String)
    /// An entry disagrees with the manifest (size, checksum) or a listed file is missing.
    case mismatch(entry: String, reason: String)
    /// A block fails its structural check (index, chunks, checksums, metadata).
    case invalidBlock(block: String, reason: String)
    /// The data directory is held by another process.
    case directoryInUse(directory: String)
    /// Importing would make the data directory lose or hide data.
    case conflict(directory: String, reason: String)
    /// Reading or writing the file system failed.
    case io(path: String, reason: String)
    /// The TSDB could not read or write a block or data directory.
    case storage(TSDBError)
    /// The options do not describe a usable snapshot (bad range, nothing selected).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case let .archive(file, entry?, reason): return "\(file): entry \"\(entry)\": \(reason)"
        case let .archive(file, nil, reason): return "\(file): \(reason)"
        case let .refusedEntry(entry, reason): return "entry \"\(entry)\" refused: \(reason)"
        case let .manifest(reason): return "manifest.json: \(reason)"
        case let .mismatch(entry, reason): return "entry \"\(entry)\": \(reason)"
        case let .invalidBlock(block, reason): return "block \(block): \(reason)"
        case let .directoryInUse(directory):
            return "\(directory) is in use by another process (its lock file is held): stop the server using it, or import into another directory"
        case let .conflict(directory, reason): return "\(directory): \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .storage(error): return "\(error)"
        case let .invalidRequest(reason): return reason
        }
    }

}
