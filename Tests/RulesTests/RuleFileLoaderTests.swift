import Foundation
import Model
import PromQL
import Rules
import TestSupport
import Testing

/// Helpers: a rule file's text loaded as `f.yml`.
enum RuleFileTesting {
    static func load(_ yaml: String, options: RuleFileLoader.Options = .init()) throws(RuleFileError) -> RuleFile {
        try RuleFileLoader.parse(yaml, path: "f.yml", options: options)
    }

    /// The diagnostics of a file that must not load, one string each.
    static func errors(_ yaml: String, options: RuleFileLoader.Options = .init(),
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
        do {
            _ = try load(yaml, options: options)
            Issue.record("the file loaded", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }
}

/// Loading rule files: the structure, every Prometheus validation, and all errors at once.
struct RuleFileLoaderTests {
    @Test func loadsEveryField() throws {
        let file = try RuleFileTesting.load("""
            groups:
              - name: api
                interval: 30s
                query_offset: 1m
                limit: 10
                labels:
                  team: core
                  tier: "1"
                rules:
                  - record: job:http_requests:rate5m
                    expr: sum by (job) (rate(http_requests_total[5m]))
                    labels:
                      source: recorded
                  - alert: HighErrorRate
                    expr: |
                      job:http_requests:rate5m > 0.5
                    for: 1h30m
                    keep_firing_for: 5m
                    labels:
                      severity: page
                    annotations:
                      summary: "High error rate on {{ $labels.job }}"
                      runbook: https://example.com/runbook
              - name: other
                rules: []
            """)
        #expect(file.path == "f.yml")
        #expect(file.groups.count == 2)
        let api = file.groups[0]
        #expect(api.name == "api")
        #expect(api.interval == 30_000)
        #expect(api.queryOffset == 60_000)
        #expect(api.limit == 10)
        #expect(api.labels.map(\.name) == ["team", "tier"])
        #expect(api.labels.map(\.value) == ["core", "1"])
        #expect(api.location == Rules.SourceLocation(file: "f.yml", line: 2, column: 5))
        #expect(api.rules.count == 2)

        let record = api.rules[0]
        #expect(record.kind == .recording("job:http_requests:rate5m"))
        #expect(record.exprText == "sum by (job) (rate(http_requests_total[5m]))")
        #expect(record.expr == (try PromQLParser.parse(record.exprText)))
        #expect(record.labels.map(\.name) == ["source"])
        #expect(record.holdDuration == 0)
        #expect(record.location == Rules.SourceLocation(file: "f.yml", line: 10, column: 9))

        let alert = api.rules[1]
        #expect(alert.kind == .alerting("HighErrorRate"))
        #expect(alert.name == "HighErrorRate")
        #expect(alert.exprText == "job:http_requests:rate5m > 0.5\n")
        #expect(alert.holdDuration == 5_400_000)
        #expect(alert.keepFiringFor == 300_000)
        #expect(alert.labels.map(\.value) == ["page"])
        #expect(alert.annotations.map(\.name) == ["summary", "runbook"])
        #expect(alert.annotations[0].value == "High error rate on {{ $labels.job }}")

        let other = file.groups[1]
        #expect(other.interval == nil)
        #expect(other.queryOffset == nil)
        #expect(other.limit == 0)
        #expect(other.rules.isEmpty)
    }

    @Test func emptyInputsHaveNoGroups() throws {
        for text in ["", "# only a comment\n", "groups:\n", "groups: []\n", "~\n", "---\n"] {
            #expect(try RuleFileTesting.load(text).groups.isEmpty, "\(text)")
        }
    }

    @Test func zeroValuesAreDefaults() throws {
        // interval 0 is the global interval; query_offset 0 is an explicit 0 (it overrides
        // the global rule_query_offset); a negative limit is no limit, as in Prometheus.
        let file = try RuleFileTesting.load("""
            groups:
              - name: g
                interval: 0s
                query_offset: 0s
                limit: -1
                rules:
                  - record: r
                    expr: "1"
                    for: 0
            """)
        #expect(file.groups[0].interval == nil)
        #expect(file.groups[0].queryOffset == 0)
        #expect(file.groups[0].limit == 0)
    }

    @Test func scalarsOfAnyKindAreStrings() throws {
        // yaml.v3 decodes any scalar into a string field as written.
        let file = try RuleFileTesting.load("""
            groups:
              - name: 2024
                rules:
                  - alert: true
                    expr: 1.50
                    labels:
                      level: 3
            """)
        #expect(file.groups[0].name == "2024")
        #expect(file.groups[0].rules[0].name == "true")
        #expect(file.groups[0].rules[0].exprText == "1.50")
        #expect(file.groups[0].rules[0].labels[0].value == "3")
    }

    @Test func prometheusValidationMessages() {
        let errors = RuleFileTesting.errors("""
            groups:
              - name: example
                rules:
                  - record: job:http_requests:rate5m
                    expr: sum by (job) (rate(http_requests_total[5m])
                    for: 5m
                  - alert: X
                    record: y
                    expr: up
                  - expr: up
              - name: example
                rules: []
              - name: ""
                rules:
                  - record: "foo{a}"
                    expr: ""
                    labels:
                      __name__: x
                    annotations:
                      summary: s
                    keep_firing_for: 1m
            """)
        #expect(errors == [
            #"f.yml:5:58: group "example", rule 1, "job:http_requests:rate5m": could not parse expression: parse error: unclosed left parenthesis"#,
            #"f.yml:6:9: group "example", rule 1, "job:http_requests:rate5m": invalid field 'for' in recording rule"#,
            #"f.yml:8:17: group "example", rule 2, "X": only one of 'record' and 'alert' must be set"#,
            #"f.yml:10:9: group "example", rule 3, "": one of 'record' or 'alert' must be set"#,
            #"f.yml:11:5: groupname: "example" is repeated in the same file"#,
            #"f.yml:13:5: Groupname must not be empty"#,
            #"f.yml:16:15: group "", rule 1, "foo{a}": field 'expr' must be set in rule"#,
            #"f.yml:19:9: group "", rule 1, "foo{a}": invalid field 'annotations' in recording rule"#,
            #"f.yml:21:9: group "", rule 1, "foo{a}": invalid field 'keep_firing_for' in recording rule"#,
            #"f.yml:15:17: group "", rule 1, "foo{a}": braces present in the recording rule name; should it be in expr?: foo{a}"#,
            #"f.yml:18:11: group "", rule 1, "foo{a}": invalid label name: __name__"#,
        ])
    }

    @Test func missingExprAndNullRules() {
        #expect(RuleFileTesting.errors("""
            groups:
              - name: g
                rules:
                  - record: r
                  - ~
                  - alert: a
                    expr: ~
            """) == [
                #"f.yml:4:9: group "g", rule 1, "r": field 'expr' must be set in rule"#,
                #"f.yml:5:9: group "g", rule 2, "": one of 'record' or 'alert' must be set"#,
                #"f.yml:5:9: group "g", rule 2, "": field 'expr' must be set in rule"#,
                #"f.yml:7:15: group "g", rule 3, "a": field 'expr' must be set in rule"#,
            ])
    }

    @Test func groupLabelsAreChecked() {
        #expect(RuleFileTesting.errors("""
            groups:
              - name: g
                labels:
                  __name__: x
                  "": y
                rules: []
            """) == [
                "f.yml:4:7: invalid label name: __name__",
                "f.yml:5:7: invalid label name: ",
            ])
    }

    @Test func unknownFieldsAtEveryLevel() {
        let text = """
            groups:
              - name: g
                evaluation_interval: 1m
                rules:
                  - record: r
                    expr: up
                    summary: nope
            rule_files: []
            """
        #expect(RuleFileTesting.errors(text) == [
            "f.yml:8:1: field rule_files not found in type rulefmt.RuleGroups",
            "f.yml:3:5: field evaluation_interval not found in type rulefmt.RuleGroup",
            #"f.yml:7:9: group "g", rule 1, "r": field summary not found in type rulefmt.Rule"#,
        ])
        let file = try? RuleFileTesting.load(text, options: .init(ignoreUnknownFields: true))
        #expect(file?.groups.first?.rules.count == 1)
    }

    @Test func wrongTypes() {
        #expect(RuleFileTesting.errors("""
            groups:
              - name: [a]
                limit: abc
                interval: {a: 1}
                rules:
                  - record: r
                    expr: {a: b}
                    labels: [x]
                    annotations: a long annotation text
                  - just a string
              - 5
            """) == [
                "f.yml:2:11: cannot unmarshal !!seq into string",
                "f.yml:3:12: cannot unmarshal !!str `abc` into int",
                "f.yml:4:15: cannot unmarshal !!map into model.Duration",
                #"f.yml:7:15: group "", rule 1, "r": cannot unmarshal !!map into string"#,
                #"f.yml:8:17: group "", rule 1, "r": cannot unmarshal !!seq into map[string]string"#,
                #"f.yml:9:22: group "", rule 1, "r": cannot unmarshal !!str `a long ...` into map[string]string"#,
                #"f.yml:10:9: group "", rule 2, "": cannot unmarshal !!str `just a ...` into rulefmt.Rule"#,
                "f.yml:11:5: cannot unmarshal !!int `5` into rulefmt.RuleGroup",
            ])
        #expect(RuleFileTesting.errors("- a\n") == ["f.yml:1:1: cannot unmarshal !!seq into rulefmt.RuleGroups"])
        #expect(RuleFileTesting.errors("groups: 3\n") == ["f.yml:1:9: cannot unmarshal !!int `3` into []rulefmt.RuleGroup"])
        #expect(RuleFileTesting.errors("groups:\n  - name: g\n    rules: {}\n") == ["f.yml:3:12: cannot unmarshal !!map into []rulefmt.Rule"])
        #expect(RuleFileTesting.errors("groups:\n  - name: g\n    limit: \"5\"\n") == ["f.yml:3:12: cannot unmarshal !!str `5` into int"])
    }

    @Test func durations() {
        #expect(RuleFileTesting.errors("""
            groups:
              - name: g
                interval: 5x
                query_offset: -1m
                rules:
                  - alert: a
                    expr: up
                    for: 1h30
                    keep_firing_for: 1m1h
                  - alert: b
                    expr: up
                    for: 5
                    keep_firing_for: 500y
            """) == [
                #"f.yml:3:15: unknown unit "x" in duration "5x""#,
                #"f.yml:4:19: not a valid duration string: "-1m""#,
                #"f.yml:8:14: group "g", rule 1, "a": not a valid duration string: "1h30""#,
                #"f.yml:9:26: group "g", rule 1, "a": not a valid duration string: "1m1h""#,
                #"f.yml:12:14: group "g", rule 2, "b": not a valid duration string: "5""#,
                #"f.yml:13:26: group "g", rule 2, "b": duration out of range"#,
            ])
    }

    @Test func utf8NamesAreValidByDefault() throws {
        let text = """
            groups:
              - name: g
                rules:
                  - record: http.requests:rate5m
                    expr: up
                    labels:
                      "service.name": api
            """
        let file = try RuleFileTesting.load(text)
        #expect(file.groups[0].rules[0].name == "http.requests:rate5m")
        #expect(RuleFileTesting.errors(text, options: .init(nameValidation: .legacy)) == [
            #"f.yml:4:17: group "g", rule 1, "http.requests:rate5m": invalid recording rule name: http.requests:rate5m"#,
            #"f.yml:7:11: group "g", rule 1, "http.requests:rate5m": invalid label name: service.name"#,
        ])
    }

    @Test func annotationNames() {
        #expect(RuleFileTesting.errors("""
            groups:
              - name: g
                rules:
                  - alert: a
                    expr: up
                    annotations:
                      "": x
                      __name__: fine
            """) == [#"f.yml:7:11: group "g", rule 1, "a": invalid annotation name: "#])
    }

    @Test func recordingRuleLabelValuesAreNotTemplates() throws {
        let file = try RuleFileTesting.load("""
            groups:
              - name: g
                rules:
                  - record: r
                    expr: up
                    labels:
                      text: "{{ not a template"
            """)
        #expect(file.groups[0].rules[0].labels[0].value == "{{ not a template")
    }

    @Test func experimentalPromQLNeedsTheOption() throws {
        let text = """
            groups:
              - name: g
                rules:
                  - record: r
                    expr: limitk(1, up)
            """
        let errors = RuleFileTesting.errors(text)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix(#"f.yml:5:15: group "g", rule 1, "r": could not parse expression: parse error: limitk() is experimental"#) == true)
        #expect(try RuleFileTesting.load(text, options: .init(experimentalPromQL: true)).groups[0].rules.count == 1)
    }

    @Test func mergeKeysAndAnchors() throws {
        let file = try RuleFileTesting.load("""
            groups:
              - name: g
                rules:
                  - &base
                    alert: A
                    expr: up == 0
                    labels: {severity: page}
                  - <<: *base
                    alert: B
            """)
        let rules = file.groups[0].rules
        #expect(rules.map(\.name) == ["A", "B"])
        #expect(rules[1].exprText == "up == 0")
        #expect(rules[1].labels.map(\.value) == ["page"])
    }

    @Test func yamlSyntaxErrors() {
        #expect(RuleFileTesting.errors("groups:\n  - name: g\n    rules: [\n").first?.hasPrefix("f.yml:4:1: yaml: did not find expected node content") == true)
        #expect(RuleFileTesting.errors("groups:\n  - name: g\n\trules: []\n").first?.hasPrefix("f.yml:3:1: yaml: ") == true)
        #expect(RuleFileTesting.errors("""
            groups:
              - name: g
                rules:
                  - record: a
                    expr: up
                    expr: down
            """) == [#"f.yml:6:9: yaml: mapping key "expr" already defined at line 5"#])
        #expect(throws: RuleFileError.self) { try RuleFileLoader.parse([0x67, 0x3a, 0x20, 0xff, 0x0a], path: "f.yml") }
        do {
            _ = try RuleFileLoader.parse(Array("groups:\n  - name: \"x".utf8) + [0xc3, 0x28] + Array("\"\n".utf8), path: "f.yml")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["f.yml:2:13: yaml: invalid UTF-8"])
        }
    }

    @Test func onlyTheFirstDocumentIsRead() throws {
        let file = try RuleFileTesting.load("groups:\n  - name: a\n---\ngroups:\n  - name: b\n    nonsense: 1\n")
        #expect(file.groups.map(\.name) == ["a"])
    }

    @Test func allErrorsOfAllFilesAndNothingHalfLoaded() throws {
        let dir = try TemporaryDirectory()
        let good = dir.path + "/good.yml", bad = dir.path + "/bad.yml", worse = dir.path + "/worse.yml"
        try "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up +\n      - record: s\n        expr: up\n      - alert: \"\"\n        expr: up\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        try "groups:\n  - name: \"\"\n".write(toFile: worse, atomically: true, encoding: .utf8)

        let files = try RuleFileLoader.load(paths: [good, good])
        #expect(files.map(\.path) == [good, good])
        do {
            _ = try RuleFileLoader.load(paths: [good, bad, dir.path + "/missing.yml", worse])
            Issue.record("loaded")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                #"\#(bad):5:19: group "g", rule 1, "r": could not parse expression: parse error: unexpected end of input"#,
                #"\#(bad):8:9: group "g", rule 3, "": one of 'record' or 'alert' must be set"#,
                "\(dir.path)/missing.yml: open \(dir.path)/missing.yml: no such file or directory",
                "\(worse):2:5: Groupname must not be empty",
            ])
            #expect(error.diagnostics[2].location == nil)
            #expect(error.description.split(separator: "\n").count == 4)
        }
    }

    /// Template errors, placed inside the value. Runs once the template parser reports them.
    @Test(.enabled(if: (try? RuleTemplate("{{", name: "probe")) == nil))
    func templateErrorsOfAlertingRules() {
        let errors = RuleFileTesting.errors("""
            groups:
              - name: g
                rules:
                  - alert: Tmpl
                    expr: up == 0
                    labels:
                      severity: "{{ $labels.x"
                    annotations:
                      ok: "{{ $labels.instance }} is {{ $value }}"
                      b: |
                        line one
                        {{ nosuchfunction }}
            """)
        #expect(errors.count == 2)
        #expect(errors.first?.hasPrefix(#"f.yml:7:"#) == true)
        #expect(errors.first?.contains(#"group "g", rule 1, "Tmpl": label "severity": template: __alert_Tmpl:1: "#) == true)
        #expect(errors.last?.hasPrefix(#"f.yml:12:"#) == true)
        #expect(errors.last?.contains(#"annotation "b": template: __alert_Tmpl:2: "#) == true)
    }
}
