import Model
import PromQL
import Testing
@testable import PromQLTest

/// Result, annotation and error comparisons of the promqltest runner.
@Suite struct ScriptComparisonTests {
    @Test(arguments: [
        (1.0, 1.0, true), (1.0, 1.0 + 1e-7, true), (1.0, 1.0 + 1e-5, false), (1e300, 1.0000001e300, true),
        (0.0, 1e-300, false), (0.0, 0.0, true), (0.0, -0.0, true), (.nan, .nan, true), (.nan, 1, false),
        (.infinity, .infinity, true), (.infinity, -.infinity, false), (.infinity, 1e308, false),
        (StaleMarker.value, StaleMarker.value, true), (StaleMarker.value, .nan, false), (.nan, StaleMarker.value, false),
        (-5.2, -5.2000000001, true), (Double.leastNonzeroMagnitude, 4 * Double.leastNonzeroMagnitude, true), (1e-300, 2e-300, false),
    ])
    func almostEqual(a: Double, b: Double, equal: Bool) {
        #expect(ResultComparison.almostEqual(a, b) == equal)
    }

    static func labels(_ pairs: KeyValuePairs<String, String>) -> Labels { Labels(pairs) }

    static func eval(_ text: String) throws -> EvalCommand {
        try #require(try ScriptParser.parse(text).evals.first)
    }

    static func vector(_ samples: [(Labels, Double)]) -> QueryValue {
        .vector(samples.map { VectorSample(labels: $0.0, timestamp: 0, value: $0.1) })
    }

    @Test func vectorsMatchInAnyOrder() throws {
        let e = try Self.eval("eval instant at 0 x\n  x{a=\"1\"} 1\n  x{a=\"2\"} NaN\n")
        let a = Self.labels(["__name__": "x", "a": "1"]), b = Self.labels(["__name__": "x", "a": "2"])
        #expect(ResultComparison.compare(Self.vector([(b, .nan), (a, 1.0000001)]), with: e) == nil)
        #expect(ResultComparison.compare(Self.vector([(a, 2), (b, .nan)]), with: e) == "expected 1 for x{a=\"1\"}, got 2")
        let missing = ResultComparison.compare(Self.vector([(a, 1)]), with: e)
        #expect(missing == "expected series x{a=\"2\"} NaN not found; the result is x{a=\"1\"} 1")
        let extra = ResultComparison.compare(Self.vector([(a, 1), (b, .nan), (Self.labels(["a": "3"]), 3)]), with: e)
        #expect(extra?.hasPrefix("unexpected series {a=\"3\"} 3 in the result") == true)
    }

    @Test func orderedVectors() throws {
        let e = try Self.eval("eval instant at 0 sort(x)\n  expect ordered\n  {a=\"1\"} 1\n  {a=\"2\"} 2\n")
        let a = Self.labels(["a": "1"]), b = Self.labels(["a": "2"])
        #expect(ResultComparison.compare(Self.vector([(a, 1), (b, 2)]), with: e) == nil)
        #expect(ResultComparison.compare(Self.vector([(b, 2), (a, 1)]), with: e)?.hasPrefix("expected {a=\"2\"} at position 2, it was at 1") == true)
        #expect(ResultComparison.compare(.matrix([]), with: e) == "expected an ordered result, but the query returned a matrix")
    }

    @Test func emptyExpectation() throws {
        let e = try Self.eval("eval instant at 0 x\n")
        #expect(ResultComparison.compare(.vector([]), with: e) == nil)
        #expect(ResultComparison.compare(.matrix([]), with: e) == nil)
        #expect(ResultComparison.compare(.scalar(timestamp: 0, value: 1), with: e) == "expected a vector or matrix result, got scalar 1")
    }

    @Test func scalars() throws {
        let e = try Self.eval("eval instant at 0 1\n  +Inf\n")
        #expect(ResultComparison.compare(.scalar(timestamp: 0, value: .infinity), with: e) == nil)
        #expect(ResultComparison.compare(.scalar(timestamp: 0, value: 1), with: e) == "expected scalar +Inf, got 1")
        #expect(ResultComparison.compare(.vector([]), with: e)?.hasPrefix("expected a scalar result, got a vector") == true)
    }

    @Test func strings() throws {
        let e = try Self.eval("eval instant at 0 \"Foo\"\n  expect string \"Foo\"\n")
        #expect(ResultComparison.compare(.string(timestamp: 0, value: "Foo"), with: e) == nil)
        #expect(ResultComparison.compare(.string(timestamp: 0, value: "Bar"), with: e) == "expected string \"Foo\", got \"Bar\"")
    }

    @Test func rangeMatrices() throws {
        let e = try Self.eval("eval range from 0 to 2m step 1m x\n  x{a=\"1\"} 1 _ 3\n  x{a=\"2\"} 1+1x2\n")
        let a = Self.labels(["__name__": "x", "a": "1"]), b = Self.labels(["__name__": "x", "a": "2"])
        func s(_ points: [(Int64, Double)]) -> [Sample] { points.map { Sample(timestamp: $0.0, value: $0.1) } }
        let good: Matrix = [MatrixSeries(labels: a, samples: s([(0, 1), (120_000, 3)])),
                            MatrixSeries(labels: b, samples: s([(0, 1), (60_000, 2), (120_000, 3)]))]
        #expect(ResultComparison.compare(.matrix(good), with: e) == nil)
        let unsorted = Array(good.reversed())
        #expect(ResultComparison.compare(.matrix(unsorted), with: e)?.hasPrefix("matrix results should be sorted by labels") == true)
        var wrongTime = good
        wrongTime[0].samples[1].timestamp = 60_000
        #expect(ResultComparison.compare(.matrix(wrongTime), with: e)?.hasPrefix("expected a point at 2m for x{a=\"1\"}, got one at 1m") == true)
        var wrongValue = good
        wrongValue[1].samples[2].value = 4
        #expect(ResultComparison.compare(.matrix(wrongValue), with: e)?.hasPrefix("expected 3 at 2m for x{a=\"2\"}, got 4") == true)
        var tooMany = good
        tooMany[0].samples.insert(Sample(timestamp: 60_000, value: 2), at: 1)
        #expect(ResultComparison.compare(.matrix(tooMany), with: e)?.hasPrefix("expected 2 points for x{a=\"1\"}, got 3 points") == true)
        #expect(ResultComparison.compare(.matrix([good[0]]), with: e) == "expected series x{a=\"2\"} not found; the result has 1 series")
    }

    @Test func tooManyExpectedPoints() throws {
        let e = try Self.eval("eval range from 0 to 1m step 1m x\n  x 1 2 3\n")
        let m: Matrix = [MatrixSeries(labels: Self.labels(["__name__": "x"]), samples: [Sample(timestamp: 0, value: 1)])]
        #expect(ResultComparison.compare(.matrix(m), with: e) == "expected 3 points for x, but the query's time range cannot return this many")
    }

    @Test func instantRangeVectors() throws {
        let e = try Self.eval("eval instant at 1m x[1m]\n  expect range vector from 20s to 1m step 20s\n  x 2 3 4\n")
        let series = MatrixSeries(labels: Self.labels(["__name__": "x"]),
                                  samples: [Sample(timestamp: 20_000, value: 2), Sample(timestamp: 40_000, value: 3), Sample(timestamp: 60_000, value: 4)])
        #expect(ResultComparison.compare(.matrix([series]), with: e) == nil)
        let plain = try Self.eval("eval instant at 1m x[1m]\n  x 2\n")
        #expect(ResultComparison.compare(.matrix([series]), with: plain)?.contains("expect range vector") == true)
    }

    @Test func annotations() throws {
        var both = Annotations()
        both.warn("PromQL warning: a (1:1)")
        both.info("PromQL info: b (1:5)")
        let cases: [(String, String?)] = [
            ("", nil),
            ("expect warn\n", nil),
            ("expect warn msg: PromQL warning: a (1:1)\n", nil),
            ("expect warn msg: PromQL warning: a (1:2)\n", "expected a warn annotation matching message \"PromQL warning: a (1:2)\", got \"PromQL warning: a (1:1)\""),
            ("expect info regex: b \\(1:[0-9]+\\)\n", nil),
            ("expect no_warn\n", "unexpected warning: \"PromQL warning: a (1:1)\""),
            ("expect no_info\n", "unexpected info: \"PromQL info: b (1:5)\""),
            ("expect warn msg: PromQL warning: a (1:1)\nexpect warn msg: other\n", "expected a warn annotation matching message \"other\", got \"PromQL warning: a (1:1)\""),
        ]
        for (lines, problem) in cases {
            let e = try Self.eval("eval instant at 0 x\n" + lines)
            #expect(ResultComparison.checkAnnotations(both, e.expectations) == problem, "\(lines)")
        }
        var two = Annotations()
        two.warn("PromQL warning: a (1:1)")
        two.warn("PromQL warning: c (1:9)")
        let one = try Self.eval("eval instant at 0 x\nexpect warn msg: PromQL warning: a (1:1)\n")
        #expect(ResultComparison.checkAnnotations(two, one.expectations) == "unexpected warn annotation \"PromQL warning: c (1:9)\"")
        let none = try Self.eval("eval instant at 0 x\nexpect info\n")
        #expect(ResultComparison.checkAnnotations(Annotations(), none.expectations) == "expected info annotations, got none")
        let legacy = try Self.eval("eval_warn instant at 0 x\n")
        #expect(ResultComparison.checkAnnotations(Annotations(), legacy.expectations) == "expected warnings, got none")
        #expect(ResultComparison.checkAnnotations(two, legacy.expectations) == nil)
    }

    @Test func failures() throws {
        let any = try Self.eval("eval instant at 0 x\n  expect fail\n")
        #expect(ResultComparison.checkFailure("anything", any.expectations) == nil)
        let exact = try Self.eval("eval instant at 0 x\n  expect fail msg: vector cannot contain metrics with the same labelset\n")
        #expect(ResultComparison.checkFailure("vector cannot contain metrics with the same labelset", exact.expectations) == nil)
        #expect(ResultComparison.checkFailure("other", exact.expectations) == "expected an error matching message \"vector cannot contain metrics with the same labelset\", got \"other\"")
        let regex = try Self.eval("eval instant at 0 x\n  expect fail regex: conflicting label\n")
        #expect(ResultComparison.checkFailure("found a conflicting label set", regex.expectations) == nil)
        #expect(ResultComparison.checkFailure("nope", regex.expectations) != nil)
    }

    @Test func seriesFormatting() {
        #expect(ResultComparison.format(Self.labels(["__name__": "up", "job": "a"])) == "up{job=\"a\"}")
        #expect(ResultComparison.format(Self.labels(["__name__": "up"])) == "up")
        #expect(ResultComparison.format(Self.labels(["job": "a"])) == "{job=\"a\"}")
        #expect(ResultComparison.format(.empty) == "{}")
        #expect(ResultComparison.format(Self.labels(["__name__": "a.b"])) == "{__name__=\"a.b\"}")
    }
}
