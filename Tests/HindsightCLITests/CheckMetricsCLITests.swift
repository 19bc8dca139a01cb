import Foundation
import TestSupport
import Testing

/// `hindsight` as a user runs it: the built executable, its output and exit codes.
struct CheckMetricsCLITests {
    /// The executable built beside the test bundle.
    static let binary: String = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hindsight"),
            Bundle.main.bundleURL.appendingPathComponent("hindsight"),
            Conformance.packageRoot.appendingPathComponent(".build/debug/hindsight"),
        ]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]).path
    }()

    static func hindsight(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        try Subprocess.run(binary, arguments, input: input.map { Array($0.utf8) })
    }

    @Test func printsVersion() throws {
        let result = try Self.hindsight(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("hindsight, version "))
    }

    @Test func cleanInputExitsZeroQuietly() throws {
        let result = try Self.hindsight(["check", "metrics"], input: "# HELP a_total Things.\n# TYPE a_total counter\na_total 1\n")
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.isEmpty)
    }

    @Test func parseErrorNamesLineAndColumn() throws {
        let result = try Self.hindsight(["check", "metrics", "-"], input: "a 1\nb{c=\"d\" 2\n")
        #expect(result.status == 1)
        #expect(result.stderr == "<stdin>:2:9: error: expected ',' or '}' after a label, found '2'\n")
    }

    @Test func lintFindingsGoToStdoutAndExitThree() throws {
        let result = try Self.hindsight(["check", "metrics"], input: "# TYPE foo counter\nfoo 1\n")
        #expect(result.status == 3)
        #expect(result.stdout == "foo counter metrics should have \"_total\" suffix\nfoo no help text\n")
        let quiet = try Self.hindsight(["check", "metrics", "--lint", "none"], input: "# TYPE foo counter\nfoo 1\n")
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty)
    }

    @Test func openMetricsNeedsEOF() throws {
        let result = try Self.hindsight(["check", "metrics", "--format", "openmetrics"], input: "a 1\n")
        #expect(result.status == 1)
        #expect(result.stderr.contains("<stdin>:2:1: error: unexpected end of input: expected \"# EOF\""))
    }

    @Test func verboseListsFamilies() throws {
        let result = try Self.hindsight(["check", "metrics", "--verbose", "--lint", "none"],
                                        input: "# HELP a_total Things.\n# TYPE a_total counter\na_total 1\na_total{x=\"y\"} 2\nb 3\n")
        #expect(result.status == 0)
        #expect(result.stdout.contains("a_total  counter"))
        #expect(result.stdout.contains("2 families, 3 samples, 0 exemplars"))
    }

    @Test func missingFileIsAClearError() throws {
        let result = try Self.hindsight(["check", "metrics", "/nonexistent/metrics.txt"])
        #expect(result.status == 1)
        #expect(result.stderr == "/nonexistent/metrics.txt: error: no such file\n")
    }

    @Test func badFormatNameIsRejected() throws {
        let result = try Self.hindsight(["check", "metrics", "--format", "protobuf"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("protobuf"))
    }

    /// The acceptance run: all 211 OpenMetrics cases through the command line.
    @Test(.enabled(if: Conformance.shouldRun))
    func openMetricsCorpusThroughTheCommand() throws {
        let root = Conformance.url("openmetrics/parsers")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(names.count == 211)
        var accepted = 0, rejected = 0
        for name in names {
            let dir = root.appendingPathComponent(name)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("test.json"))) as? [String: Any]
            let shouldParse = try #require(json?["shouldParse"] as? Bool)
            let result = try Self.hindsight(["check", "metrics", "--format", "openmetrics", "--lint", "none",
                                             dir.appendingPathComponent("metrics").path])
            #expect((result.status == 0) == shouldParse, "\(name): exit \(result.status) \(result.stderr)")
            if result.status == 0 { accepted += 1 } else {
                rejected += 1
                #expect(result.status == 1, "\(name)")
                #expect(result.stderr.range(of: #"metrics:\d+:\d+: error: "#, options: .regularExpression) != nil, "\(name): \(result.stderr)")
            }
        }
        #expect(accepted == 44)
        #expect(rejected == 167)
    }
}
