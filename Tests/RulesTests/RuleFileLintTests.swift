import Model
import Rules
import Testing

/// promtool's duplicate-rules lint, and the duration syntax of rule files.
struct RuleFileLintTests {
    @Test func duplicateRulesByNameAndLabels() throws {
        let file = try RuleFileTesting.load("""
            groups:
              - name: g
                rules:
                  - record: a
                    expr: up
                    labels: {x: "1"}
                  - record: a
                    expr: up + 1
                    labels: {x: "1"}
                  - record: a
                    expr: up
                    labels: {x: "2"}
                  - alert: b
                    expr: up
                  - alert: b
                    expr: down
                  - alert: b
                    expr: down
              - name: h
                labels: {x: "2"}
                rules:
                  - record: a
                    expr: up
            """)
        let duplicates = RuleFileLint.duplicateRules(in: file)
        // Group h's labels make its rule a duplicate of the third rule of g (Prometheus 3).
        #expect(duplicates == [
            RuleFileLint.DuplicateRule(name: "a", labels: Labels(["x": "1"])),
            RuleFileLint.DuplicateRule(name: "a", labels: Labels(["x": "2"])),
            RuleFileLint.DuplicateRule(name: "b", labels: .empty),
        ])
        #expect(RuleFileLint.duplicateRulesMessage(duplicates) == """
            3 duplicate rule(s) found.
            Metric: a
            Label(s):
            \tx: 1
            Metric: a
            Label(s):
            \tx: 2
            Metric: b
            Label(s):
            Might cause inconsistency while recording expressions
            """)
    }

    @Test func noDuplicates() throws {
        let file = try RuleFileTesting.load("""
            groups:
              - name: g
                rules:
                  - record: a
                    expr: up
                  - record: a
                    expr: up
                    labels: {x: "1"}
                  - alert: a
                    expr: up
                    labels: {x: "2"}
            """)
        #expect(RuleFileLint.duplicateRules(in: file).isEmpty)
    }

    @Test func durationSyntax() throws {
        func duration(_ text: String) throws -> Int64? {
            let file = try RuleFileTesting.load("groups:\n  - name: g\n    interval: \(text)\n")
            return file.groups[0].interval
        }
        #expect(try duration("1h30m") == 5_400_000)
        #expect(try duration("90s") == 90_000)
        #expect(try duration("1y1w1d1h1m1s1ms") == 31_536_000_000 + 604_800_000 + 86_400_000 + 3_600_000 + 60_000 + 1000 + 1)
        #expect(try duration("500ms") == 500)
        #expect(try duration("0") == nil)
        #expect(try duration("\"2m\"") == 120_000)
        for (text, message) in [
            // Prometheus reads the characters after the digits as the unit.
            ("1.5h", #"unknown unit "." in duration "1.5h""#),
            ("1h 30m", #"unknown unit "h " in duration "1h 30m""#),
            ("-5m", #"not a valid duration string: "-5m""#),
            ("30m1h", #"not a valid duration string: "30m1h""#),
            ("1m1m", #"not a valid duration string: "1m1m""#),
            ("h", #"not a valid duration string: "h""#),
            ("5", #"not a valid duration string: "5""#),
            ("5min", #"unknown unit "min" in duration "5min""#),
            ("\"\"", "empty duration string"),
            ("300y", "duration out of range"),
        ] {
            #expect(RuleFileTesting.errors("groups:\n  - name: g\n    interval: \(text)\n") == ["f.yml:3:15: \(message)"], "\(text)")
        }
    }
}
