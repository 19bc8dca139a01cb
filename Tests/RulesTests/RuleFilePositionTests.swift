import Rules
import Testing

/// PromQL error positions (byte offsets in the expression) mapped to the file's line and
/// column, for every way YAML writes a scalar. Each case's expected place was found by
/// hand: the character Prometheus's `LINE:COL` inside the expression points at.
struct RuleFilePositionTests {
    /// The `LINE:COL` of the single error of a one-rule file whose rule is `rule`.
    static func place(_ rule: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String? {
        let errors = RuleFileTesting.errors("groups:\n  - name: g\n    rules:\n" + rule, sourceLocation: sourceLocation)
        #expect(errors.count == 1, sourceLocation: sourceLocation)
        guard let first = errors.first, first.hasPrefix("f.yml:") else { return nil }
        return first.dropFirst("f.yml:".count).split(separator: ":").prefix(2).joined(separator: ":")
    }

    @Test func plainScalar() {
        // Line 5 is "        expr: sum(rate(x[5m])" ; the value starts in column 15.
        #expect(Self.place("      - record: r\n        expr: sum(rate(x[5m])\n") == "5:30")  // end of input
        #expect(Self.place("      - record: r\n        expr: foo bar\n") == "5:19")
    }

    @Test func multiLinePlainScalarFolds() {
        let rule = """
                  - record: r
                    expr: sum(rate(x[5m]))
                      + on(job)
                      foo bar

            """
        #expect(Self.place(rule) == "7:15")  // "bar"
    }

    @Test func literalBlock() {
        let rule = """
                  - record: r
                    expr: |
                      sum(rate(x[5m]))
                        + on(job) foo{

            """
        // End of input inside braces: the end of the last line.
        #expect(Self.place(rule) == "7:27")
        let second = """
                  - record: r
                    expr: |-
                      foo
                      bar

            """
        #expect(Self.place(second) == "7:11")
    }

    @Test func foldedBlock() {
        let rule = """
                  - record: r
                    expr: >
                      sum(rate(x[5m]))
                      + foo bar

            """
        #expect(Self.place(rule) == "7:17")
    }

    @Test func blockWithIndentationIndicator() {
        let rule = """
                  - record: r
                    expr: |2
                          foo bar

            """
        #expect(Self.place(rule) == "6:19")
    }

    @Test func doubleQuotedWithEscapes() {
        #expect(Self.place(#"      - record: r"# + "\n" + #"        expr: "sum(rate(x[5m])) \"a\" + 1""# + "\n") == "5:33")
        // \u00e9 is one character (two bytes) of the value, six of the file.
        #expect(Self.place(#"      - record: r"# + "\n" + #"        expr: "a + \u00e9 + b c""# + "\n") == "5:20")
        #expect(Self.place(#"      - record: r"# + "\n" + #"        expr: "x{a=\"\u00e9\"} bar""# + "\n") == "5:32")
        let folded = """
                  - record: r
                    expr: "a +
                      b \\u00e9 +"

            """
        #expect(Self.place(folded) == "6:13")
    }

    @Test func singleQuotedWithDoubledQuotes() {
        #expect(Self.place("      - record: r\n        expr: 'sum(x) + ''a'' + 1 +'\n") == "5:36")
        #expect(Self.place("      - record: r\n        expr: 'x ''a'''\n") == "5:18")
    }

    @Test func flowMappingAndAnchor() {
        #expect(Self.place("      - {record: r, expr: foo bar baz}\n") == "4:31")
        #expect(Self.place("      - record: r\n        expr: &e foo bar\n") == "5:22")
        #expect(Self.place("      - record: r\n        expr: !!str foo bar\n") == "5:25")
    }

    @Test func columnsCountCharactersNotBytes() {
        // "é" is two bytes; Prometheus's offset is in bytes, file columns in characters.
        #expect(Self.place("      - record: r\n        expr: x{a=\"é\"} bar\n") == "5:24")
    }

    @Test func windowsLineEndings() {
        let errors = RuleFileTesting.errors("groups:\r\n  - name: g\r\n    rules:\r\n      - record: r\r\n        expr: |\r\n          foo\r\n          bar\r\n")
        #expect(errors.first?.hasPrefix("f.yml:7:11: ") == true)
    }

    @Test func labelKeyAndRecordPositions() {
        let errors = RuleFileTesting.errors("""
            groups:
              - name: g
                rules:
                  - record: "a{b}"
                    expr: up
                    labels: {__name__: x}
            """)
        #expect(errors == [
            #"f.yml:4:17: group "g", rule 1, "a{b}": braces present in the recording rule name; should it be in expr?: a{b}"#,
            #"f.yml:6:18: group "g", rule 1, "a{b}": invalid label name: __name__"#,
        ])
    }
}
