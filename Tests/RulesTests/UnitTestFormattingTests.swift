import Model
import Testing
@testable import Rules

/// The Go formats promtool's test output is made of, and its JUnit XML.
@Suite struct UnitTestFormattingTests {
    static let exponentCases: [(Double, String)] = [
        (50.0, "5E+01"), (1.5e-7, "1.5E-07"), (0, "0E+00"), (-0.0, "-0E+00"), (1, "1E+00"), (123.456, "1.23456E+02"),
        (0.001, "1E-03"), (-7, "-7E+00"), (1e21, "1E+21"), (1234567, "1.234567E+06"), (0.30000000000000004, "3.0000000000000004E-01"),
        (.infinity, "+Inf"), (-.infinity, "-Inf"), (1e100, "1E+100"), (.leastNonzeroMagnitude, "5E-324"), (100, "1E+02"),
    ]

    @Test(arguments: exponentCases)
    func exponentFormat(value: Double, text: String) {
        #expect(GoFormat.exponent(value) == text)
    }

    @Test func exponentNaN() {
        #expect(GoFormat.exponent(.nan) == "NaN")
        #expect(GoFormat.exponent(StaleMarker.value) == "NaN")
    }

    static let modelDurationCases: [(Int64, String)] = [
        (0, "0s"), (90_000, "1m30s"), (60_000, "1m"), (3_600_000, "1h"), (86_400_000, "1d"), (7 * 86_400_000, "1w"),
        (8 * 86_400_000, "8d"), (365 * 86_400_000, "1y"), (1500, "1s500ms"), (3_661_000, "1h1m1s"),
    ]

    @Test(arguments: modelDurationCases)
    func modelDurations(ms: Int64, text: String) {
        #expect(GoFormat.modelDuration(ms) == text)
    }

    static let timeDurationCases: [(Int64, String)] = [
        (0, "0s"), (60_000, "1m0s"), (90_000, "1m30s"), (3_600_000, "1h0m0s"), (500, "500ms"), (1500, "1.5s"),
        (3_723_250, "1h2m3.25s"), (-60_000, "-1m0s"), (1_709_294_400_000, "474804h0m0s"),
    ]

    @Test(arguments: timeDurationCases)
    func timeDurations(ms: Int64, text: String) {
        #expect(GoFormat.timeDuration(ms) == text)
    }

    @Test func indentLines() {
        #expect(GoFormat.indentLines("a\nb\n\nc", "  ") == "a\n  b\n  \n  c")
        #expect(GoFormat.indentLines("single", "  ") == "single")
    }

    @Test func alertListRendering() {
        let a = LabelsAndAnnotations(labels: Labels(["alertname": "A", "job": "x"]), annotations: Labels(["s": "v"]))
        let b = LabelsAndAnnotations(labels: Labels(["alertname": "A", "job": "y"]), annotations: .empty)
        #expect(LabelsAndAnnotations.describe([]) == "[]")
        #expect(LabelsAndAnnotations.describe([a, b]) == """
            [
            0:
              Labels:{alertname="A", job="x"}
              Annotations:{s="v"},
            1:
              Labels:{alertname="A", job="y"}
              Annotations:{}
            ]
            """)
        #expect([b, a].sorted() == [a, b])
    }

    @Test func sampleListRendering() {
        #expect(ComparedSample.describe([]) == "nil")
        #expect(ComparedSample.describe([
            ComparedSample(labels: Labels(["__name__": "m", "k": "a"]), value: 50), ComparedSample(labels: .empty, value: 0.25),
        ]) == "{__name__=\"m\", k=\"a\"} 5E+01, {} 2.5E-01")
    }

    @Test func fuzzyEquality() {
        #expect(TestGroupRun.equal(1, 1, fuzzy: false))
        #expect(TestGroupRun.equal(0, -0.0, fuzzy: false))
        #expect(!TestGroupRun.equal(.nan, .nan, fuzzy: true))
        #expect(!TestGroupRun.equal(0.1 + 0.2, 0.3, fuzzy: false))
        #expect(TestGroupRun.equal(0.1 + 0.2, 0.3, fuzzy: true))
        #expect(!TestGroupRun.equal(0.3.nextUp.nextUp, 0.3, fuzzy: true))
    }

    @Test func paths() {
        #expect(TestFilePaths.directory(of: "t.yml") == ".")
        #expect(TestFilePaths.directory(of: "/a/b/t.yml") == "/a/b")
        #expect(TestFilePaths.directory(of: "/t.yml") == "/")
        #expect(TestFilePaths.directory(of: "a//b/./t.yml") == "a/b")
        #expect(TestFilePaths.resolve("r.yml", relativeTo: ".") == "r.yml")
        #expect(TestFilePaths.resolve("../r.yml", relativeTo: "a/b") == "a/r.yml")
        #expect(TestFilePaths.resolve("/abs/r.yml", relativeTo: "a") == "/abs/r.yml")
        #expect(TestFilePaths.clean("../../x") == "../../x")
        #expect(TestFilePaths.clean("/../x/") == "/x")
        #expect(TestFilePaths.clean("") == ".")
    }

    @Test func junitXML() {
        var passed = RuleTestFileReport(path: "a.yml")
        passed.timestamp = "2024-01-02T03:04:05"
        passed.groups = [RuleTestGroupReport(name: "unnamed#0", failures: [])]
        var failed = RuleTestFileReport(path: "b<&>.yml")
        failed.timestamp = "2024-01-02T03:04:05"
        failed.groups = [RuleTestGroupReport(name: "g \"1\"", failures: ["    expr: \"x\",\n\tbad"])]
        var aborted = RuleTestFileReport(path: "c.yml")
        aborted.fileErrors = ["c.yml:1:1: field x not found"]
        #expect(JUnitReport.xml([passed, failed, aborted]) == """
            <testsuites>\
            <testsuite name="a.yml" tests="1" failures="0" errors="0" skipped="0" timestamp="2024-01-02T03:04:05">\
            <testcase name="unnamed#0"></testcase></testsuite>\
            <testsuite name="b&lt;&amp;&gt;.yml" tests="1" failures="1" errors="0" skipped="0" timestamp="2024-01-02T03:04:05">\
            <testcase name="g &#34;1&#34;"><failure>    expr: &#34;x&#34;,&#xA;&#x9;bad</failure></testcase></testsuite>\
            <testsuite name="c.yml" tests="1" failures="0" errors="1" skipped="0" timestamp="">\
            <testcase name="unknown"><error>c.yml:1:1: field x not found</error></testcase></testsuite>\
            </testsuites>
            """)
    }
}
