import Foundation
import Model
import TSDB

/// Writes what a replay's rules produced — recording-rule series, `ALERTS` and
/// `ALERTS_FOR_STATE` — as Prometheus-format blocks: the alerting backfill promtool lacks.
///
/// - Only samples stamped in [from, to] are written; the warm-up before `from` is not.
/// - Blocks cover windows aligned to multiples of `blockDuration` (2 h by default), as
///   `promtool tsdb create-blocks-from` cuts them; each block's range is its samples' range
///   (max exclusive), its chunks are cut as Prometheus's head cuts them.
/// - Stale markers are written where the rule engine wrote them (a series that disappears,
///   an alert that resolves), as Prometheus's own TSDB holds them.
/// - Block names are ULIDs of the wall-clock time, like every Prometheus block: move the
///   blocks into a Prometheus data directory and it loads them on its next start (blocks
///   overlapping its own data are merged by vertical compaction).
public enum OutputBlocks {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case invalidBlockDuration(Int64)
        case append(BlockWriter.AppendError)
        case storage(String)

        public var description: String {
            switch self {
            case let .invalidBlockDuration(d): return "the block duration must be positive, got \(d)ms"
            case let .append(error): return "\(error)"
            case let .storage(message): return message
            }
        }
    }

    /// The default block duration: 2 h, like Prometheus's head blocks and promtool's backfill.
    public static let defaultBlockDuration: Int64 = 2 * 3_600_000

    /// Writes the rule outputs of `report` in [report.from, report.to] into `directory`
    /// (created when missing) and returns the blocks' metadata in time order. A report
    /// without storage, or with no output in the range, writes nothing.
    @discardableResult
    public static func write(
        _ report: ReplayReport, into directory: String, blockDuration: Int64 = defaultBlockDuration
    ) throws(Failure) -> [BlockMeta] {
        guard let storage = report.storage else { return [] }
        return try write(storage.overlay, from: report.from, to: report.to, into: directory, blockDuration: blockDuration)
    }

    /// Writes every series of `head` with its samples in [from, to] into `directory`.
    @discardableResult
    public static func write(
        _ head: Head, from: Int64, to: Int64, into directory: String, blockDuration: Int64 = defaultBlockDuration
    ) throws(Failure) -> [BlockMeta] {
        guard blockDuration > 0 else { throw .invalidBlockDuration(blockDuration) }
        var writers: [Int64: BlockWriter] = [:]
        do {
            let querier = try head.querier(mint: from, maxt: to)
            var set = try querier.select([try LabelMatcher(.regexMatch, LabelName.metricName, ".+")], hints: nil)
            let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 1024)
            defer { buffer.deallocate() }
            while let series = try set.next() {
                let labels = series.labels
                var iterator = series.makeIterator()
                while true {
                    let n = try iterator.next(into: buffer)
                    if n == 0 { break }
                    for sample in buffer[0..<n] where sample.timestamp >= from && sample.timestamp <= to {
                        let window = floorDivide(sample.timestamp, blockDuration) * blockDuration
                        try writers[window, default: BlockWriter(chunkRange: blockDuration)]
                            .append(labels, sample.timestamp, sample.value)
                    }
                }
            }
        } catch let error as BlockWriter.AppendError {
            throw .append(error)
        } catch {
            throw .storage("cannot read the rule outputs: \(error)")
        }
        guard !writers.isEmpty else { return [] }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(directory): \(error.localizedDescription)")
        }
        var blocks: [BlockMeta] = []
        do throws(TSDBError) {
            var generator = SystemRandomNumberGenerator()
            for window in writers.keys.sorted() {
                guard var writer = writers.removeValue(forKey: window), !writer.isEmpty else { continue }
                let ulid = ULID(time: Int64(Date().timeIntervalSince1970 * 1000), using: &generator)
                blocks.append(try writer.write(into: directory, ulid: ulid))
            }
        } catch {
            throw .storage("\(directory): \(error)")
        }
        return blocks
    }
}
