/// Bounds an extraction enforces on what an archive may make it write.
public struct SnapshotLimits: Sendable, Hashable {
    /// The largest single entry (Prometheus's chunk segments are at most 512 MiB; a huge
    /// block's index can be several GiB).
    public var maximumEntrySize: Int64 = 64 << 30
    /// The most bytes all entries together may hold (nil: no limit).
    public var maximumTotalSize: Int64?

    public init(maximumEntrySize: Int64 = 64 << 30, maximumTotalSize: Int64? = nil) {
        self.maximumEntrySize = maximumEntrySize
        self.maximumTotalSize = maximumTotalSize
    }
}
