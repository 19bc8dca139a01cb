import Model
import Testing
@testable import Rules

/// Reading `promtool test rules` files: every field, promtool's defaults, and strict errors
/// at their place.
@Suite struct UnitTestFileParsingTests {
    static func parse(_ text: String) throws -> RuleTestFile {
        try RuleTestFile.parse(text, path: "t.yml")
    }

    static func diagnostics(_ text: String) -> [String] {
        do {
            _ = try RuleTestFile.parse(text, path: "t.yml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func everyField() throws {
        let file = try Self.parse("""
            rule_files: [a.yml, 'rules/*.yml']
            evaluation_interval: 30s
            group_eval_order: [g2, g1]
            fuzzy_compare: true
            tests:
              - name: first
                interval: 15s
                start_timestamp: '2021-01-01T00:00:00Z'
                external_labels: {region: eu}
                external_url: http://x
                input_series:
                  - series: 'up{job="a"}'
                    values: 1 0 _x2 stale
                alert_rule_test:
                  - eval_time: 1m30s
                    alertname: Down
                    exp_alerts:
                      - exp_labels: {job: a, code: 500}
                        exp_annotations: {summary: "it is down"}
                promql_expr_test:
                  - expr: up
                    eval_time: 2m
                    exp_samples:
                      - labels: 'up{job="a"}'
                        value: 0x10
                      - labels: '{}'
                        value: -.inf
            """)
        #expect(file.ruleFiles == ["a.yml", "rules/*.yml"])
        #expect(file.evaluationInterval == 30_000)
        #expect(file.groupEvalOrder == ["g2", "g1"])
        #expect(file.fuzzyCompare)
        let group = try #require(file.tests.first)
        #expect(group.name == "first")
        #expect(group.interval == 15_000)
        #expect(group.startTimestamp == 1_609_459_200_000)
        #expect(group.externalLabels == Labels(["region": "eu"]))
        #expect(group.externalURL == "http://x")
        #expect(group.inputSeries.map(\.series) == ["up{job=\"a\"}"])
        #expect(group.inputSeries.map(\.values) == ["1 0 _x2 stale"])
        #expect(group.inputSeries.first?.location.line == 12)
        let alert = try #require(group.alertTests.first)
        #expect(alert.evalTime == 90_000)
        #expect(alert.alertname == "Down")
        // Numbers are strings where strings are wanted, as yaml.v2 does it.
        #expect(alert.expectedAlerts.first?.labels == ["job": "a", "code": "500"])
        #expect(alert.expectedAlerts.first?.annotations == ["summary": "it is down"])
        let promql = try #require(group.promqlTests.first)
        #expect(promql.expr == "up")
        #expect(promql.evalTime == 120_000)
        #expect(promql.expectedSamples.map(\.value) == [16, -.infinity])
        #expect(group.maxEvalTime == 120_000)
    }

    @Test func defaults() throws {
        let file = try Self.parse("""
            rule_files:
            tests:
              - input_series:
                alert_rule_test:
                  - alertname: A
                    exp_alerts:
            """)
        #expect(file.ruleFiles.isEmpty)
        #expect(file.evaluationInterval == 60_000)
        #expect(!file.fuzzyCompare)
        let group = try #require(file.tests.first)
        #expect(group.interval == nil)
        #expect(group.name.isEmpty)
        #expect(group.startTimestamp == 0)
        #expect(group.alertTests.first?.evalTime == 0)
        #expect(group.alertTests.first?.expectedAlerts.isEmpty == true)
        #expect(try Self.parse("").tests.isEmpty)
        #expect(try Self.parse("evaluation_interval: 0s").evaluationInterval == 60_000)
        #expect(try Self.parse("tests: [{interval: 0s}]").tests.first?.interval == nil)
    }

    @Test func unknownFieldsAreErrorsAtTheirPlace() {
        #expect(Self.diagnostics("""
            rule_files: []
            tests:
              - interval: 1m
                promql_expr_tests: []
            """) == [
                "t.yml:4:5: field promql_expr_tests not found in a test group (known fields: interval, input_series, alert_rule_test, promql_expr_test, external_labels, external_url, name, start_timestamp)"
            ])
        #expect(Self.diagnostics("bogus: 1\n").first?.hasPrefix("t.yml:1:1: field bogus not found in the test file") == true)
    }

    @Test func wrongTypesAndBadValues() {
        let found = Self.diagnostics("""
            evaluation_interval: 5
            fuzzy_compare: maybe
            tests:
              - interval: [1m]
                start_timestamp: yesterday
                promql_expr_test:
                  - expr: up
                    eval_time: 1x
                    exp_samples:
                      - labels: up
                        value: "1"
                      - labels: up
                        value: NaN
            """)
        #expect(found == [
            "t.yml:1:22: evaluation_interval: not a valid duration string: \"5\"",
            "t.yml:2:16: fuzzy_compare: cannot unmarshal !!str `maybe` into bool",
            "t.yml:4:15: interval: cannot unmarshal !!seq into a string",
            "t.yml:5:22: cannot parse \"yesterday\" to a valid timestamp",
            "t.yml:8:20: eval_time: not a valid duration string: \"1x\"",
            "t.yml:11:20: value: cannot unmarshal !!str `1` into float64",
            "t.yml:13:20: value: cannot unmarshal !!str `NaN` into float64",
        ])
        #expect(Self.diagnostics("tests: 3").first == "t.yml:1:8: tests: cannot unmarshal !!number `3` into a list")
        #expect(Self.diagnostics("- a\n").first == "t.yml:1:1: cannot unmarshal !!seq into a test file")
    }

    @Test func yamlSyntaxErrors() {
        let syntax = Self.diagnostics("tests:\n  - name: a\n   interval: 1m\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.hasPrefix("t.yml:3:") == true)
        #expect(syntax.first?.contains("yaml: ") == true)
        let repeated = Self.diagnostics("rule_files: []\nrule_files: []\n")
        #expect(repeated.count == 1)
        #expect(repeated.first?.contains("\"rule_files\"") == true)
    }

    @Test func unreadableFile() {
        #expect(throws: RuleTestFileError.self) { try RuleTestFile.load(path: "/nonexistent/t.yml") }
        do {
            _ = try RuleTestFile.load(path: "/nonexistent/t.yml")
        } catch {
            #expect(error.description == "/nonexistent/t.yml: open /nonexistent/t.yml: no such file or directory")
        }
    }

    static let numbers: [(String, Double)] = [
        ("1", 1.0), ("-2.5", -2.5), ("1e3", 1000), ("0x1F", 31), ("0b101", 5), ("017", 15), ("1_000", 1000),
        (".inf", .infinity), ("-.Inf", -.infinity), ("+12", 12), ("09", 9),
    ]

    @Test(arguments: numbers)
    func yamlNumbers(text: String, value: Double) {
        #expect(TestFileDecoder.yamlNumber(text) == value)
    }

    @Test func yamlNonNumbers() {
        for text in ["NaN", "Inf", "abc", "1.2.3", "", "true", "0x"] {
            #expect(TestFileDecoder.yamlNumber(text) == nil, "\(text)")
        }
        #expect(TestFileDecoder.yamlNumber(".nan")?.isNaN == true)
    }

    @Test func startTimestamps() {
        #expect(TestFileDecoder.timestamp("1609459200") == 1_609_459_200_000)
        #expect(TestFileDecoder.timestamp("1609459200.5") == 1_609_459_200_500)
        #expect(TestFileDecoder.timestamp("2021-01-01T00:00:00Z") == 1_609_459_200_000)
        #expect(TestFileDecoder.timestamp("2021-01-01T02:00:00.25+02:00") == 1_609_459_200_250)
        #expect(TestFileDecoder.timestamp("1969-12-31T23:59:59Z") == -1000)
        #expect(TestFileDecoder.timestamp("2024-02-29T12:00:00Z") == 1_709_208_000_000)
        #expect(TestFileDecoder.timestamp("2023-02-29T12:00:00Z") == nil)
        #expect(TestFileDecoder.timestamp("2021-01-01 00:00:00Z") == nil)
        #expect(TestFileDecoder.timestamp("2021-01-01T00:00:00") == nil)
    }
}
