import ArgumentParser
import Foundation
import Model
import TSDB

/// `hindsight bench gen-blocks DIR --size-mb N`: deterministic 2-hour blocks of node-like
/// gauges and counters (15 s resolution) until the blocks hold about N MB, for
/// `scripts/bench-snapshot`.
struct BenchGenerateBlocks: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gen-blocks")

    @Option var sizeMb: Int = 500
    @Option var series: Int = 20_000
    @Argument var directory: String

    func run() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let labels = (0..<series).map { i in
            Labels(["__name__": "bench_metric_\(i % 40)", "instance": "host-\(i / 40):9100", "job": "node", "mode": ["user", "system", "idle", "iowait"][i % 4]])
        }
        var values = (0..<series).map { _ in Double(random() % 10_000) / 100 }
        let blockRange: Int64 = 2 * 3_600_000
        var blockStart: Int64 = 1_700_000_000_000 / blockRange * blockRange
        var written: Int64 = 0
        var generator = SystemRandomNumberGenerator()
        while written < Int64(sizeMb) * 1_000_000 {
            var writer = BlockWriter(chunkRange: blockRange)
            for (i, series) in labels.enumerated() {
                var v = values[i]
                for t in stride(from: blockStart, to: blockStart + blockRange, by: 15_000) {
                    // Counters climb; gauges wander with four decimals of noise.
                    if i % 2 == 0 { v += Double(random() % 1000) } else { v = max(0, v + (Double(random() % 2001) - 1000) / 10_000) }
                    try writer.append(series, t + Int64(random() % 3), v)
                }
                values[i] = v
            }
            let meta = try writer.write(into: directory, ulid: ULID(time: blockStart, using: &generator))
            written += directorySize(directory + "/" + meta.ulid)
            blockStart += blockRange
        }
        print("bytes=\(written)")
    }
}
