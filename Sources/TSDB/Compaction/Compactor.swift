import Foundation
import Model

/// Plans and runs compactions of persisted blocks, as Prometheus's leveled compactor
/// does: overlapping blocks are merged first (vertical compaction), then adjacent blocks
/// are merged into ranges of 2 h × 3^k up to the maximum block duration.
public struct Compactor: Sendable {
    /// The block ranges, smallest first (Prometheus: 2h, 6h, 18h, 54h, …).
    public let ranges: [Int64]

    public init(ranges: [Int64]) { self.ranges = ranges }

    /// 2 h × 3^k ranges up to `maxBlockDuration`.
    public static func exponentialRanges(base: Int64 = 2 * 3_600_000, maxBlockDuration: Int64) -> [Int64] {
        var ranges = [base]
        while let last = ranges.last, last * 3 <= maxBlockDuration { ranges.append(last * 3) }
        return ranges
    }

    /// The blocks to compact together next, or nil when nothing is due. `blocks` must be
    /// sorted by minimum time.
    public func plan(_ blocks: [BlockMeta]) -> [BlockMeta]? {
        if let overlapping = Compactor.overlapping(blocks) { return overlapping }
        guard ranges.count >= 2, let newest = blocks.last else { return nil }
        let highTime = newest.minTime
        for range in ranges.dropFirst() {
            for group in Compactor.split(blocks, by: range) where group.count > 1 {
                guard let first = group.first, let last = group.last else { continue }
                if group.contains(where: { $0.compaction.failed == true }) { continue }
                // A full range, or one older than the newest block: nothing more will join it.
                if last.maxTime - first.minTime == range || last.maxTime <= highTime { return group }
            }
        }
        return nil
    }

    /// The first set of blocks whose time ranges overlap, if any.
    static func overlapping(_ blocks: [BlockMeta]) -> [BlockMeta]? {
        var group: [BlockMeta] = []
        var groupMax = Int64.min
        for block in blocks {
            if !group.isEmpty && block.minTime < groupMax {
                group.append(block)
                groupMax = max(groupMax, block.maxTime)
            } else {
                if group.count > 1 { return group }
                group = [block]
                groupMax = block.maxTime
            }
        }
        return group.count > 1 ? group : nil
    }

    /// Blocks grouped by the `range`-aligned window that wholly contains them; blocks that
    /// straddle a window boundary belong to none.
    static func split(_ blocks: [BlockMeta], by range: Int64) -> [[BlockMeta]] {
        var groups: [[BlockMeta]] = []
        var current: [BlockMeta] = []
        var windowStart = Int64.min
        for block in blocks {
            let start = floorDivide(block.minTime, range) * range
            guard block.maxTime <= start + range else { continue }
            if start != windowStart {
                if !current.isEmpty { groups.append(current) }
                current = []
                windowStart = start
            }
            current.append(block)
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    /// Writes one block holding the samples of `blocks` (merged, deduplicated, tombstones
    /// applied) into `directory`, and returns its metadata. The inputs are left in place.
    /// Nil when no sample is left (every one deleted): no block is written then.
    public static func compact(
        _ blocks: [Block], into directory: String, ulid: ULID, chunkRange: Int64 = 2 * 3_600_000
    ) throws -> BlockMeta? {
        guard let mint = blocks.map(\.meta.minTime).min(), let maxt = blocks.map(\.meta.maxTime).max() else {
            throw TSDBError.invalidMeta(file: directory, reason: "nothing to compact")
        }
        var writer = BlockWriter(chunkRange: chunkRange)
        try writer.append(contentsOf: MergeQuerier(try blocks.map { try $0.querier(mint: mint, maxt: maxt - 1) }))
        if writer.isEmpty { return nil }
        let level = (blocks.map(\.meta.compaction.level).max() ?? 0) + 1
        let sources = Array(Set(blocks.flatMap { $0.meta.compaction.sources ?? [$0.meta.ulid] })).sorted()
        let parents = blocks.map { BlockMeta.Parent(ulid: $0.meta.ulid, minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) }
        return try writer.write(into: directory, ulid: ulid, range: (mint, maxt),
                                compaction: .init(level: level, sources: sources, parents: parents, deletable: nil, failed: nil, hints: nil))
    }
}
