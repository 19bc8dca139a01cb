import Model
import Testing
@testable import PromQLTest

/// The promqltest script language: commands, blocks, expectations, and precise errors.
@Suite struct ScriptParserTests {
    @Test func loadClearAndEvals() throws {
        let script = try ScriptParser.parse("""
            # Comment.
            load 5m
              http_requests{path="/foo"}\t1 2 3
              http_requests{path="/bar"}  1+1x2

            eval instant at 50m sum(http_requests)
              {} 9

            clear
            eval range from 0 to 10m step 5m http_requests
              http_requests{path="/foo"} 1 2 3
            """)
        #expect(script.commands.count == 4)
        guard case .load(let load) = script.commands[0] else { Issue.record("not a load"); return }
        #expect(load.line == 2)
        #expect(load.interval == 300_000)
        #expect(!load.withNHCB)
        #expect(load.series.map(\.line) == [3, 4])
        #expect(load.series[1].values == [.float(1), .float(2), .float(3)])
        guard case .eval(let instant) = script.commands[1] else { Issue.record("not an eval"); return }
        #expect(instant.line == 6)
        #expect(instant.query == "sum(http_requests)")
        #expect(instant.kind == .instant(at: 3_000_000))
        #expect(instant.expected == .series([ExpectedSeries(line: 7, position: 1, labels: .empty, values: [.float(9)])]))
        #expect(script.commands[2] == .clear(line: 9))
        guard case .eval(let range) = script.commands[3] else { Issue.record("not an eval"); return }
        #expect(range.kind == .range(start: 0, end: 600_000, step: 300_000))
        #expect(range.query == "http_requests")
    }

    @Test func queryKeepsItsSpacing() throws {
        let script = try ScriptParser.parse("eval instant at 1m  sum by (a)  (x)   \n")
        #expect(script.evals.first?.query == "sum by (a)  (x)")
    }

    @Test func scalarLineEndsTheBlock() throws {
        let script = try ScriptParser.parse("eval instant at 0 1+1\n  2\neval instant at 0 3\n  3\n")
        #expect(script.evals.count == 2)
        #expect(script.evals[0].expected == .scalar(2, line: 2))
        #expect(script.evals[1].line == 3)
    }

    @Test func commentEndsABlock() {
        #expect {
            try ScriptParser.parse("load 1m\n  a 1\n# note\n  b 2\n")
        } throws: { error in
            (error as? ScriptError) == ScriptError(line: 4, message: "invalid command \"b 2\"")
        }
    }

    @Test func expectLines() throws {
        let script = try ScriptParser.parse("""
            eval instant at 1m foo
              expect warn msg: PromQL warning: bad (1:1)
              expect warn regex: PromQL warning: .* \\(1:[0-9]+\\)
              expect no_info
              expect ordered
              {a="1"} 1
              {a="2"} 2

            eval range from 0 to 1m step 30s bar
              expect fail regex: conflicting label
              expect info

            eval instant at 50m "Foo"
              expect string `Foo`

            eval instant at 1m x[1m]
              expect range vector from 10s to 1m step 10s
              x 1 2 3 4 5 6
            """)
        let e = script.evals
        #expect(e.count == 4)
        #expect(e[0].expectations.warn.map(\.kind) == [.exact("PromQL warning: bad (1:1)"), .regex("PromQL warning: .* \\(1:[0-9]+\\)")])
        #expect(e[0].expectations.noInfo)
        #expect(e[0].expectations.ordered)
        #expect(e[0].expectations.warn[1].matches("PromQL warning: something (1:23)"))
        #expect(!e[0].expectations.warn[1].matches("PromQL warning: something (2:23)"))
        guard case .series(let series) = e[0].expected else { Issue.record("no series"); return }
        #expect(series.map(\.position) == [1, 2])
        #expect(e[1].expectations.fail)
        #expect(e[1].expectations.failMessages.map(\.kind) == [.regex("conflicting label")])
        #expect(e[1].expectations.failMessages[0].matches("found a conflicting label set"))
        #expect(e[1].expectations.info.map(\.kind) == [.any])
        #expect(e[2].expectations.string == "Foo")
        #expect(e[2].expectations.excludesRangeCheck)
        #expect(e[3].expectations.rangeVector == RangeVectorExpectation(start: 10_000, end: 60_000, step: 10_000))
        #expect(e[3].instantTime == 60_000)
    }

    @Test func deprecatedForms() throws {
        let script = try ScriptParser.parse("""
            eval_fail instant at 0 -{job="api"}
              expected_fail_message vector cannot contain metrics with the same labelset

            eval_fail instant at 0 x
              expected_fail_regexp same label(set)?

            eval_warn range from 0 to 1m step 1m y

            eval_info instant at 0 y

            eval_ordered instant at 0 sort(z)
              z{a="1"} 1
            """)
        let e = script.evals
        #expect(e.count == 5)
        #expect(e[0].expectations.fail)
        #expect(e[0].expectations.failMessages.map(\.kind) == [.exact("vector cannot contain metrics with the same labelset")])
        #expect(e[1].expectations.failMessages.map(\.kind) == [.regex("same label(set)?")])
        #expect(e[2].expectations.legacyWarn)
        #expect(e[3].expectations.legacyInfo)
        #expect(e[4].expectations.ordered)
    }

    @Test func loadWithNHCBAndHistograms() throws {
        let script = try ScriptParser.parse("""
            load_with_nhcb 1m
              h_bucket{le="1"} 1 2
              h_bucket{le="+Inf"} 2 4
              native {{schema:0 sum:1 count:1}}x2
            """)
        guard case .load(let load) = script.commands[0] else { Issue.record("not a load"); return }
        #expect(load.withNHCB)
        #expect(load.interval == 60_000)
        #expect(load.series[2].hasHistograms)
        #expect(!load.series[0].hasHistograms)
    }

    @Test func duplicateSeriesInALoadKeepsTheLast() throws {
        let script = try ScriptParser.parse("load 1m\n  a 1\n  a 2\n")
        guard case .load(let load) = script.commands[0] else { Issue.record("not a load"); return }
        #expect(load.series.count == 1)
        #expect(load.series[0].values == [.float(2)])
        #expect(load.series[0].line == 3)
    }

    /// Malformed scripts fail with the line (and column when it helps) of the problem.
    @Test(arguments: [
        ("frobnicate\n", 1, nil as Int?, "invalid command \"frobnicate\""),
        ("load\n", 1, nil, "invalid load command"),
        ("load 5x\n", 1, 6, "invalid step definition \"5x\""),
        ("load 1m\n  up{a=\"b\" 1\n", 2, 13, "missing '}'"),
        ("load 1m\n    up 1 2+\n", 2, 12, "expected a number"),
        ("\n\neval instant 5m x\n", 3, nil, "invalid evaluation command"),
        ("eval instant at 5q x\n", 1, 17, "invalid timestamp definition \"5q\""),
        ("eval range from 10m to 5m step 1m x\n", 1, 24, "end timestamp (5m) is before start timestamp (10m)"),
        ("eval range from 0 to 5m step 1x x\n", 1, 30, "invalid step definition \"1x\""),
        ("eval_ordered range from 0 to 5m step 1m x\n", 1, nil, "invalid evaluation command"),
        ("eval instant at 0 x\n  x 1 2\n", 2, nil, "expecting multiple values in instant evaluation not allowed"),
        ("eval instant at 0 x\n  expect bogus\n", 2, nil, "invalid expect statement"),
        ("eval instant at 0 x\n  expect warn text: a\n", 2, nil, "invalid expect statement"),
        ("eval instant at 0 x\n  expect warn\n  expect no_warn\n", 3, nil, "warn and no_warn cannot be used together"),
        ("eval instant at 0 x\n  expect no_info\n  expect info\n", 3, nil, "info and no_info cannot be used together"),
        ("eval instant at 0 x\n  expect fail\n  expect fail msg: a\n", 3, nil, "multiple expect fail lines"),
        ("eval instant at 0 x\n  expect fail regex: a(\n", 2, nil, "invalid regex"),
        ("eval instant at 0 x\n  expect string Foo\n", 2, nil, "check that the string is correctly quoted"),
        ("eval instant at 0 x\n  expect string\n", 2, nil, "a quoted string literal is required"),
        ("eval instant at 0 x\n  expect range vector from 1m to 0 step 1m\n", 2, nil, "before start timestamp"),
        ("eval range from 0 to 1m step 1m x\n  expect range vector from 0 to 1m step 1m\n", 2, nil, "only valid for instant queries"),
        ("eval instant at 0 x\n  1\n  2\n", 3, nil, "invalid command \"2\""),
        ("eval_fail instant at 0 x\n  expected_fail_regexp (\n", 2, nil, "invalid regexp"),
    ])
    func malformed(text: String, line: Int, column: Int?, message: String) {
        #expect {
            try ScriptParser.parse(text)
        } throws: { error in
            guard let error = error as? ScriptError else { return false }
            return error.line == line && error.column == column && error.message.contains(message)
        }
    }

    @Test(arguments: [
        ("0", 0 as Int64?), ("5m", 300_000), ("1h30m", 5_400_000), ("10s", 10_000), ("100ms", 100),
        ("1d", 86_400_000), ("1w", 604_800_000), ("1y", 31_536_000_000), ("9m10s", 550_000),
        ("", nil), ("5", nil), ("1m1h", nil), ("-5m", nil), ("1.5m", nil), ("5mm", nil), ("1h1h", nil),
    ])
    func durations(text: String, expected: Int64?) {
        #expect(PromDuration.parse(text) == expected)
    }

    @Test func durationFormatting() {
        #expect(PromDuration.format(0) == "0s")
        #expect(PromDuration.format(3_000_000) == "50m")
        #expect(PromDuration.format(5_400_500) == "1h30m500ms")
        #expect(PromDuration.format(-30_000_000) == "-8h20m")
    }

    @Test(arguments: [
        ("\"Foo\"", "Foo" as String?), ("`Foo`", "Foo"), ("\" Foo \"", " Foo "), ("\"\"", ""),
        ("\"a\\n\\t\\\"b\\x41\\u00e9\\101\"", "a\n\t\"bAéA"), ("'x'", "x"), ("'xy'", nil), ("\"a", nil), ("Foo", nil),
    ])
    func goUnquote(text: String, expected: String?) {
        #expect(GoUnquote.unquote(text) == expected)
    }
}
