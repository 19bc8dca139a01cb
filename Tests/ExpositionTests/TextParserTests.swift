import Exposition
import Model
import Testing

/// The Prometheus text format (0.0.4) parser, table-driven.
struct TextParserTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let input: String
        let samples: [ExpositionSample]
        var testDescription: String { input.debugDescription }
    }

    static let valid: [Valid] = [
        Valid(input: "a 1\n", samples: [.init(labels: ["__name__": "a"], value: 1)]),
        Valid(input: "a 1", samples: [.init(labels: ["__name__": "a"], value: 1)]),
        Valid(input: "a{b=\"c\"} 2 1000\n", samples: [.init(labels: ["__name__": "a", "b": "c"], value: 2, timestamp: 1000)]),
        Valid(input: "  a { b = \"c\" , } \t 2\t-5  \n", samples: [.init(labels: ["__name__": "a", "b": "c"], value: 2, timestamp: -5)]),
        Valid(input: "a{z=\"1\",b=\"2\"} +Inf\n", samples: [.init(labels: ["__name__": "a", "b": "2", "z": "1"], value: .infinity)]),
        Valid(input: "a -inf\nb Infinity\n", samples: [.init(labels: ["__name__": "a"], value: -.infinity), .init(labels: ["__name__": "b"], value: .infinity)]),
        Valid(input: "a{b=\"x\\\\y\\\"z\\nw\\q\"} 1\n", samples: [.init(labels: ["__name__": "a", "b": "x\\y\"z\nw\\q"], value: 1)]),
        Valid(input: "ns:a_b 1e3\n", samples: [.init(labels: ["__name__": "ns:a_b"], value: 1000)]),
        Valid(input: "{\"my.metric\", \"my.label\"=\"v\"} .5\n", samples: [.init(labels: ["__name__": "my.metric", "my.label": "v"], value: 0.5)]),
        Valid(input: "a{b=\"☃ ü\"} 1\n", samples: [.init(labels: ["__name__": "a", "b": "☃ ü"], value: 1)]),
        Valid(input: "# a comment\n\n# HELP\n#TYPE a counter\na 1\n", samples: [.init(labels: ["__name__": "a"], value: 1)]),
        Valid(input: "a{} 00012.50\n", samples: [.init(labels: ["__name__": "a"], value: 12.5)]),
        Valid(input: "a 5.\n", samples: [.init(labels: ["__name__": "a"], value: 5)]),
    ]

    @Test(arguments: valid)
    func parsesValidInput(_ testCase: Valid) throws {
        var parser = TextParser(testCase.input)
        let samples = try parser.readAll().compactMap { if case let .sample(s) = $0 { return s } else { return nil } }
        #expect(samples == testCase.samples)
    }

    @Test func nanIsParsedAsNaN() throws {
        var parser = TextParser("a NaN\n")
        guard case let .sample(s)? = try parser.next() else { Issue.record("no sample"); return }
        #expect(s.value.isNaN)
        #expect(!StaleMarker.isStale(s.value))
    }

    @Test func metadata() throws {
        var parser = TextParser("# HELP a The \\\\ help\\n text.\n# TYPE a summary\n# TYPE b untyped\n# HELP c\n")
        let entries = try parser.readAll()
        #expect(entries == [
            .help(family: "a", text: "The \\ help\n text."),
            .type(family: "a", .summary),
            .type(family: "b", .unknown),
            .help(family: "c", text: ""),
        ])
    }

    /// Consecutive samples reuse the previous line's metric name only when the whole name matches.
    @Test func metricNameReuseNeedsTheWholeName() throws {
        let long = "a_metric_name_longer_than_sixteen_bytes"
        let names = ["a_b", "a_b_c", "a_b", "a_b", "a_b", "a_bc", "a_b", "a:b", "a", long, long + "_total", long, long]
        let input = "a_b 1\na_b_c 2\na_b 3\na_b{x=\"1\"} 4\na_b\t5\na_bc 6\na_b 7\na:b 8\na 9\n"
            + "\(long) 1\n\(long)_total 2\n\(long){le=\"1\"} 3\n\(long) 4"
        var parser = TextParser(input)
        let samples = try parser.readAll().compactMap { if case let .sample(s) = $0 { return s } else { return nil } }
        #expect(samples.map(\.name) == names)
        #expect(samples.map { $0.labels.metricName } == names)
    }

    @Test func helpTextMustBeUTF8() throws {
        var parser = TextParser("# HELP a ☃ x\\y\n# HELP b ü\n")
        #expect(try parser.readAll() == [.help(family: "a", text: "☃ x\\y"), .help(family: "b", text: "ü")])
        for bytes in [Array("# HELP a x".utf8) + [0xFF] + [0x0A], Array("# HELP a \\\\".utf8) + [0xC3, 0x0A]] {
            var invalid = TextParser(bytes)
            #expect(throws: ExpositionError.self) { _ = try invalid.readAll() }
        }
    }

    @Test func reportsEntryLines() throws {
        var parser = TextParser("\n\n# HELP a x\n\na 1\n")
        _ = try parser.next()
        #expect(parser.line == 3)
        _ = try parser.next()
        #expect(parser.line == 5)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let input: String
        let line: Int
        let column: Int
        let message: String
        var testDescription: String { input.debugDescription }
    }

    static let invalid: [Invalid] = [
        Invalid(input: "a{b=\"c\" 1\n", line: 1, column: 9, message: "expected ',' or '}' after a label, found '1'"),
        Invalid(input: "a 1\nb{c=\"d\n", line: 2, column: 7, message: "expected closing '\"' of label value, found end of line"),
        Invalid(input: "a xyz\n", line: 1, column: 3, message: "invalid value \"xyz\""),
        Invalid(input: "a 0x1p3\n", line: 1, column: 3, message: "invalid value"),
        Invalid(input: "a 1_000\n", line: 1, column: 3, message: "invalid value"),
        Invalid(input: "a 1 1.5\n", line: 1, column: 5, message: "invalid timestamp \"1.5\""),
        Invalid(input: "a 1 2 3\n", line: 1, column: 7, message: "expected the end of the line after the timestamp"),
        Invalid(input: "a{b=\"1\",b=\"2\"} 1\n", line: 1, column: 1, message: "duplicate label name \"b\""),
        Invalid(input: "a\n", line: 1, column: 2, message: "expected a blank and a value after the metric, found end of line"),
        Invalid(input: "1a 1\n", line: 1, column: 1, message: "expected a metric name, '{', '#' or a blank line, found '1'"),
        Invalid(input: "# TYPE a gauges\n", line: 1, column: 10, message: "invalid metric type \"gauges\""),
        Invalid(input: "# TYPE a info\n", line: 1, column: 10, message: "invalid metric type \"info\""),
        Invalid(input: "# HELP 1 x\n", line: 1, column: 8, message: "expected a metric name after HELP"),
        Invalid(input: "a{b=1} 1\n", line: 1, column: 5, message: "expected '\"' to open the value of label \"b\""),
        Invalid(input: "a{=\"1\"} 1\n", line: 1, column: 3, message: "expected a label name, found '='"),
        Invalid(input: "{b=\"1\"} 1\n", line: 1, column: 1, message: "a label set without a metric name"),
        Invalid(input: "a{b=\"\u{FF}\"} 1\n", line: 1, column: 6, message: "invalid UTF-8"),
        Invalid(input: "a 1\n\0\n", line: 2, column: 1, message: "unexpected NUL byte"),
        Invalid(input: "a{\"\"=\"x\"} 1\n", line: 1, column: 3, message: "empty label name"),
    ]

    @Test(arguments: invalid)
    func rejectsInvalidInputWithPosition(_ testCase: Invalid) {
        var bytes = Array(testCase.input.utf8)
        if testCase.input.contains("\u{FF}") {
            // A raw 0xFF byte, which is never valid UTF-8.
            bytes = Array("a{b=\"".utf8) + [0xFF] + Array("\"} 1\n".utf8)
        }
        var parser = TextParser(bytes)
        do {
            _ = try parser.readAll()
            Issue.record("expected an error for \(testCase.input.debugDescription)")
        } catch {
            #expect(error.line == testCase.line)
            #expect(error.column == testCase.column)
            #expect(error.reason.description.contains(testCase.message), "\(error)")
        }
    }

    @Test func columnsCountCharactersNotBytes() {
        var parser = TextParser("a{b=\"☃☃\",c=1} 1\n")
        #expect(throws: ExpositionError.self) { _ = try parser.readAll() }
        do {
            var again = TextParser("a{b=\"☃☃\",c=1} 1\n")
            _ = try again.readAll()
        } catch {
            #expect(error.column == 12)
        }
    }
}
