import Exposition
import Model
import Testing

/// The parsers build label sets straight into `Labels`' packed layout; these check that
/// layout against `Labels`' own constructor on the cases the fast path does not take:
/// unsorted names, lengths that need multi-byte varints, escapes, non-ASCII, repeats.
struct LabelPackingTests {
    private func sample(_ text: String) throws -> ExpositionSample {
        var parser = TextParser(text)
        guard case let .sample(s)? = try parser.next() else { throw ExpositionErrorMissing() }
        return s
    }

    private struct ExpositionErrorMissing: Error {}

    private func quote(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    @Test func packsLikeLabelsInit() throws {
        let long = String(repeating: "v", count: 200)
        let veryLong = String(repeating: "w", count: 20_000)
        let longName = "n" + String(repeating: "_", count: 150)
        let cases: [(String, [(String, String)])] = [
            ("m", [("a", "1")]),
            ("m", [("z", "1"), ("b", "2"), ("a", "3")]),
            ("m", [("a", long)]),
            ("m", [("b", veryLong), ("a", long)]),
            ("m", [(longName, "x"), ("a", "y")]),
            ("m", [("a", "q\"uo\\te\nnl"), ("b", "☃ ü"), ("c", "")]),
            ("a_very_long_metric_name_for_the_string_table", [("__x", "1")]),
        ]
        for (name, labels) in cases {
            let text = name + "{" + labels.map { "\($0.0)=\"\(quote($0.1))\"" }.joined(separator: ",") + "} 1\n"
            let parsed = try sample(text)
            let expected = Labels([Label("__name__", name)] + labels.map { Label($0.0, $0.1) })
            #expect(parsed.labels == expected, "\(text.prefix(80))")
            #expect(parsed.labels.stableHash == expected.stableHash)
            #expect(parsed.name == name)
            #expect(Array(parsed.labels) == Array(expected))
        }
    }

    @Test func reportsDuplicatesAfterSorting() {
        var parser = TextParser("m{b=\"1\",a=\"2\",b=\"3\"} 1\n")
        #expect(throws: ExpositionError.self) { try parser.next() }
    }

    @Test func randomLabelSetsRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ_09")
        var text = ""
        var expected: [ExpositionSample] = []
        for k in 0..<2000 {
            var pairs: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let first = String("abcxyz_".randomElement(using: &rng)!)
                let name = first + String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                if name.hasPrefix("__") { continue }
                let length = [0, 3, 127, 128, 129, 300].randomElement(using: &rng)!
                pairs[name] = String((0..<length).map { _ in "ab\"\\\nü".randomElement(using: &rng)! })
            }
            let metric = k % 3 == 0 ? "same_metric_name_across_lines" : "metric_\(k % 7)"
            let shuffled = pairs.shuffled(using: &rng)
            text += metric + "{" + shuffled.map { "\($0.key)=\"\(quote($0.value))\"" }.joined(separator: ",") + "} \(k)\n"
            let labels = Labels([Label("__name__", metric)] + pairs.map { Label($0.key, $0.value) })
            expected.append(ExpositionSample(labels: labels, value: Double(k)))
        }
        var parser = TextParser(text)
        let samples = try parser.readAll().compactMap { if case let .sample(s) = $0 { return s } else { return nil } }
        #expect(samples == expected)
        #expect(samples.map(\.name) == expected.map(\.name))
    }

    @Test func openMetricsExemplarLabelsStillCounted() throws {
        let ok = "a_total 1 # {" + "t=\"" + String(repeating: "x", count: 127) + "\"} 1\n# EOF\n"
        var parser = OpenMetricsParser(ok)
        _ = try parser.readAll()
        let tooLong = "a_total 1 # {" + "t=\"" + String(repeating: "x", count: 128) + "\"} 1\n# EOF\n"
        var bad = OpenMetricsParser(tooLong)
        #expect(throws: ExpositionError.self) { _ = try bad.readAll() }
    }
}
