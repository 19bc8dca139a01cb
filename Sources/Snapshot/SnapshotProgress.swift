/// How far a long snapshot operation has come, for a progress line.
public struct SnapshotProgress: Sendable, Hashable {
    public enum Phase: String, Sendable {
        /// Hashing the files to export.
        case hashing
        /// Writing the archive.
        case writing
        /// Reading (decompressing and extracting) the archive.
        case reading
        /// Checking the blocks' structure and checksums.
        case verifying
    }

    public var phase: Phase
    /// Work done and to do, in the phase's unit (bytes, or blocks when verifying).
    public var done: Int64
    public var total: Int64

    public var fraction: Double { total > 0 ? min(1, Double(done) / Double(total)) : 0 }
}

/// Receives progress; called on the thread doing the work.
public typealias SnapshotProgressHandler = (SnapshotProgress) -> Void
