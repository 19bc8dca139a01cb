import TSDB

/// What an archive entry's path names, after the safety checks every path gets.
///
/// Paths are relative, made of plain components (no `..`, no `.` after a leading `./`, no
/// empty components, no NUL). A block file is `[prefix/]<ULID>/meta.json`, `index`,
/// `tombstones` or `chunks/NNNNNN`; the prefix is the folder a plain `tar` of a Prometheus
/// snapshot or data directory puts the blocks in (the reader requires one prefix for all).
enum EntryPath: Equatable {
    case manifest
    /// A file of block `ulid`; `relative` is its path inside the block folder.
    case blockFile(ulid: String, relative: String)
    /// A folder: never extracted (folders are made as the files need them).
    case directory
    /// Part of a Prometheus data directory that is not a block (`wal/`, `chunks_head/`,
    /// `lock`, `queries.active`, blocks being written or deleted): skipped on import.
    case notBlockData

    /// The path's components, or why the path is unsafe.
    static func components(_ path: String) throws(SnapshotError) -> [Substring] {
        guard !path.isEmpty else { throw .refusedEntry(entry: path, reason: "empty path") }
        guard !path.hasPrefix("/") else { throw .refusedEntry(entry: path, reason: "absolute path") }
        guard !path.utf8.contains(0) else { throw .refusedEntry(entry: path, reason: "path contains a NUL byte") }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        while parts.count > 1, parts.first == "." { parts.removeFirst() }
        if parts.count > 1, parts.last == "" { parts.removeLast() }
        for part in parts {
            if part == ".." { throw .refusedEntry(entry: path, reason: "path contains \"..\"") }
            if part == "." || part.isEmpty { throw .refusedEntry(entry: path, reason: "path is not in normal form (\".\" or empty component)") }
        }
        return parts
    }

    /// Classifies `path`, refusing unsafe ones; also returns the path in normal form (so
    /// that two spellings of one path compare equal). Folders are only checked for safety:
    /// nothing is ever created from a folder entry.
    static func classify(_ path: String, isDirectory: Bool = false) throws(SnapshotError) -> (EntryPath, prefix: [Substring], normalized: String) {
        let parts = try components(path)
        let (kind, prefix) = try classify(parts, path: path, isDirectory: isDirectory)
        return (kind, prefix, parts.joined(separator: "/"))
    }

    private static func classify(_ parts: [Substring], path: String, isDirectory: Bool) throws(SnapshotError) -> (EntryPath, prefix: [Substring]) {
        if isDirectory { return (.directory, []) }
        if parts == ["manifest.json"] { return (.manifest, []) }
        if let at = parts.firstIndex(where: { ReadOnlyDB.isBlockName(String($0)) }) {
            let rest = parts[(at + 1)...]
            let inside = rest.joined(separator: "/")
            let isBlockFile: Bool
            switch rest.count {
            case 1: isBlockFile = ["meta.json", "index", "tombstones"].contains(rest.first!)
            case 2:
                let segment = rest.last!.utf8
                isBlockFile = rest.first == "chunks" && segment.count == 6 && segment.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            default: isBlockFile = false
            }
            if isBlockFile { return (.blockFile(ulid: String(parts[at]), relative: inside), Array(parts[..<at])) }
        }
        if parts.contains(where: isPrometheusNonBlock) || parts.last == "lock" || parts.last == "queries.active" {
            return (.notBlockData, [])
        }
        throw .refusedEntry(entry: path, reason: "not a block file (meta.json, index, tombstones or chunks/NNNNNN of a block folder)")
    }

    /// Names in a Prometheus data directory besides the blocks.
    private static func isPrometheusNonBlock(_ name: Substring) -> Bool {
        name == "wal" || name == "chunks_head" || name.hasSuffix(".tmp-for-creation") || name.hasSuffix(".tmp-for-deletion")
    }
}
