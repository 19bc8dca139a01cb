import PromQL
import Foundation
import Model
import Replay
import Rules
import TestSupport
import TSDB

/// Test data: series written as real Prometheus blocks in a temporary data directory.
struct ReplayFixture {
    let directory: TemporaryDirectory
    var path: String { directory.path }

    /// Writes `series` (label sets and samples, ms) as one block in a new data directory.
    init(_ series: [(Labels, [(Int64, Double)])]) throws {
        directory = try TemporaryDirectory(prefix: "hindsight-replay")
        var writer = BlockWriter(chunkRange: 1 << 40)
        for (labels, samples) in series.sorted(by: { $0.0 < $1.0 }) {
            for (t, v) in samples { try writer.append(labels, t, v) }
        }
        _ = try writer.write(into: directory.path, ulid: ULID(time: 1_700_000_000_000, entropy: (1, 2)))
    }

    /// Writes a rule file next to the data and returns its path.
    func ruleFile(_ text: String, name: String = "rules.yml") throws -> String {
        let path = directory.path + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Replays rule files (given as text) over the data.
    func replay(
        _ rules: String..., from: Int64, to: Int64, alignment: ReplayAlignment = .start,
        configure: (inout ReplayConfiguration) -> Void = { _ in }
    ) throws -> ReplayReport {
        var paths: [String] = []
        for (i, text) in rules.enumerated() { paths.append(try ruleFile(text, name: "rules\(i).yml")) }
        let files = try RuleFileLoader.load(paths: paths)
        let db = try ReadOnlyDB(directory: path)
        var configuration = ReplayConfiguration(
            from: from, to: to, alignment: alignment, dataStart: db.blocks.map(\.meta.minTime).min())
        configure(&configuration)
        return try Replayer(files: files, data: db, configuration: configuration).run()
    }
}

/// Minutes to ms.
func minutes(_ m: Int64) -> Int64 { m * 60_000 }

/// A series sampled every minute from 0 with the given values (nil: no sample).
func perMinute(_ values: [Double?]) -> [(Int64, Double)] {
    values.enumerated().compactMap { i, v in v.map { (minutes(Int64(i)), $0) } }
}

/// promtool's expanding notation for input series (`1 2 _ 3`, `1+1x10`, `_x3`, `stale`),
/// through the shared ``SeriesNotation``: sample `i` at `start + i × step`; nil: no sample.
func expandSeriesValues(_ text: String) throws -> [Double?] {
    try SeriesNotation.expand(text).map { value in
        switch value {
        case .omitted: return nil
        case .float(let v): return v
        case .histogram(let h): throw SeriesNotation.Error(column: 1, message: "native histogram \(h) not supported")
        }
    }
}
