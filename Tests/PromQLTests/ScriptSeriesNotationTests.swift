import PromQL
import Model
import Testing
@testable import PromQLTest

/// Series notation (`1+2x3`, `_x2`, `stale`, `{{…}}`), as Prometheus expands it.
@Suite struct ScriptSeriesNotationTests {
    static let stale = StaleMarker.value

    static let floatCases: [(String, [Double])] = [
        ("1", [1.0]),
        ("1 2 3", [1, 2, 3]),
        ("1+2x3", [1, 3, 5, 7]),
        ("-2+4x3", [-2, 2, 6, 10]),
        ("1-2x4", [1, -1, -3, -5, -7]),
        ("1x4", [1, 1, 1, 1, 1]),
        ("5x0", [5]),
        ("0+10x2 100", [0, 10, 20, 100]),
        ("1e3 1.5E+2 .5 2. -0.25", [1000, 150, 0.5, 2, -0.25]),
        ("017 08 0x3", [15, 8, 0, 0, 0, 0]),
        ("Inf -Inf +Inf inf", [.infinity, -.infinity, .infinity, .infinity]),
        ("1e+5x1", [100000, 100000]),
        ("2.5+0x2", [2.5, 2.5, 2.5]),
        ("99-1x2", [99, 98, 97]),
        ("Infx1", [.infinity, .infinity]),
    ]

    @Test(arguments: floatCases)
    func floats(text: String, expected: [Double]) throws {
        let values = try SeriesNotation.expand(text)
        #expect(values == expected.map { .float($0) })
    }

    @Test func accumulatesIncrementsLikePrometheus() throws {
        // Prometheus adds the increment to the previous value (it does not multiply), so the
        // rounding of long sequences matches only when accumulated the same way.
        let values = try SeriesNotation.expand("0+0.1x10")
        var v = 0.0
        var expected: [SeriesValue] = []
        for _ in 0...10 { expected.append(.float(v)); v += 0.1 }
        #expect(values == expected)
        #expect(values.last != .float(1.0))
    }

    @Test func missingAndStale() throws {
        let values = try SeriesNotation.expand("1 _x3 stale _ 2")
        #expect(values.count == 7)
        #expect(values[0] == .float(1))
        #expect(values[1...3].allSatisfy { $0 == .omitted })
        guard case .float(let s) = values[4] else { Issue.record("not a float"); return }
        #expect(StaleMarker.isStale(s))
        #expect(values[5] == .omitted)
        #expect(try SeriesNotation.expand("_x0").isEmpty)
    }

    @Test func nanKeepsItsMeaning() throws {
        let values = try SeriesNotation.expand("NaN nan -NaN")
        for value in values {
            guard case .float(let v) = value else { Issue.record("not a float"); continue }
            #expect(v.isNaN && !StaleMarker.isStale(v))
        }
    }

    @Test func histograms() throws {
        let values = try SeriesNotation.expand("{{schema:0 sum:1 count:1}}x2 1 {{count:1}}+{{count:2}}x1 _")
        #expect(values.count == 3 + 1 + 2 + 1)
        #expect(values[0] == .histogram("{{schema:0 sum:1 count:1}}"))
        #expect(values[3] == .float(1))
        #expect(values[4].isHistogram && values[5].isHistogram)
        #expect(values[6] == .omitted)
    }

    @Test(arguments: [
        ("1+2", "expected 'x<count>'"),
        ("1x", "invalid repetition"),
        ("1xa", "invalid repetition"),
        ("abc", "expected a number"),
        ("_xq", "invalid repetition"),
        ("{{count:1", "unterminated native histogram"),
        ("{{count:1}}+", "expected a native histogram"),
        ("1+2y3", "expected 'x<count>'"),
    ])
    func malformedValues(text: String, message: String) {
        #expect {
            _ = try SeriesNotation.expand(text)
        } throws: { error in
            (error as? SeriesNotation.Error)?.message.contains(message) ?? false
        }
    }

    @Test(arguments: [
        ("metric", ["__name__": "metric"]),
        ("metric{}", ["__name__": "metric"]),
        ("{}", [:]),
        ("{ }", [:]),
        ("up{job=\"api\", instance='a'}", ["__name__": "up", "job": "api", "instance": "a"]),
        ("{job=\"api\",}", ["job": "api"]),
        ("{\"my.metric\", \"a.b\"=\"c\"}", ["__name__": "my.metric", "a.b": "c"]),
        ("sum{a=\"\\\"q\\\"\"}", ["__name__": "sum", "a": "\"q\""]),
        ("m{a=\"\"}", ["__name__": "m"]),
        ("m{v=\"{{x}} y\"}", ["__name__": "m", "v": "{{x}} y"]),
    ])
    func metrics(text: String, expected: [String: String]) throws {
        let labels = try SeriesNotation.parseMetric(text)
        #expect(labels == Labels(expected.map { Label($0.key, $0.value) }))
    }

    @Test func lineSplitsSeriesFromValues() throws {
        let (labels, values) = try SeriesNotation.parseLine("http_requests{path=\"/a b\"}\t1+1x2  {{count:1}}")
        #expect(labels == Labels(["__name__": "http_requests", "path": "/a b"]))
        #expect(values.count == 4)
        #expect(values[3].isHistogram)
    }

    @Test(arguments: [
        ("up{job=~\"a\"} 1", 3, "not the matcher"),
        ("up{job=\"a\" 1", 13, "missing '}'"),
        ("up{job=\"a} 1", 8, "unterminated"),
        ("series@st 1 2", 7, "@st"),
        ("+1 2", 1, "expected a metric name"),
        ("up{a=\"b\",a=\"c\"} 1", 3, "given twice"),
    ])
    func malformedLines(text: String, column: Int, message: String) {
        #expect {
            _ = try SeriesNotation.parseLine(text)
        } throws: { error in
            guard let error = error as? SeriesNotation.Error else { return false }
            return error.column == column && error.message.contains(message)
        }
    }

    @Test(arguments: [
        ("1", 1.0), ("-2.5", -2.5), ("0x10", 16), ("017", 15), ("+Inf", .infinity), ("-inf", -.infinity),
        ("12.34e6", 12_340_000), ("0.00001234", 0.00001234), ("2.", 2), (".2", 0.2),
    ])
    func scalarLines(text: String, expected: Double) {
        #expect(SeriesNotation.parseNumber(text) == expected)
    }

    @Test func scalarLinesRejectSeries() {
        #expect(SeriesNotation.parseNumber("NaN")?.isNaN == true)
        #expect(SeriesNotation.parseNumber("{} 1") == nil)
        #expect(SeriesNotation.parseNumber("metric") == nil)
        #expect(SeriesNotation.parseNumber("1 2") == nil)
        #expect(SeriesNotation.parseNumber("") == nil)
    }
}
