import Exposition
import Foundation
import TestSupport
import Testing

struct LintTests {
    static let sample = """
        # TYPE foo counter
        foo 1
        # HELP bar_total A gauge with a counter name.
        # TYPE bar_total gauge
        bar_total{le="1",fooBar="x"} 2
        # HELP request_duration_milliseconds Durations.
        # TYPE request_duration_milliseconds histogram
        request_duration_milliseconds_bucket{le="+Inf"} 1
        request_duration_milliseconds_sum 1
        request_duration_milliseconds_count 1
        # HELP http:requests_ms_gauge x
        # TYPE http:requests_ms_gauge gauge
        http:requests_ms_gauge 1
        # HELP fooBar_count y
        # TYPE fooBar_count gauge
        fooBar_count{quantile="0.5"} 1
        untyped_total 1

        """

    @Test func findsPromlintProblems() throws {
        let report = ExpositionChecker.check(Array(Self.sample.utf8), format: .text)
        #expect(report.error == nil)
        let lines = report.problems.map(\.description)
        #expect(lines == [
            "bar_total label names should be written in 'snake_case' not 'camelCase'",
            "bar_total non-counter metrics should not have \"_total\" suffix",
            "bar_total non-histogram metrics should not have \"le\" label",
            "foo counter metrics should have \"_total\" suffix",
            "foo no help text",
            "fooBar_count metric names should be written in 'snake_case' not 'camelCase'",
            "fooBar_count non-histogram and non-summary metrics should not have \"_count\" suffix",
            "fooBar_count non-summary metrics should not have \"quantile\" label",
            "http:requests_ms_gauge metric name should not include type 'gauge'",
            "http:requests_ms_gauge metric names should not contain ':'",
            "http:requests_ms_gauge metric names should not contain abbreviated units",
            "request_duration_milliseconds use base unit \"seconds\" instead of \"milliseconds\"",
            "untyped_total no help text",
        ])
    }

    /// The same findings as real `promtool check metrics` (Debian's Prometheus) prints.
    @Test(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
    func agreesWithPromtool() throws {
        let promtool = try #require(Subprocess.which("promtool"), "promtool is not installed (scripts/setup installs it)")
        var inputs = [Self.sample, String(decoding: try DatasetFile.bytes("node-exporter.prom"), as: UTF8.self)]
        if Conformance.directory != nil {
            inputs.append(String(decoding: try Conformance.bytes("textparse/alltypes.237mfs.prom.txt"), as: UTF8.self))
        }
        for input in inputs {
            let result = try Subprocess.run(promtool, ["check", "metrics"], input: Array(input.utf8))
            let theirs = (result.stdout + result.stderr).split(separator: "\n").map(String.init)
                .filter { !$0.hasPrefix("error while linting") }
            let ours = ExpositionChecker.check(Array(input.utf8), format: .text).problems.map(\.description)
            #expect(ours == theirs)
            #expect((result.status == 0) == ours.isEmpty)
        }
    }
}

/// The bundled datasets the demo shows.
enum DatasetFile {
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Conformance.packageRoot.appendingPathComponent("datasets").appendingPathComponent(name)))
    }
}

struct DatasetTests {
    @Test func pythonClientOpenMetricsIsValid() throws {
        let report = ExpositionChecker.check(try DatasetFile.bytes("python-client.om.txt"), format: .openMetrics)
        #expect(report.error == nil)
        #expect(report.problems.isEmpty)
        #expect(report.families.map(\.type) == [.counter, .histogram, .summary, .gauge, .info, .stateSet])
        #expect(report.exemplarCount == 6)
        let roundTrip = ExpositionWriter(format: .openMetrics).write(report.families)
        #expect(try MetricFamilyCollector.collect(Array(roundTrip.utf8), format: .openMetrics) == report.families)
    }

    @Test func nodeExporterOutputParses() throws {
        let report = ExpositionChecker.check(try DatasetFile.bytes("node-exporter.prom"), format: .text)
        #expect(report.error == nil)
        #expect(report.families.count == 283)
        #expect(report.sampleCount == 507)
    }
}
