import Foundation
import Model
import PromQL
import TestSupport
import Testing
@testable import Rules

/// The rule unit-test runner in process: evaluation loop, checks and promtool's failure texts.
/// (The whole corpus, with the real series notation, runs through `hindsight test rules` in
/// the CLI tests.)
@Suite struct UnitTestRunnerTests {
    /// A test double for the series notation: `metric{…}` then plain numbers and `_` only.
    static let readSeries: RuleTestRunner.SeriesReader = { line in
        let metricEnd = line.firstIndex(of: "}").map { line.index(after: $0) } ?? line.firstIndex(of: " ") ?? line.endIndex
        let labels = try PromQLParser.parseMetric(String(line[..<metricEnd]))
        let values = try line[metricEnd...].split(separator: " ").map { token -> Double? in
            if token == "_" { return nil }
            guard let value = Double(token) else { throw TestSeriesError(token: String(token)) }
            return value
        }
        return (labels, values)
    }

    struct TestSeriesError: Error, CustomStringConvertible {
        var token: String
        var description: String { "bad value \(token)" }
    }

    /// Writes `files` (name → text) into a fresh folder, runs `test.yml` there.
    static func run(_ files: [String: String], options: RuleTestRunner.Options = .init()) throws -> (RuleTestFileReport, String) {
        let dir = try TemporaryDirectory(prefix: "hindsight-unittest")
        for (name, text) in files {
            try text.write(toFile: dir.path + "/" + name, atomically: true, encoding: .utf8)
        }
        let runner = try RuleTestRunner(options: options, readSeries: readSeries)
        return (runner.run(path: dir.path + "/test.yml"), dir.path)
    }

    static let alertRules = """
        groups:
          - name: g
            rules:
              - alert: Down
                expr: up == 0
                for: 2m
                labels: {severity: page}
                annotations: {summary: down}
              - record: up:sum
                expr: sum(up)
        """

    @Test func passingFile() throws {
        let (report, _) = try Self.run(["rules.yml": Self.alertRules, "test.yml": """
            rule_files: [rules.yml]
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="a"}'
                    values: '1 0 0 0 0'
                alert_rule_test:
                  - eval_time: 2m
                    alertname: Down
                  - eval_time: 3m
                    alertname: Down
                    exp_alerts:
                      - exp_labels: {job: a, severity: page}
                        exp_annotations: {summary: down}
                promql_expr_test:
                  - expr: up:sum
                    eval_time: 4m
                    exp_samples:
                      - labels: 'up:sum'
                        value: 0
            """])
        #expect(report.failures == [])
        #expect(report.succeeded)
        #expect(report.groups.map(\.name) == ["unnamed#0"])
        #expect(!report.timestamp.isEmpty)
    }

    @Test func alertMismatchInPromtoolsWords() throws {
        let (report, _) = try Self.run(["rules.yml": Self.alertRules, "test.yml": """
            rule_files: [rules.yml]
            tests:
              - name: grp
                interval: 1m
                input_series:
                  - series: 'up{job="a"}'
                    values: '0 0 0 0'
                alert_rule_test:
                  - eval_time: 3m
                    alertname: Down
                    exp_alerts:
                      - exp_labels: {job: b, severity: page}
            """])
        #expect(report.failures == ["""
                name: grp,
                alertname: Down, time: 3m, \n        exp:[
                        0:
                          Labels:{alertname="Down", job="b", severity="page"}
                          Annotations:{}
                        ], \n        got:[
                        0:
                          Labels:{alertname="Down", job="a", severity="page"}
                          Annotations:{summary="down"}
                        ]
            """])
        #expect(report.groups.map(\.name) == ["grp"])
    }

    @Test func promqlMismatchesAndErrors() throws {
        let (report, _) = try Self.run(["test.yml": """
            tests:
              - interval: 1m
                input_series:
                  - series: 'm{k="a"}'
                    values: '1 2'
                promql_expr_test:
                  - expr: m
                    eval_time: 1m
                    exp_samples:
                      - labels: 'm{k="a"}'
                        value: 3
                  - expr: m[1m]
                    eval_time: 1m
                  - expr: sum(
                    eval_time: 90s
                  - expr: m
                    eval_time: 0s
                    exp_samples:
                      - labels: 'm{k='
                        value: 1
                  - expr: m * 0
                    eval_time: 1m
            """])
        #expect(report.failures == [
            "    expr: \"m\", time: 1m,\n        exp: {__name__=\"m\", k=\"a\"} 3E+00\n        got: {__name__=\"m\", k=\"a\"} 2E+00",
            "    expr: \"m[1m]\", time: 1m, err: rule result is not a vector or scalar",
            "    expr: \"sum(\", time: 1m30s, err: 1:5: parse error: unclosed left parenthesis",
            "    expr: \"m\", time: 0s, err: labels \"m{k=\": 1:5: parse error: unexpected end of input inside braces",
            "    expr: \"m * 0\", time: 1m,\n        exp: nil\n        got: {k=\"a\"} 0E+00",
        ])
    }

    @Test func ruleEvaluationErrorStopsTheGroup() throws {
        let (report, _) = try Self.run([
            "rules.yml": """
                groups:
                  - name: g
                    limit: 1
                    rules:
                      - record: r
                        expr: m
                """,
            "test.yml": """
                rule_files: [rules.yml]
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'm{k="a"}'
                        values: '1 1 1'
                      - series: 'm{k="b"}'
                        values: '_ 1 1'
                    promql_expr_test:
                      - expr: r
                        eval_time: 2m
                """,
        ])
        #expect(report.failures == ["    rule: r, time: 1m0s, err: exceeded limit of 1 with 2 series"])
    }

    @Test func rejectedRuleOutputIsTheRulesError() throws {
        // As in Prometheus: a recorded sample storage rejects (here a duplicate of an input
        // sample with another value) becomes the rule's error; the next rule is unaffected.
        let (report, _) = try Self.run([
            "rules.yml": """
                groups:
                  - name: g
                    rules:
                      - record: fine
                        expr: vector(1)
                      - record: m
                        expr: vector(100)
                      - record: also_fine
                        expr: m
                """,
            "test.yml": """
                rule_files: [rules.yml]
                tests:
                  - input_series:
                      - series: m
                        values: 1 2
                    promql_expr_test: [{expr: m, eval_time: 1m}]
                """,
        ])
        #expect(report.failures == ["    rule: m, time: 0s, err: duplicate sample for timestamp"])
    }

    @Test func fileLevelProblems() throws {
        let (missingAlertname, _) = try Self.run(["test.yml": """
            tests:
              - name: n
                alert_rule_test:
                  - eval_time: 1m
            """])
        #expect(missingAlertname.failures == ["an item under alert_rule_test misses required attribute alertname at eval_time 1m (in TestGroup n)"])

        let (repeated, _) = try Self.run(["test.yml": "group_eval_order: [a, b, a]\ntests: [{}]\n"])
        #expect(repeated.fileErrors == ["group name repeated in evaluation order: a"])
        #expect(repeated.groups.isEmpty)

        let (noMatch, dir) = try Self.run(["test.yml": "rule_files: [nothing*.yml]\ntests: [{}]\n"])
        #expect(noMatch.warnings == ["  WARNING: no file match pattern \(dir)/nothing*.yml"])
        #expect(noMatch.succeeded)

        let (badRules, _) = try Self.run(["rules.yml": "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(\n", "test.yml": "rule_files: [rules.yml]\ntests: [{}, {}]\n"])
        #expect(badRules.failures.count == 2)
        #expect(badRules.failures.first?.contains("rules.yml:5:") == true)

        let (badSeries, _) = try Self.run(["test.yml": "tests:\n  - input_series:\n      - series: x\n        values: 1 one\n"])
        #expect(badSeries.failures.count == 1)
        #expect(badSeries.failures.first?.hasSuffix("test.yml:3:9: input series \"x\" with values \"1 one\": bad value one") == true)

        let (malformed, _) = try Self.run(["test.yml": "tests: [{bogus: 1}]\n"])
        #expect(malformed.fileErrors.count == 1)
        #expect(malformed.timestamp.isEmpty)
    }

    @Test func runFilterAndGroupNames() throws {
        let test = """
            tests:
              - name: alpha
                promql_expr_test: [{expr: '1', eval_time: 0s, exp_samples: [{labels: '{}', value: 2}]}]
              - name: beta
              - {}
            """
        let (all, _) = try Self.run(["test.yml": test])
        #expect(all.groups.map(\.name) == ["alpha", "beta", "unnamed#2"])
        #expect(!all.succeeded)
        let (onlyBeta, _) = try Self.run(["test.yml": test], options: .init(run: ["et"]))
        #expect(onlyBeta.groups.map(\.name) == ["beta"])
        #expect(onlyBeta.succeeded)
        let (either, _) = try Self.run(["test.yml": test], options: .init(run: ["^al", "^be"]))
        #expect(either.groups.map(\.name) == ["alpha", "beta"])
        #expect(throws: RegexError.self) { try RuleTestRunner(options: .init(run: ["("]), readSeries: Self.readSeries) }
    }

    @Test func groupOrderAndStepping() throws {
        let rules = """
            groups:
              - name: consumer
                rules:
                  - record: copy
                    expr: produced
              - name: producer
                rules:
                  - record: produced
                    expr: src
            """
        let test = """
            rule_files: [rules.yml]
            group_eval_order: [ORDER]
            evaluation_interval: 1m
            tests:
              - interval: 30s
                input_series:
                  - series: src
                    values: 1 2 3 4 5
                promql_expr_test:
                  - expr: copy
                    eval_time: 1m
                    exp_samples: [{labels: copy, value: EXPECTED}]
                  - expr: src
                    eval_time: 1m30s
                    exp_samples: [{labels: src, value: 3}]
            """
        // Producer first: the consumer copies this step's value; consumer first: last step's.
        let (first, _) = try Self.run([
            "rules.yml": rules, "test.yml": test.replacingOccurrences(of: "ORDER", with: "producer, consumer")
                .replacingOccurrences(of: "EXPECTED", with: "3"),
        ])
        #expect(first.failures == [])
        let (second, _) = try Self.run([
            "rules.yml": rules, "test.yml": test.replacingOccurrences(of: "ORDER", with: "consumer, producer")
                .replacingOccurrences(of: "EXPECTED", with: "1"),
        ])
        #expect(second.failures == [])
    }

    @Test func startTimestampShiftsEverything() throws {
        let (report, _) = try Self.run(["test.yml": """
            tests:
              - start_timestamp: 1000
                input_series:
                  - series: x
                    values: 5 6
                promql_expr_test:
                  - expr: timestamp(x)
                    eval_time: 1m
                    exp_samples: [{labels: '{}', value: 1060}]
                  - expr: time()
                    eval_time: 0s
                    exp_samples: [{labels: '{}', value: 1000}]
            """])
        #expect(report.failures == [])
    }

    @Test func fuzzyCompareOption() throws {
        let test = """
            FUZZY
            tests:
              - input_series: [{series: x, values: '0.1'}, {series: y, values: '0.2'}]
                promql_expr_test:
                  - expr: x + y
                    eval_time: 0s
                    exp_samples: [{labels: '{}', value: 0.3}]
            """
        let (strict, _) = try Self.run(["test.yml": test.replacingOccurrences(of: "FUZZY", with: "")])
        #expect(strict.failures.count == 1)
        let (fuzzy, _) = try Self.run(["test.yml": test.replacingOccurrences(of: "FUZZY", with: "fuzzy_compare: true")])
        #expect(fuzzy.failures == [])
    }
}
