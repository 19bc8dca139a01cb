import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// Reading Prometheus's block format: blocks written by promtool and by an old Prometheus
/// (index v1) read back sample for sample, compared with `promtool tsdb dump`.
@Suite(.serialized)
struct BlockReaderTests {
    static let hindsight = Conformance.packageRoot.appendingPathComponent(".build/debug/hindsight").path


    /// A deterministic OpenMetrics input: counters, gauges with noise, NaN, a stale-free
    /// mix of regular and irregular timestamps across several 2 h block ranges.
    static func openMetricsInput(seriesPerMetric: Int = 4, hours: Int = 5) -> String {
        var rng = SplitMix64(state: 7)
        var lines = ["# HELP requests Requests served.", "# TYPE requests counter"]
        let start = 1_700_000_000
        for s in 0..<seriesPerMetric {
            var value = 0.0
            for i in stride(from: 0, to: hours * 3600, by: 15) {
                value += Double(Int.random(in: 0...20, using: &rng))
                lines.append("requests_total{code=\"\(200 + s)\",path=\"/a\\\"b\"} \(GoFloat.format(value)) \(start + i)")
            }
        }
        lines.append("# TYPE temperature gauge")
        for s in 0..<seriesPerMetric {
            var t = start * 1000
            for i in 0..<(hours * 3600 / 20) {
                t += 20_000 + Int.random(in: -900...900, using: &rng)
                let v = i % 97 == 0 ? "NaN" : GoFloat.format(20 + Double(Int.random(in: -5000...5000, using: &rng)) / 1000)
                lines.append("temperature{room=\"r\(s)\",unit=\"☃\"} \(v) \(t / 1000).\(String(format: "%03d", t % 1000))")
            }
        }
        lines.append("# EOF")
        return lines.joined(separator: "\n") + "\n"
    }

    /// promtool's blocks of `input` in a new directory (with the empty `wal/` promtool 2.42's dump needs).
    static func promtoolBlocks(_ input: String, in dir: TemporaryDirectory) throws -> String {
        let promtool = try #require(Subprocess.which("promtool"), "promtool is not installed (scripts/setup installs it)")
        let inputPath = dir.path + "/input.om"
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        let data = dir.path + "/data"
        let result = try Subprocess.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", inputPath, data])
        #expect(result.status == 0, "\(result.stderr)")
        try FileManager.default.createDirectory(atPath: data + "/wal", withIntermediateDirectories: true)
        return data
    }

    static func promtoolDump(_ data: String, _ extra: [String] = []) throws -> String {
        let promtool = try #require(Subprocess.which("promtool"))
        let result = try Subprocess.run(promtool, ["tsdb", "dump"] + extra + [data])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
    func dumpEqualsPromtoolDumpOnPromtoolBlocks() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.promtoolBlocks(Self.openMetricsInput(), in: dir)
        let db = try ReadOnlyDB(directory: data)
        #expect(db.blocks.count >= 3)
        let theirs = try Self.promtoolDump(data)
        let ours = try Subprocess.run(Self.hindsight, ["tsdb", "dump", data])
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == theirs)
        #expect(theirs.split(separator: "\n").count == 4 * 1200 + 4 * 900)
    }

    @Test(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
    func dumpSelectorsAndTimeRangesMatchPromtool() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.promtoolBlocks(Self.openMetricsInput(seriesPerMetric: 3, hours: 3), in: dir)
        let cases: [[String]] = [
            ["--match", "requests_total{code=\"201\"}"],
            ["--match", "{room=~\"r[02]\"}"],
            ["--match", "{__name__=~\"req.*\", code!=\"200\"}"],
            ["--match", "temperature{room!~\"r1\"}", "--min-time", "1700003000000", "--max-time", "1700006500000"],
            ["--min-time", "1700007000000"],
            ["--match", "{code=\"\"}"],  // only series without a code label: temperature
        ]
        for arguments in cases {
            let theirs = try Self.promtoolDump(data, arguments)
            let ours = try Subprocess.run(Self.hindsight, ["tsdb", "dump"] + arguments + [data])
            #expect(ours.status == 0, "\(arguments): \(ours.stderr)")
            #expect(ours.stdout == theirs, "\(arguments)")
            #expect(!theirs.isEmpty, "\(arguments) selects nothing")
        }
    }

    @Test(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
    func listAgreesWithPromtool() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.promtoolBlocks(Self.openMetricsInput(seriesPerMetric: 2, hours: 3), in: dir)
        let promtool = try #require(Subprocess.which("promtool"))
        let theirs = try Subprocess.run(promtool, ["tsdb", "list", data]).stdout
        let ours = try Subprocess.run(Self.hindsight, ["tsdb", "list", data]).stdout
        func cells(_ s: String) -> [[Substring]] { s.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) } }
        #expect(cells(ours) == cells(theirs))
    }

    @Test(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
    func analyzeAgreesWithPromtool() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.promtoolBlocks(Self.openMetricsInput(seriesPerMetric: 6, hours: 5), in: dir)
        let promtool = try #require(Subprocess.which("promtool"))
        let blocks = try ReadOnlyDB(directory: data).blocks.map(\.meta.ulid)
        for block in [nil] + blocks.map(Optional.some) {
            let arguments = ["tsdb", "analyze", "--limit", "100000", data] + (block.map { [$0] } ?? [])
            let theirs = try Subprocess.run(promtool, arguments)
            let ours = try Subprocess.run(Self.hindsight, arguments)
            #expect(ours.status == 0, "\(ours.stderr)")
            // promtool orders ties at random; compare each section as a set of lines.
            func sections(_ text: String) -> [[Substring]] {
                text.split(separator: "\n\n", omittingEmptySubsequences: false).map { $0.split(separator: "\n").sorted() }
            }
            #expect(sections(ours.stdout) == sections(theirs.stdout), "\(arguments)")
            #expect(ours.stdout.hasPrefix("Block ID: \(block ?? blocks.last ?? "")\n"))
        }
    }

    /// A real block from an old Prometheus, in index format v1.
    @Test(.enabled(if: Conformance.shouldRun))
    func readsIndexVersionOne() throws {
        let block = try Block(directory: Conformance.url("tsdb-blocks/index_format_v1").path)
        #expect(block.index.version == 1)
        #expect(block.meta.stats?.numSeries == 102)
        var set = try block.querier(mint: .min, maxt: .max).select([try LabelMatcher(.regexMatch, "__name__", ".*")], hints: nil)
        var series = 0, samples = 0
        var previous: Labels?
        while let s = try set.next() {
            if let previous { #expect(previous < s.labels) }
            previous = s.labels
            series += 1
            var iterator = s.makeIterator()
            while try iterator.next() != nil { samples += 1 }
        }
        #expect(series == 102)
        #expect(samples == 102)
    }

    @Test(.enabled(if: Conformance.shouldRun && (Subprocess.which("promtool") != nil || Conformance.isCI)))
    func indexVersionOneDumpEqualsPromtool() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path + "/data"
        let block = data + "/01DXXFZDYD1MQW6079WK0K6EDQ"
        try FileManager.default.createDirectory(atPath: block + "/chunks", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data + "/wal", withIntermediateDirectories: true)
        for file in ["meta.json", "index", "tombstones", "chunks/000001"] {
            try FileManager.default.copyItem(atPath: Conformance.url("tsdb-blocks/index_format_v1/" + file).path, toPath: block + "/" + file)
        }
        let theirs = try Self.promtoolDump(data)
        let ours = try Subprocess.run(Self.hindsight, ["tsdb", "dump", data])
        #expect(ours.stdout == theirs)
        #expect(theirs.split(separator: "\n").count == 102)
    }
}
