import Model
import Testing
@testable import PromQL

@Suite struct ParserTests {
    /// Queries and Prometheus's canonical text of each.
    @Test(arguments: [
        // Numbers.
        ("1", "1"), ("+Inf", "+Inf"), ("-Inf", "-Inf"), ("inf", "+Inf"), (".5", "0.5"), ("5.", "5"),
        ("123.4567", "123.4567"), ("5e-3", "0.005"), ("5e3", "5000"), ("0xc", "12"), ("0x1F", "31"),
        ("0755", "493"), ("08", "8"), ("+5.5e-3", "0.0055"), ("-0755", "-493"), ("1_000", "1000"),
        ("0x_1f", "31"), ("NaN", "NaN"), ("nAn", "NaN"), ("1e21", "1000000000000000000000"),
        ("5m", "5m"), ("-5m", "-5m"), ("1h30m", "1h30m"), ("90m", "1h30m"), ("100ms", "100ms"),
        // Strings.
        (#""a\"b""#, #""a\"b""#), (#"'a"b'"#, #""a\"b""#), ("`raw\\n`", #""raw\\n""#),
        (#""\x41\101\u00e9\U0001F600\n""#, #""AAé😀\n""#),
        (#""a\xffb""#, #""a\ufffdb""#), (#"foo{a="\xff"}"#, #"foo{a="\ufffd"}"#), ("Inf ^ 2", "Inf ^ 2"), ("x ^ Inf", "x ^ +Inf"),
        // Selectors.
        ("foo", "foo"), ("foo:bar:baz", "foo:bar:baz"), ("foo{bar='baz'}", #"foo{bar="baz"}"#),
        (#"foo{b="1", a="2",}"#, #"foo{a="2",b="1"}"#), (#"{"my.metric", "a.b"="c"}"#, #"{"a.b"="c",__name__="my.metric"}"#),
        (#"{__name__=~"a|b"}"#, #"{__name__=~"a|b"}"#), (#"foo{a!="b", c!~"d", e=~"f"}"#, #"foo{a!="b",c!~"d",e=~"f"}"#),
        ("sum", "sum"), ("by", "by"), ("offset", "offset"), ("SUM{a=\"b\"}", "SUM{a=\"b\"}"), ("start", "start"),
        (#"foo{on="x", sum="y"}"#, #"foo{on="x",sum="y"}"#),
        ("foo offset 5m", "foo offset 5m"), ("foo offset -5m", "foo offset -5m"), ("foo OFFSET 1h30m", "foo offset 1h30m"),
        ("foo offset 5", "foo offset 5s"), ("foo @ 1234.5", "foo @ 1234.500"), ("foo @ -1", "foo @ -1.000"),
        ("foo @ start()", "foo @ start()"), ("foo @ end()", "foo @ end()"), ("foo @ 5m", "foo @ 300.000"),
        ("foo offset 1h @ 10", "foo @ 10.000 offset 1h"), ("foo @ 10 offset 1h", "foo @ 10.000 offset 1h"),
        ("foo[5m]", "foo[5m]"), ("foo[300]", "foo[5m]"), ("foo[1.5]", "foo[1s500ms]"), ("foo[ 5m ]", "foo[5m]"),
        ("foo[5m] offset 1h @ 10", "foo[5m] @ 10.000 offset 1h"), ("foo[5m:]", "foo[5m:]"),
        ("rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]"), ("foo[5m:1m] offset 1m @ end()", "foo[5m:1m] @ end() offset 1m"),
        ("rate(foo[5m:])[10m:]", "rate(foo[5m:])[10m:]"),
        // Operators.
        ("1 + 1", "1 + 1"), ("1 == bool 1", "1 == bool 1"), ("-1^2", "-1 ^ 2"), ("-1*2", "-1 * 2"),
        ("+1 + -2 * 1", "1 + -2 * 1"), ("1 + 2/(3*1)", "1 + 2 / (3 * 1)"), ("-some_metric", "-some_metric"),
        ("- -foo", "--foo"), ("-(1)", "-(1)"), ("a atan2 b", "a atan2 b"), ("a AND b", "a and b"),
        ("a + on(b) group_left(c) d", "a + on (b) group_left (c) d"),
        ("a * ignoring(b) group_right d", "a * ignoring (b) group_right () d"),
        ("a + ignoring() b", "a + b"), ("a / on() b", "a / on () b"), ("a > bool b", "a > bool b"),
        ("a or b unless c", "a or b unless c"), ("a == on(x) group_left(sum, on) b", "a == on (x) group_left (sum, on) b"),
        (#"a + on("a.b") b"#, #"a + on ("a.b") b"#),
        // Calls and aggregations.
        ("time()", "time()"), ("rate(foo[5m])", "rate(foo[5m])"), ("round(foo, 5)", "round(foo, 5)"),
        ("label_join(x, \"a\", \",\", \"b\", \"c\")", "label_join(x, \"a\", \",\", \"b\", \"c\")"),
        ("sum by (job) (rate(x[5m]))", "sum by (job) (rate(x[5m]))"),
        ("sum(rate(x[5m])) by (job)", "sum by (job) (rate(x[5m]))"), ("sum without() (x)", "sum without () (x)"),
        ("sum by() (x)", "sum(x)"), ("SUM BY (a,) (x)", "sum by (a) (x)"), ("topk(5, x)", "topk(5, x)"),
        ("count_values(\"v\", x)", "count_values(\"v\", x)"), ("quantile(0.9, x)", "quantile(0.9, x)"),
        ("limitk(2, x)", "limitk(2, x)"), ("limit_ratio(0.5, x)", "limit_ratio(0.5, x)"),
        ("max without (instance) (x)", "max without (instance) (x)"), (#"sum by ("a.b") (x)"#, #"sum by ("a.b") (x)"#),
        ("step()", "step()"), ("STEP()", "step()"), ("vector(range())", "vector(range())"), ("end() - start()", "end() - start()"),
        // Duration expressions.
        ("foo[5m+1m]", "foo[5m + 1m]"), ("foo[60*30]", "foo[60 * 30]"), ("foo[2m*(10+5)]", "foo[2m * (10 + 5)]"),
        ("foo[-5m+35m]", "foo[-5m + 35m]"), ("foo[step()]", "foo[step()]"), ("foo[STep()+1ms]", "foo[step() + 1ms]"),
        ("foo[min_of(step()+1,1h)]", "foo[min_of(step() + 1, 1h)]"), ("foo[max_of(1m, range())]", "foo[max_of(1m, range())]"),
        ("foo[29s+1s:5s+5s]", "foo[29s + 1s:5s + 5s]"), ("foo[5m:step()*2]", "foo[5m:step() * 2]"),
        ("foo offset step()", "foo offset step()"), ("foo offset -step()", "foo offset -step()"),
        ("foo offset (100 + 2)", "foo offset (100 + 2)"), ("foo offset -(step()*2)", "foo offset -(step() * 2)"),
        ("foo offset min_of(step(), 1s)", "foo offset min_of(step(), 1s)"),
        ("foo offset 100 + 2", "foo offset 1m40s + 2"), ("foo offset 2 ^ 2", "foo offset 2s ^ 2"),
        ("foo offset -2 ^ 2", "foo offset -2s ^ 2"), ("foo offset -step()*2", "foo offset -step() * 2"),
        ("foo offset -(min_of(step(), 1s))+8000", "foo offset -(min_of(step(), 1s)) + 8000"),
        ("foo offset (1m) + 1m", "foo offset (1m) + 1m"),
        // Comments and spacing.
        ("# comment\nfoo # trailing\n", "foo"), ("foo\n+\nbar", "foo + bar"),
    ])
    func printsCanonicalText(query: String, printed: String) throws {
        let expr = try mustParse(query)
        #expect(expr.description == printed)
        let reparsed = try mustParse(printed)
        #expect(reparsed.withoutPositions == expr.withoutPositions)
    }

    @Test func numberLiterals() throws {
        #expect(try mustParse("0x1F") == .number(NumberLiteral(value: 31, position: PositionRange(start: 0, end: 4))))
        #expect(try mustParse("-1") == .number(NumberLiteral(value: -1, position: PositionRange(start: 0, end: 2))))
        #expect(try mustParse(" +1") == .number(NumberLiteral(value: 1, position: PositionRange(start: 1, end: 3))))
        guard case .number(let m) = try mustParse("5m") else { Issue.record("not a number"); return }
        #expect(m.value == 300)
        #expect(m.durationText == "5m")
        guard case .number(let nan) = try mustParse("NaN") else { Issue.record("not a number"); return }
        #expect(nan.value.isNaN)
    }

    @Test func precedenceAndAssociativity() throws {
        func shape(_ e: Expr) -> String {
            switch e {
            case .binary(let b): "(" + shape(b.lhs) + " " + b.op.rawValue + " " + shape(b.rhs) + ")"
            case .unary(let u): u.op.rawValue + shape(u.expr)
            case .paren(let p): "[" + shape(p.expr) + "]"
            default: e.description
            }
        }
        let cases: [(String, String)] = [
            ("a + b * c", "(a + (b * c))"),
            ("a * b + c", "((a * b) + c)"),
            ("a - b - c", "((a - b) - c)"),
            ("a / b % c atan2 d", "(((a / b) % c) atan2 d)"),
            ("a ^ b ^ c", "(a ^ (b ^ c))"),
            ("a * b ^ c", "(a * (b ^ c))"),
            ("a or b and c", "(a or (b and c))"),
            ("a and b or c", "((a and b) or c)"),
            ("a unless b and c", "((a unless b) and c)"),
            ("a == b + c", "(a == (b + c))"),
            ("a > b == c", "((a > b) == c)"),
            ("a or b > c", "(a or (b > c))"),
            ("-a * b", "(-a * b)"),
            ("-a ^ b", "-(a ^ b)"),
            ("a ^ -b", "(a ^ -b)"),
            ("2 ^ -1 * 3", "((2 ^ -1) * 3)"),
            ("a + -b * c", "(a + (-b * c))"),
            ("-1 ^ 2", "-(1 ^ 2)"),
            ("(a + b) * c", "([(a + b)] * c)"),
        ]
        for (query, expected) in cases {
            #expect(shape(try mustParse(query)) == expected, "\(query)")
        }
    }

    @Test func positions() throws {
        guard case .call(let rate) = try mustParse("rate(metric[5m])") else { Issue.record("not a call"); return }
        #expect(rate.position == PositionRange(start: 0, end: 16))
        #expect(rate.args[0].position == PositionRange(start: 5, end: 15))
        guard case .matrixSelector(let ms) = rate.args[0] else { Issue.record("not a matrix"); return }
        #expect(ms.vectorSelector.position == PositionRange(start: 5, end: 11))

        guard case .aggregate(let sum) = try mustParse("sum by (job) (x)") else { Issue.record("not an aggregation"); return }
        #expect(sum.position == PositionRange(start: 0, end: 16))
        #expect(sum.expr.position == PositionRange(start: 14, end: 15))
        guard case .aggregate(let sum2) = try mustParse("(sum(x))") .unparenthesized else { Issue.record("not an aggregation"); return }
        #expect(sum2.position == PositionRange(start: 1, end: 7))

        guard case .binary(let b) = try mustParse("a + on(x) b") else { Issue.record("not binary"); return }
        #expect(b.position == PositionRange(start: 0, end: 11))

        guard case .vectorSelector(let vs) = try mustParse(#"foo{a="b"} offset 5m"#) else { Issue.record("not a selector"); return }
        #expect(vs.position == PositionRange(start: 0, end: 20))
        guard case .vectorSelector(let at) = try mustParse("foo @ start()") else { Issue.record("not a selector"); return }
        #expect(at.position == PositionRange(start: 0, end: 13))
        guard case .subquery(let sq) = try mustParse("rate(x[1m])[5m:1m] offset 1m") else { Issue.record("not a subquery"); return }
        #expect(sq.position == PositionRange(start: 0, end: 28))
        guard case .unary(let u) = try mustParse(" -foo") else { Issue.record("not unary"); return }
        #expect(u.position == PositionRange(start: 1, end: 5))
        #expect(u.expr.position == PositionRange(start: 2, end: 5))
        guard case .paren(let p) = try mustParse("(1 + foo)") else { Issue.record("not paren"); return }
        #expect(p.position == PositionRange(start: 0, end: 9))
        guard case .string(let s) = try mustParse(#""abc""#) else { Issue.record("not string"); return }
        #expect(s.position == PositionRange(start: 0, end: 5))
    }

    @Test func selectorsAndModifiers() throws {
        guard case .vectorSelector(let vs) = try mustParse(#"foo{a="b"} offset -5m @ 1234.5"#) else { Issue.record("not a selector"); return }
        #expect(vs.name == "foo")
        #expect(vs.matchers == [.equal("a", "b"), .equal("__name__", "foo")])
        #expect(vs.offset == -300_000)
        #expect(vs.at == .timestamp(1_234_500))

        guard case .vectorSelector(let quoted) = try mustParse(#"{"my.metric", "a.b"="c"}"#) else { Issue.record("not a selector"); return }
        #expect(quoted.name == nil)
        #expect(quoted.matchers == [.equal("__name__", "my.metric"), .equal("a.b", "c")])

        guard case .matrixSelector(let ms) = try mustParse("foo[1h30m] @ end()") else { Issue.record("not a matrix"); return }
        #expect(ms.range == 5_400_000)
        #expect(ms.rangeExpr == nil)
        #expect(ms.vectorSelector.at == .end)

        guard case .subquery(let sq) = try mustParse("foo[5m:] offset 10s") else { Issue.record("not a subquery"); return }
        #expect(sq.range == 300_000)
        #expect(sq.step == 0)
        #expect(sq.offset == 10_000)

        guard case .vectorSelector(let at) = try mustParse("foo @ 0.0005") else { Issue.record("not a selector"); return }
        #expect(at.at == .timestamp(1))
    }

    @Test func durationExpressions() throws {
        guard case .matrixSelector(let ms) = try mustParse("foo[5m+1m]") else { Issue.record("not a matrix"); return }
        #expect(ms.rangeExpr == .binary(.add, .literal(300_000), .literal(60_000)))
        #expect(ms.range == 360_000)

        guard case .matrixSelector(let step) = try mustParse("foo[step()*2]") else { Issue.record("not a matrix"); return }
        #expect(step.rangeExpr == .binary(.mul, .step, .number(2)))
        #expect(step.range == 0)

        guard case .subquery(let sq) = try mustParse("foo[29s+1s:20*500ms] offset -(2*4s)") else { Issue.record("not a subquery"); return }
        #expect(sq.range == 30_000)
        #expect(sq.step == 10_000)
        #expect(sq.stepExpr == .binary(.mul, .number(20), .literal(500)))
        #expect(sq.offsetExpr == .negate(.paren(.binary(.mul, .number(2), .literal(4000)))))
        #expect(sq.offset == -8000)

        guard case .vectorSelector(let vs) = try mustParse("foo offset -4") else { Issue.record("not a selector"); return }
        #expect(vs.offset == -4000)
        #expect(vs.offsetExpr == nil)

        // `offset` takes one operand; the operators after it apply to the selector.
        guard case .binary(let b) = try mustParse("foo offset -step()*2") else { Issue.record("not binary"); return }
        #expect(b.op == .mul)
        guard case .vectorSelector(let lhs) = b.lhs else { Issue.record("not a selector"); return }
        #expect(lhs.offsetExpr == .negate(.step))
    }

    @Test func vectorMatching() throws {
        guard case .binary(let b) = try mustParse("a + on(x, y) group_left(z) b") else { Issue.record("not binary"); return }
        #expect(b.matching == VectorMatching(cardinality: .manyToOne, matchingLabels: ["x", "y"], on: true, include: ["z"]))
        guard case .binary(let set) = try mustParse("a and b") else { Issue.record("not binary"); return }
        #expect(set.matching == VectorMatching(cardinality: .manyToMany))
        guard case .binary(let scalar) = try mustParse("a * 2") else { Issue.record("not binary"); return }
        #expect(scalar.matching == nil)
        guard case .binary(let cmp) = try mustParse("1 > bool 2") else { Issue.record("not binary"); return }
        #expect(cmp.returnBool)
        #expect(Expr.binary(cmp).type == .scalar)
    }

    @Test func aggregations() throws {
        guard case .aggregate(let a) = try mustParse("topk by (job) (3, x)") else { Issue.record("not an aggregation"); return }
        #expect(a.op == .topk)
        #expect(a.param == .number(NumberLiteral(value: 3, position: PositionRange(start: 15, end: 16))))
        #expect(a.grouping == ["job"])
        #expect(!a.without)
        guard case .aggregate(let w) = try mustParse("count without (a, b) (x)") else { Issue.record("not an aggregation"); return }
        #expect(w.without)
        #expect(w.grouping == ["a", "b"])
        #expect(w.param == nil)
    }

    @Test func parseMetric() throws {
        #expect(try PromQLParser.parseMetric(#"foo{a="b", "c.d"='e'}"#) == Labels(["__name__": "foo", "a": "b", "c.d": "e"]))
        #expect(try PromQLParser.parseMetric(#"{__name__="x", y="z",}"#) == Labels(["__name__": "x", "y": "z"]))
        #expect(try PromQLParser.parseMetric(#"{"my.metric"}"#) == Labels(["__name__": "my.metric"]))
        #expect(try PromQLParser.parseMetric("sum") == Labels(["__name__": "sum"]))
        #expect(try PromQLParser.parseMetric("") == Labels.empty)
        #expect(throws: ParseError.self) { try PromQLParser.parseMetric(#"foo{a=1}"#) }
        #expect(throws: ParseError.self) { try PromQLParser.parseMetric(#"foo bar"#) }
    }

    @Test func parseDuration() throws {
        #expect(try PromQLParser.parseDuration("5m") == 300_000)
        #expect(try PromQLParser.parseDuration("1h30m") == 5_400_000)
        #expect(try PromQLParser.parseDuration("1y2w3d4h5m6s7ms") == 31_536_000_000 + 1_209_600_000 + 259_200_000 + 14_400_000 + 300_000 + 6000 + 7)
        #expect(try PromQLParser.parseDuration("0") == 0)
        #expect(try PromQLParser.parseDuration("0s") == 0)
        for bad in ["", "1.5", "1.5m", "5", "1m1h", "1mm", "-5m", "5x", "1h1h"] {
            #expect(throws: ParseError.self, "\(bad)") { try PromQLParser.parseDuration(bad) }
        }
        #expect(parseDurationMessage("5x") == #"unknown unit "x" in duration "5x""#)
        #expect(parseDurationMessage("1.5") == #"unknown unit "." in duration "1.5""#)
        #expect(parseDurationMessage("1m1h") == #"not a valid duration string: "1m1h""#)
        #expect(parseDurationMessage("") == "empty duration string")
        #expect(parseDurationMessage("300y") == "duration out of range")
    }

    private func parseDurationMessage(_ text: String) -> String? {
        do {
            _ = try PromQLParser.parseDuration(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func experimentalFeaturesNeedTheFlag() {
        #expect(parseError("sort_by_label(x, \"a\")", experimental: false)?.message == #"function "sort_by_label" is not enabled"#)
        #expect(parseError("limitk(1, x)", experimental: false)?.message
            == "limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions")
        #expect(parseError("foo[5m+1m]", experimental: false)?.message == "experimental duration expression is not enabled")
        #expect(parseError("foo offset step()", experimental: false)?.message == "experimental duration expression is not enabled")
        #expect(parseError("a + fill(0) b", experimental: false)?.message == "binop fill modifiers are experimental and not enabled")
        #expect(parseError("rate(foo[5m] anchored)", experimental: false)?.message == "anchored modifier is experimental and not enabled")
        #expect(parseError("foo smoothed", experimental: false)?.message == "smoothed modifier is experimental and not enabled")
        #expect(parseError("foo[300]", experimental: false) == nil)
        #expect(parseError("foo offset -5", experimental: false) == nil)
    }
}

extension Expr {
    /// The expression inside any parentheses.
    var unparenthesized: Expr {
        if case .paren(let p) = self { return p.expr.unparenthesized }
        return self
    }
}
