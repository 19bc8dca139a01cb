import Exposition
import Foundation
import TestSupport
import Testing

/// The OpenMetrics project's parser test suite: every case must be accepted or rejected
/// exactly as its test.json says (the same checks `hindsight check metrics` runs).
@Suite(.enabled(if: Conformance.shouldRun))
struct OpenMetricsConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let shouldParse: Bool
        let metrics: [UInt8]
        var testDescription: String { name }
    }

    static func cases() throws -> [Case] {
        let root = Conformance.url("openmetrics/parsers")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        return try names.map { name in
            let dir = root.appendingPathComponent(name)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("test.json")))
            guard let object = json as? [String: Any], let shouldParse = object["shouldParse"] as? Bool,
                  let file = object["file"] as? String else {
                throw CocoaError(.fileReadCorruptFile)
            }
            return Case(name: name, shouldParse: shouldParse,
                        metrics: Array(try Data(contentsOf: dir.appendingPathComponent(file))))
        }
    }

    @Test func corpusHasAllCases() throws {
        let all = try Self.cases()
        #expect(all.count == 211)
        #expect(all.filter(\.shouldParse).count == 44)
        #expect(all.filter { !$0.shouldParse }.count == 167)
    }

    @Test func everyCaseAgreesWithItsTestJSON() throws {
        var mismatches: [String] = []
        for testCase in try Self.cases() {
            let report = ExpositionChecker.check(testCase.metrics, format: .openMetrics, lint: false)
            let parsed = report.error == nil
            if parsed != testCase.shouldParse {
                mismatches.append("\(testCase.name): expected \(testCase.shouldParse ? "accept" : "reject"), got \(report.error.map { "error \($0)" } ?? "accepted")")
            }
            if let error = report.error {
                #expect(error.line >= 1 && error.column >= 1, "\(testCase.name): \(error)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    /// The syntax parser alone accepts every good case (the data-model rules are the validator's).
    @Test func parserAloneAcceptsGoodCases() throws {
        for testCase in try Self.cases() where testCase.shouldParse {
            var parser = OpenMetricsParser(testCase.metrics)
            #expect(throws: Never.self, "\(testCase.name)") { _ = try parser.readAll() }
        }
    }

    @Test func goodCasesYieldExpectedValues() throws {
        let byName = Dictionary(uniqueKeysWithValues: try Self.cases().map { ($0.name, $0) })
        func samples(_ name: String) throws -> [ExpositionSample] {
            var parser = OpenMetricsParser(try #require(byName[name]).metrics)
            return try parser.readAll().compactMap { if case let .sample(s) = $0 { return s } else { return nil } }
        }
        let escaping = try samples("escaping")
        #expect(escaping.map { $0.labels.value(of: "foo") } == ["b\"a\nr", "b\\a\\z", "b\"a\nr # ", "b\\a\\z # "])
        let timestamps = try samples("timestamps")
        #expect(timestamps.map(\.timestamp) == [0, 0, 1100, .max, 1_500_000, 1_234_567_890_000])
        let exemplars = try samples("counter_exemplars")
        #expect(exemplars.first?.exemplar == Exemplar(labels: ["a": "b"], value: 0.5))
        #expect(exemplars.first?.timestamp == 123_000)
        let uint64 = try samples("uint64_counter")
        #expect(uint64.first?.value == 9_223_372_036_854_775_808)
        let infinite = try samples("labels_and_infinite")
        #expect(infinite.map(\.value) == [.infinity, -.infinity])
    }
}
