import Exposition
import Model
import TestSupport
import Testing

/// Prometheus's own textparse test inputs parse, and parse → write → parse gives the same
/// samples and metadata, in both formats.
@Suite(.enabled(if: Conformance.shouldRun))
struct RoundTripTests {
    static let inputs: [(file: String, format: ExpositionFormat)] = [
        ("textparse/alltypes.237mfs.prom.txt", .text),
        ("textparse/alltypes.237mfs.nometa.prom.txt", .text),
        ("textparse/alltypes.5mfs.om.txt", .openMetrics),
        ("textparse/1histogram.om.txt", .openMetrics),
    ]

    @Test(arguments: inputs.map(\.file))
    func parsesAndRoundTrips(file: String) throws {
        let format = try #require(Self.inputs.first { $0.file == file }).format
        let families = try MetricFamilyCollector.collect(try Conformance.bytes(file), format: format)
        #expect(!families.isEmpty)
        let written = ExpositionWriter(format: format).write(families)
        let reparsed = try MetricFamilyCollector.collect(Array(written.utf8), format: format)
        #expect(reparsed == families)
    }

    @Test func alltypesHasExpectedShape() throws {
        let families = try MetricFamilyCollector.collect(try Conformance.bytes("textparse/alltypes.237mfs.prom.txt"), format: .text)
        #expect(families.count == 237)
        #expect(families.allSatisfy { $0.help != nil && $0.type != nil })
        let samples = families.reduce(0) { $0 + $1.samples.count }
        // Every non-comment, non-empty line is one sample.
        let text = String(decoding: try Conformance.bytes("textparse/alltypes.237mfs.prom.txt"), as: UTF8.self)
        let expected = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        #expect(samples == expected)
        let gc = try #require(families.first { $0.name == "go_gc_duration_seconds" })
        #expect(gc.type == .summary)
        #expect(gc.samples.count == 7)
        #expect(gc.samples[5].labels == ["__name__": "go_gc_duration_seconds_sum"])
        #expect(gc.samples[5].value == 44.985611511)
    }

    /// The nometa file is the same samples without HELP/TYPE lines.
    @Test func nometaHasTheSameSamples() throws {
        let full = try MetricFamilyCollector.collect(try Conformance.bytes("textparse/alltypes.237mfs.prom.txt"), format: .text)
        let bare = try MetricFamilyCollector.collect(try Conformance.bytes("textparse/alltypes.237mfs.nometa.prom.txt"), format: .text)
        #expect(full.flatMap(\.samples) == bare.flatMap(\.samples))
    }

    /// Writing the text-format samples as OpenMetrics and reading them back keeps every sample.
    @Test func crossFormatKeepsSamples() throws {
        let families = try MetricFamilyCollector.collect(try Conformance.bytes("textparse/1histogram.om.txt"), format: .openMetrics)
        let asText = ExpositionWriter(format: .text).write(families)
        let back = try MetricFamilyCollector.collect(Array(asText.utf8), format: .text)
        #expect(back.flatMap(\.samples).map { ExpositionSample(labels: $0.labels, value: $0.value, timestamp: $0.timestamp) }
                == families.flatMap(\.samples).map { ExpositionSample(labels: $0.labels, value: $0.value, timestamp: $0.timestamp) })
    }
}
