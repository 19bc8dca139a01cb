import Foundation
import TestSupport
import Testing

/// `hindsight test rules` over the rule unit-test corpus (Tests/RulesTests/Fixtures/unittests):
/// every file gets the verdict its name promises (`fail_*` files fail, the others pass), and
/// the same verdict as Debian's `promtool test rules` (2.42) — except the files listed in
/// ``promtool242Differs``, where 2.42 lacks a feature or has Prometheus 2 semantics.
struct TestRulesCLITests {
    static let corpus = Conformance.packageRoot.appendingPathComponent("Tests/RulesTests/Fixtures/unittests").path

    /// The test files of the corpus (rule files live in `rules/`).
    static let corpusFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }()

    /// Files on which promtool 2.42 must disagree with Hindsight (Prometheus 3), and why.
    /// Hindsight's verdict on them still follows the file name.
    static let promtool242Differs: [String: String] = [
        "fuzzy_compare.yml": "fuzzy_compare is newer than 2.42 (an unknown field there)",
        "start_timestamp.yml": "start_timestamp is newer than 2.42 (an unknown field there)",
        "group_labels.yml": "rule group labels are Prometheus 3 (2.42: unknown field 'labels')",
        "query_offset.yml": "query_offset came in 2.53 (2.42: unknown field)",
        "lookback_boundary_prom3.yml": "Prometheus 3's left-open lookback and range windows (2.42's are closed)",
    ]

    /// Failing files whose whole output (standard output and error) must equal promtool's:
    /// the failures are test assertions, not messages about malformed files (whose wording,
    /// with FILE:LINE:COLUMN, is Hindsight's own).
    static let sameOutputAsPromtool: [String] = [
        "fail_wrong_alert_labels.yml", "fail_wrong_annotation.yml", "fail_alert_still_pending.yml",
        "fail_unexpected_alert.yml", "fail_missing_annotation.yml", "fail_wrong_value.yml",
        "fail_wrong_sample_labels.yml", "fail_missing_sample.yml", "fail_nan_never_equal.yml",
        "fail_promql_parse_error.yml", "fail_bad_expected_labels.yml", "fail_range_vector_result.yml",
        "fail_group_limit_exceeded.yml", "fail_group_eval_order_repeated.yml", "fail_missing_alertname.yml",
        "fail_second_group.yml", "fail_recording_duplicate_sample.yml",
    ]

    static func path(_ name: String) -> String { corpus + "/" + name }

    static func hindsight(_ arguments: [String]) throws -> ProcessResult {
        try CheckMetricsCLITests.hindsight(["test", "rules"] + arguments)
    }

    @Test func corpusIsLargeEnough() {
        #expect(Self.corpusFiles.count >= 40)
        #expect(Self.corpusFiles.filter { $0.hasPrefix("fail_") }.count >= 15)
        for name in Self.promtool242Differs.keys + Self.sameOutputAsPromtool {
            #expect(Self.corpusFiles.contains(name), "\(name) is not in the corpus")
        }
    }

    @Test(arguments: corpusFiles)
    func verdictFollowsFileName(_ name: String) throws {
        let result = try Self.hindsight([Self.path(name)])
        let mustFail = name.hasPrefix("fail_")
        #expect(result.status == (mustFail ? 1 : 0), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("Unit Testing:  \(Self.path(name))\n"))
        if mustFail {
            #expect(result.stderr.contains("  FAILED:\n"))
        } else {
            #expect(result.stdout == "Unit Testing:  \(Self.path(name))\n  SUCCESS\n\n", "\(result.stderr)")
        }
    }

    @Test func successAndFailureOutput() throws {
        let ok = Self.path("recording_basic.yml"), bad = Self.path("fail_wrong_value.yml")
        let result = try Self.hindsight([ok, bad])
        #expect(result.status == 1)
        #expect(result.stdout == "Unit Testing:  \(ok)\n  SUCCESS\n\nUnit Testing:  \(bad)\n\n\n")
        #expect(result.stderr == """
              FAILED:
                expr: "job:requests:sum", time: 5m,
                    exp: {__name__="job:requests:sum", job="api"} 5.1E+01
                    got: {__name__="job:requests:sum", job="api"} 5E+01

            """)
    }

    @Test func runSelectsTestGroups() throws {
        let file = Self.path("fail_second_group.yml")
        #expect(try Self.hindsight(["--run", "first", file]).status == 0)
        #expect(try Self.hindsight(["--run", "^sec", file]).status == 1)
        #expect(try Self.hindsight(["--run", "nothing", "--run", "fir", file]).status == 0)
        let invalid = try Self.hindsight(["--run", "(", file])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("--run"))
    }

    @Test func junitReport() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path + "/junit.xml"
        let result = try Self.hindsight(["--junit", out, Self.path("multiple_test_groups.yml"), Self.path("fail_second_group.yml"), Self.path("fail_test_unknown_field.yml")])
        #expect(result.status == 1)
        let xml = try String(contentsOfFile: out, encoding: .utf8)
        #expect(xml.hasPrefix("<testsuites><testsuite name=\"\(Self.path("multiple_test_groups.yml"))\" tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"0\" timestamp=\""))
        #expect(xml.contains("<testcase name=\"errors-high\"></testcase><testcase name=\"errors-low\"></testcase><testcase name=\"unnamed#2\"></testcase></testsuite>"))
        #expect(xml.contains("tests=\"2\" failures=\"1\" errors=\"0\""))
        #expect(xml.contains("<testcase name=\"first\"></testcase><testcase name=\"second\"><failure>    expr: &#34;job:requests:sum&#34;, time: 0s,&#xA;"))
        #expect(xml.contains("tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" timestamp=\"\"><testcase name=\"unknown\"><error>"))
        #expect(xml.hasSuffix("</testsuites>"))
    }

    @Test func missingFileAndNoArguments() throws {
        let missing = try Self.hindsight(["/nonexistent/test.yml"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "  FAILED:\nopen /nonexistent/test.yml: no such file or directory\n")
        #expect(try Self.hindsight([]).status != 0)
    }

    @Test func unmatchedRuleFilePatternWarns() throws {
        let dir = try TemporaryDirectory()
        let test = dir.path + "/t.yml"
        try "rule_files: [missing-*.yml]\ntests: [{}]\n".write(toFile: test, atomically: true, encoding: .utf8)
        let result = try Self.hindsight([test])
        #expect(result.status == 0)
        #expect(result.stderr == "  WARNING: no file match pattern \(dir.path)/missing-*.yml\n")
    }
}

/// The corpus through the real `promtool test rules` (Debian's 2.42): the same verdict on
/// every file but the listed ones, and the same output on assertion failures. Skipped when
/// promtool is not installed, except under CI=true.
@Suite(.enabled(if: Subprocess.which("promtool") != nil || Conformance.isCI))
struct TestRulesPromtoolAgreementTests {
    static func promtool(_ arguments: [String]) throws -> ProcessResult {
        let promtool = try #require(Subprocess.which("promtool"), "promtool is not installed (scripts/setup installs it)")
        return try Subprocess.run(promtool, ["test", "rules"] + arguments)
    }

    @Test(arguments: TestRulesCLITests.corpusFiles)
    func sameVerdictAsPromtool(_ name: String) throws {
        let path = TestRulesCLITests.path(name)
        let theirs = try Self.promtool([path])
        let ours = try TestRulesCLITests.hindsight([path])
        if let reason = TestRulesCLITests.promtool242Differs[name] {
            #expect(theirs.status != ours.status, "expected promtool 2.42 to disagree (\(reason)); it did not: \(theirs.stderr)")
        } else {
            #expect(theirs.status == ours.status, "promtool: \(theirs.stderr)\nhindsight: \(ours.stderr)")
        }
    }

    @Test(arguments: TestRulesCLITests.sameOutputAsPromtool)
    func sameOutputAsPromtool(_ name: String) throws {
        let path = TestRulesCLITests.path(name)
        let theirs = try Self.promtool([path])
        let ours = try TestRulesCLITests.hindsight([path])
        #expect(ours.status == theirs.status)
        #expect(ours.stdout == theirs.stdout)
        #expect(ours.stderr == theirs.stderr)
    }
}
