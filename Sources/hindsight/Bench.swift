import ArgumentParser
import Exposition
import Foundation
import Model
import TSDB

/// `hindsight bench …` (hidden): in-process measurements that `scripts/bench-*` drive,
/// so a benchmark can time a component without process start-up and file reading.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Internal benchmarks driven by scripts/bench-*.",
        shouldDisplay: false,
        subcommands: [BenchParse.self, BenchHeadAppend.self, BenchDecode.self, BenchPromQL.self, BenchRules.self, BenchGenerateBlocks.self]
    )
}

/// Parses a file N times with the parser alone and prints MB/s and samples/s.
struct BenchParse: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse")

    @Option var format: ExpositionFormat = .text
    @Option(name: .customLong("repeat")) var repetitions: Int = 5
    @Argument var file: String

    func run() throws {
        let bytes = try InputReader.readAll(file)
        var best = Double.infinity
        var samples = 0
        for _ in 0..<max(1, repetitions) {
            let start = DispatchTime.now().uptimeNanoseconds
            var parser = format.makeParser(bytes)
            var count = 0
            while let entry = try parser.next() {
                if case .sample = entry { count += 1 }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, seconds)
            samples = count
        }
        let mb = Double(bytes.count) / 1e6
        print(String(format: "bytes=%d samples=%d seconds=%.4f mb_per_s=%.1f samples_per_s=%.0f",
                     bytes.count, samples, best, mb / best, Double(samples) / best))
    }
}

/// Appends `series` × `samples` float samples to an in-memory head (no WAL) in
/// transactions of one sample per series, and prints samples/s.
struct BenchHeadAppend: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "head-append")

    @Option var series: Int = 2000
    @Option var samples: Int = 1000

    func run() throws {
        let head = Head()
        let labels = (0..<series).map { Labels(["__name__": "bench_metric", "instance": "host-\($0 % 100)", "series": String($0)]) }
        var rng = SystemRandomNumberGenerator()
        let values = (0..<1024).map { _ in Double.random(in: 0..<1000, using: &rng).rounded() }
        let start = DispatchTime.now().uptimeNanoseconds
        var t: Timestamp = 1_700_000_000_000
        for i in 0..<samples {
            var app = head.appender()
            for (k, l) in labels.enumerated() { try app.append(l, t, values[(i + k) & 1023]) }
            try app.commit()
            t += 15_000
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let total = Double(series * samples)
        print(String(format: "samples=%.0f seconds=%.3f samples_per_s=%.0f", total, seconds, total / seconds))
    }
}

/// Reads every sample of a data directory through the querier, `--repeat` times, and
/// prints the first scan (pages of the mapped chunk files touched for the first time) and
/// the best one (mapped pages warm), in samples/s.
struct BenchDecode: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode")

    @Option(name: .customLong("repeat")) var repetitions: Int = 3
    @Argument var directory: String

    func run() throws {
        let db = try ReadOnlyDB(directory: directory)
        let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 4096)
        defer { buffer.deallocate() }
        var first = 0.0, best = Double.infinity
        var count = 0
        var checksum = 0.0
        for run in 0..<max(1, repetitions) {
            let start = DispatchTime.now().uptimeNanoseconds
            var set = try db.querier(mint: .min, maxt: .max).select([try LabelMatcher(.regexMatch, "__name__", ".*")], hints: nil)
            count = 0
            checksum = 0
            while let series = try set.next() {
                var iterator = series.makeIterator()
                while true {
                    let n = try iterator.next(into: buffer)
                    if n == 0 { break }
                    count += n
                    for i in 0..<n { checksum += buffer[i].value }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if run == 0 { first = seconds }
            best = min(best, seconds)
        }
        print(String(format: "samples=%d first_seconds=%.3f seconds=%.3f first_samples_per_s=%.0f samples_per_s=%.0f checksum=%.0f",
                     count, first, best, Double(count) / first, Double(count) / best, checksum))
    }
}
