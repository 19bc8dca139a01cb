import Model

/// Prometheus's rules for when a series starts a new chunk (the head's `appendPreprocessor`):
/// chunks never cross a `chunkRange`-aligned boundary; at a quarter of the target sample
/// count the end time is predicted so the rest of the range is split evenly; and a chunk
/// is cut at that time, at twice the target count, or when it grows past the size cap.
public struct ChunkCutter: Sendable {
    /// Samples per chunk Prometheus aims for.
    public static let targetSamples = 120
    /// A chunk is cut once its data exceeds this many bytes (Prometheus: 1024 hard cap, cut at 1005).
    public static let maxBytes = 1005

    public let chunkRange: Int64
    private(set) var nextAt: Timestamp = .min

    public init(chunkRange: Int64) { self.chunkRange = chunkRange }

    /// Whether a sample at `t` must start a new chunk, given the open chunk's first and
    /// last time, sample count and size. Call before appending `t`.
    public mutating func shouldCut(at t: Timestamp, chunkMinTime: Timestamp, chunkMaxTime: Timestamp, count: Int, bytes: Int) -> Bool {
        if count == 0 {
            nextAt = ChunkCutter.rangeEnd(t, chunkRange)
            return false
        }
        if count == ChunkCutter.targetSamples / 4 {
            nextAt = ChunkCutter.predictedEnd(start: chunkMinTime, current: chunkMaxTime, max: nextAt, ratioToFull: 4)
        }
        if t >= nextAt || count >= ChunkCutter.targetSamples * 2 || bytes > ChunkCutter.maxBytes {
            nextAt = ChunkCutter.rangeEnd(t, chunkRange)
            return true
        }
        return false
    }

    /// The end of the `range`-aligned interval holding `t` (Prometheus's `rangeForTimestamp`).
    static func rangeEnd(_ t: Timestamp, _ range: Int64) -> Timestamp {
        (t / range) * range + range
    }

    /// Prometheus's `computeChunkEndTime`: spread the remaining range evenly over chunks
    /// of the size seen so far.
    static func predictedEnd(start: Timestamp, current: Timestamp, max: Timestamp, ratioToFull: Double) -> Timestamp {
        let n = Double(max - start) / (Double(current - start + 1) * ratioToFull)
        if n <= 1 { return max }
        return Timestamp(Double(start) + Double(max - start) / n.rounded(.down))
    }
}
