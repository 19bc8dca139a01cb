import ArgumentParser
import Exposition
import Foundation

/// `hindsight bench …` (hidden): in-process measurements that `scripts/bench-*` drive,
/// so a benchmark can time a component without process start-up and file reading.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Internal benchmarks driven by scripts/bench-*.",
        shouldDisplay: false,
        subcommands: [BenchParse.self]
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
