import Testing
@testable import PromQL

/// Error messages and positions, as Prometheus reports them (its parser tests' cases).
@Suite struct ParserErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var query: String
        var message: String
        var start: Int
        var end: Int
        init(_ query: String, _ message: String, _ start: Int, _ end: Int) {
            self.query = query
            self.message = message
            self.start = start
            self.end = end
        }
        var description: String { query }
    }

    static let cases: [Case] = [
        // Lexer.
        Case("", "no expression found in input", 0, 0),
        Case("# just a comment\n\n", "no expression found in input", 0, 0),
        Case(".", "unexpected character: '.'", 0, 1),
        Case("2.5.", #"bad number or duration syntax: "2.5.""#, 0, 4),
        Case("100..4", #"bad number or duration syntax: "100..""#, 0, 6),
        Case("0deadbeef", #"bad number or duration syntax: "0de""#, 0, 9),
        Case("(1))", "unexpected right parenthesis ')'", 4, 4),
        Case("((1)", "unclosed left parenthesis", 4, 4),
        Case("(", "unclosed left parenthesis", 1, 1),
        Case("sum(", "unclosed left parenthesis", 4, 4),
        Case("sum(rate(", "unclosed left parenthesis", 9, 9),
        Case("1 !~ 1", "unexpected character after '!': '~'", 2, 6),
        Case("1 =~ 1", "unexpected character after '=': '~'", 2, 6),
        Case("{", "unexpected end of input inside braces", 1, 1),
        Case("}", "unexpected character: '}'", 0, 1),
        Case("some{", "unexpected end of input inside braces", 5, 5),
        Case("some}", "unexpected character: '}'", 4, 5),
        Case(#"some_metric{a:b="b"}"#, "unexpected character inside braces: ':'", 13, 20),
        Case(#"foo{a*"b"}"#, "unexpected character inside braces: '*'", 5, 10),
        Case(#"foo{a>="b"}"#, "unexpected character inside braces: '>'", 5, 11),
        Case("foo{1}", "unexpected character inside braces: '1'", 4, 6),
        Case(#"sum by ("foo)(some_metric{})"#, "unterminated quoted string", 8, 28),
        Case("`\\``", "unterminated raw string", 3, 4),
        Case(#""\"#, "escape sequence not terminated", 0, 2),
        Case(#""\c""#, "unknown escape sequence U+0063 'c'", 0, 4),
        Case(#""\x.""#, "illegal character U+002E '.' in escape sequence", 0, 5),
        Case(#""\ud800""#, "escape sequence is an invalid Unicode code point", 0, 8),
        Case(#""a\'b""#, "unknown escape sequence U+0027 '''", 0, 6),
        Case("\"a\nb\"", "unterminated quoted string", 0, 5),
        Case(#"foo{bar="baz"}["#, "unexpected end of input in duration expression", 15, 15),
        Case("foo[5m", "unclosed left bracket", 6, 6),
        Case("foo[5mm]", #"bad number or duration syntax: "5mm""#, 4, 8),
        Case("foo[5m1]", #"bad number or duration syntax: "5m1""#, 4, 8),
        Case("foo[5m:1m1]", #"bad number or duration syntax: "1m1""#, 7, 11),
        Case(#"foo["5m"]"#, #"unexpected character in duration expression: '"'"#, 4, 9),
        Case("foo[5s x 5s]", "unexpected character: 'x', expected ':'", 7, 12),
        Case("foo[5s s 5s]", "unexpected character: 's', expected ':'", 7, 12),
        Case("foo[:5m]", "unexpected colon before duration in duration expression", 4, 8),
        Case("foo[5m::]", "unexpected repeated colon in duration expression", 7, 9),
        Case("some_metric[5m] OFFSET 1mm", #"bad number or duration syntax: "1mm""#, 23, 26),
        Case(String(repeating: "9", count: 309),
             #"error parsing number: strconv.ParseFloat: parsing ""# + String(repeating: "9", count: 309) + #"": value out of range"#, 0, 309),
        // Syntax.
        Case("1+", "unexpected end of input", 2, 2),
        Case("1 /", "unexpected end of input", 3, 3),
        Case("*1", "unexpected <op:*>", 0, 1),
        Case("*test", "unexpected <op:*>", 0, 1),
        Case("@@", "unexpected <op:@>", 0, 1),
        Case("-=", #"unexpected "=""#, 1, 2),
        Case("++-++-+-+-<", "unexpected <op:<>", 10, 11),
        Case("e-+=/(0)", #"unexpected "=""#, 3, 4),
        Case("1 2", #"unexpected number "2""#, 2, 3),
        Case("foo bar", #"unexpected identifier "bar""#, 4, 7),
        Case("a - on(b) ignoring(c) d", "unexpected <ignoring>", 10, 18),
        Case("foo + group_left(baz) bar", "unexpected <group_left>", 6, 16),
        Case(#"some_metric{a=b}"#, #"unexpected identifier "b" in label matching, expected string"#, 14, 15),
        Case("foo{gibberish}", #"unexpected "}" in label matching, expected label matching operator"#, 13, 14),
        Case("foo{__name__= =}", #"unexpected "=" in label matching, expected string"#, 14, 15),
        Case("foo{,}", #"unexpected "," in label matching, expected identifier or "}""#, 4, 5),
        Case(#"foo{__name__ == "bar"}"#, #"unexpected "=" in label matching, expected string"#, 14, 15),
        Case(#"foo{__name__="bar" lol}"#, #"unexpected identifier "lol" in label matching, expected "," or "}""#, 19, 22),
        Case(#"foo{"a"=}"#, #"unexpected "}" in label matching, expected string"#, 8, 9),
        Case("foo[]", #"unexpected "]" in subquery or range selector, expected number, duration, step(), or range()"#, 4, 5),
        Case("foo[step]", #"unexpected "]" in subquery or range selector, expected number, duration, step(), or range()"#, 8, 9),
        Case("foo[5m 1m]", #"unexpected duration "1m" in subquery or range, expected ":" or "]""#, 7, 9),
        Case("foo[5m:1m 1m]", #"unexpected duration "1m" in subquery selector, expected "]""#, 10, 12),
        Case("foo[5m:+]", #"unexpected "]" in subquery selector, expected number, duration, step(), range(), or "]""#, 8, 9),
        Case("some_metric[5m] OFFSET", "unexpected end of input in offset, expected number, duration, step(), or range()", 22, 22),
        Case("foo offset bar", #"unexpected identifier "bar" in offset, expected number, duration, step(), or range()"#, 11, 14),
        Case("some_metric[5m] @", "unexpected end of input in @, expected timestamp", 17, 17),
        Case("foo @ start(", "unclosed left parenthesis", 12, 12),
        Case("foo @ bar", #"unexpected identifier "bar" in @, expected timestamp"#, 6, 9),
        Case("sum without(==)(some_metric)", "unexpected <op:==> in grouping opts, expected label", 12, 14),
        Case("sum without(,)(some_metric)", #"unexpected "," in grouping opts, expected label"#, 12, 13),
        Case("sum without(foo,,)(some_metric)", #"unexpected "," in grouping opts, expected label"#, 16, 17),
        Case("sum without(foo bar)(x)", #"unexpected identifier "bar" in grouping opts, expected "," or ")""#, 16, 19),
        Case("sum some_metric by (test)", #"unexpected identifier "some_metric""#, 4, 15),
        Case("sum (some_metric) by test", #"unexpected identifier "test" in grouping opts, expected "(""#, 21, 25),
        Case("MIN keep_common (some_metric)", #"unexpected identifier "keep_common""#, 4, 15),
        Case("MIN (some_metric) keep_common", #"unexpected identifier "keep_common""#, 18, 29),
        Case("sum (some_metric) without (test) by (test)", "unexpected <by>", 33, 35),
        Case("sum without (test) (some_metric) by (test)", "unexpected <by>", 33, 35),
        Case("sum(foo bar)", #"unexpected identifier "bar" in aggregation"#, 8, 11),
        Case("sum(rate(foo[5m]) +)", #"unexpected ")" in aggregation"#, 19, 20),
        Case("sum by (a) 1", #"unexpected number "1" in aggregation"#, 11, 12),
        Case("topk(some_metric,)", "trailing commas not allowed in function call args", 16, 17),
        Case("rate(foo,)", "trailing commas not allowed in function call args", 8, 9),
        // Building nodes.
        Case("1 offset 1d", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 1),
        Case("foo offset 1s offset 2s", "offset may not be set multiple times", 0, 13),
        Case("foo @ 1 @ 2", "@ <timestamp> may not be set multiple times", 0, 7),
        Case("foo @ start() @ end()", "@ <timestamp> may not be set multiple times", 0, 13),
        Case("rate(some_metric[5m]) @ 1234", "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 21),
        Case("foo @ +Inf", "timestamp out of bounds for @ modifier: +Inf", 0, 3),
        Case("foo @ -Inf", "timestamp out of bounds for @ modifier: -Inf", 0, 3),
        Case("foo @ NaN", "timestamp out of bounds for @ modifier: NaN", 0, 3),
        Case("foo @ 9223372036854775808.000000", "timestamp out of bounds for @ modifier: 9223372036854775808.000000", 0, 3),
        Case("foo @ -9223372036854775808.000000", "timestamp out of bounds for @ modifier: -9223372036854775808.000000", 0, 3),
        Case("some_metric OFFSET 1m[5m]", "no offset modifiers allowed before range", 21, 25),
        Case("some_metric @ 1234 [5m]", "no @ modifiers allowed before range", 19, 23),
        Case("some_metric @ start() [5m]", "no @ modifiers allowed before range", 22, 26),
        Case("some_metric @ end()[5m]", "no @ modifiers allowed before range", 19, 23),
        Case("some_metric offset step()[5m]", "no offset modifiers allowed before range", 25, 29),
        Case("(foo + bar)[5m]", "ranges only allowed for vector selectors", 11, 15),
        Case("rate(food[1m])[1h] offset 1h", "ranges only allowed for vector selectors", 14, 18),
        Case("rate(food[1m])[1h] @ 100", "ranges only allowed for vector selectors", 14, 18),
        Case("1[5m] smoothed", "ranges only allowed for vector selectors", 1, 5),
        Case("foo[5m:1m] anchored", "anchored modifier is not supported for subqueries", 0, 10),
        Case("foo[5m] smoothed anchored", "anchored and smoothed modifiers cannot be used together", 0, 7),
        Case("foo anchored smoothed", "anchored and smoothed modifiers cannot be used together", 0, 3),
        Case("(foo + bar) smoothed", "smoothed modifier not implemented", 0, 11),
        Case("rate(foo[5m]) anchored", "anchored modifier not implemented", 0, 13),
        Case("foo[5y1hs]", #"unknown unit "hs" in duration "5y1hs""#, 4, 9),
        Case("foo[5m1h]", #"not a valid duration string: "5m1h""#, 4, 8),
        Case("foo[5m1m]", #"not a valid duration string: "5m1m""#, 4, 8),
        Case("foo[0m]", "duration must be greater than 0", 4, 6),
        Case("foo[-1]", "duration must be greater than 0", 4, 6),
        Case("foo[5m:0s]", "duration must be greater than 0", 7, 9),
        Case("foo[step()/0d]", "division by zero", 10, 11),
        Case("foo[5s/0d]", "division by zero", 6, 7),
        Case("foo offset (4d/0)", "division by zero", 14, 15),
        Case("foo[5s%0d]", "modulo by zero", 6, 7),
        Case("foo offset 9.5e10", "duration out of range", 11, 17),
        Case("foo[9.5e10]", "duration out of range", 4, 10),
        Case("foo offset -9.5e10", "duration out of range", 11, 12),
        Case("non_existent_function_far_bar()", #"unknown function with name "non_existent_function_far_bar""#, 0, 29),
        Case("a>b()", #"unknown function with name "b""#, 2, 3),
        Case("foo(1) +", #"unknown function with name "foo""#, 0, 3),
        Case(#"foo{a=~"(a"}"#, #"invalid regular expression "(a" for label "a": missing ): (a"#, 4, 11),
        Case("sum () by (test)", "no arguments for aggregate expression provided", 0, 16),
        Case("topk(some_metric)", "wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 17),
        Case("sum(a, b)", "wrong number of arguments for aggregate expression provided, expected 1, got 2", 0, 9),
        Case(#"sum by ("") (x)"#, #"invalid label name for grouping: """#, 8, 10),
        // Type checks.
        Case("1 and 1", #"set operator "and" not allowed in binary scalar expression"#, 0, 7),
        Case("1 or 1", #"set operator "or" not allowed in binary scalar expression"#, 0, 6),
        Case("1 unless 1", #"set operator "unless" not allowed in binary scalar expression"#, 0, 10),
        Case("foo and 1", #"set operator "and" not allowed in binary scalar expression"#, 0, 9),
        Case("1 unless foo", #"set operator "unless" not allowed in binary scalar expression"#, 0, 12),
        Case("1 == 1", "comparisons between scalars must use BOOL modifier", 2, 3),
        Case("1 or on(bar) foo", "vector matching only allowed between instant vectors", 0, 16),
        Case("foo == on(bar) 10", "vector matching only allowed between instant vectors", 0, 17),
        Case("foo and on(bar) group_left(baz) bar", #"no grouping allowed for "and" operation"#, 0, 35),
        Case("foo or on(bar) group_right(baz) bar", #"no grouping allowed for "or" operation"#, 0, 35),
        Case("foo unless on(bar) group_right(baz) bar", #"no grouping allowed for "unless" operation"#, 0, 39),
        Case(#"http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}"#,
             #"label "instance" must not occur in ON and GROUP clause at once"#, 34, 72),
        Case("foo + bool bar", "bool modifier can only be used on comparison operators", 4, 9),
        Case("foo + bool 10", "bool modifier can only be used on comparison operators", 4, 9),
        Case("foo and bool 10", "bool modifier can only be used on comparison operators", 4, 11),
        Case("foo[5m] + 1", "binary expression must contain only scalar and instant vector types", 0, 7),
        Case(#"1 + "a""#, "binary expression must contain only scalar and instant vector types", 4, 7),
        Case(#"-"string""#, #"unary expression only allowed on expressions of type scalar or instant vector, got "string""#, 0, 9),
        Case("-test[5m]", #"unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#, 0, 9),
        Case("{}", "vector selector must contain at least one non-empty matcher", 0, 2),
        Case(#"{x=""}"#, "vector selector must contain at least one non-empty matcher", 0, 6),
        Case(#"{x=~".*"}"#, "vector selector must contain at least one non-empty matcher", 0, 9),
        Case(#"{x!~".+"}"#, "vector selector must contain at least one non-empty matcher", 0, 9),
        Case(#"{x!="a"}"#, "vector selector must contain at least one non-empty matcher", 0, 8),
        Case(#"foo{__name__="bar"}"#, #"metric name must not be set twice: "foo" or "bar""#, 0, 19),
        Case(#"foo{"bar"}"#, #"metric name must not be set twice: "foo" or "bar""#, 0, 10),
        Case("test[5d] OFFSET 10s [10m:5s]", "subquery is only allowed on instant vector, got matrix instead", 0, 28),
        Case(#"(foo + bar{nm="val"})[5m:][10m:5s]"#, "subquery is only allowed on instant vector, got matrix instead", 0, 34),
        Case("1[5m:]", "subquery is only allowed on instant vector, got scalar instead", 0, 6),
        Case("topk(some_metric, other_metric)", "expected type scalar in aggregation parameter, got instant vector", 5, 16),
        Case("count_values(5, other_metric)", "expected type string in aggregation parameter, got scalar", 13, 14),
        Case("sum(1)", "expected type instant vector in aggregation expression, got scalar", 4, 5),
        Case("floor()", #"expected 1 argument(s) in call to "floor", got 0"#, 0, 7),
        Case("floor(some_metric, other_metric)", #"expected 1 argument(s) in call to "floor", got 2"#, 0, 32),
        Case("floor(1)", #"expected type instant vector in call to function "floor", got scalar"#, 6, 7),
        Case("hour(some_metric, some_metric, some_metric)", #"expected at most 1 argument(s) in call to "hour", got 3"#, 0, 43),
        Case("label_join(x)", #"expected at least 3 argument(s) in call to "label_join", got 1"#, 0, 13),
        Case("label_join(x, \"a\", \"b\", 1)", #"expected type string in call to function "label_join", got scalar"#, 24, 25),
        Case("time(some_metric)", #"expected 0 argument(s) in call to "time", got 1"#, 0, 17),
        Case("rate(some_metric)", #"expected type range vector in call to function "rate", got instant vector"#, 5, 16),
        Case("rate(avg)", #"expected type range vector in call to function "rate", got instant vector"#, 5, 8),
        Case(#"info(rate(http_request_counter_total{}[5m]), target_info{foo="bar"})"#,
             "expected label selectors only, got vector selector instead", 45, 67),
        Case(#"info(http_request_counter_total{namespace="zzz"}, {foo="bar"} == 1)"#, "expected label selectors only", 50, 66),
    ]

    @Test(arguments: cases)
    func reportsPrometheusError(_ c: Case) {
        guard let error = parseError(c.query) else {
            Issue.record("\(c.query) parsed")
            return
        }
        #expect(error.message == c.message)
        #expect(error.position == PositionRange(start: c.start, end: c.end), "\(error.message)")
        #expect(error.query == c.query)
    }

    @Test func printsLineAndColumn() {
        #expect(parseError("foo +\n  bar baz")?.description == #"2:7: parse error: unexpected identifier "baz""#)
        #expect(parseError("rate(foo)")?.description
            == #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#)
    }

    @Test func infoAcceptsLabelSelectorsThatMatchEmpty() throws {
        _ = try mustParse(#"info(foo, {bar=~".*"})"#)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let depth = 10_000
        let parens = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        #expect(parseError(parens)?.message.hasPrefix("expression nested too deeply") == true)
        let unary = String(repeating: "-", count: depth) + "1"
        #expect(parseError(unary)?.message.hasPrefix("expression nested too deeply") == true)
        let calls = String(repeating: "abs(", count: depth) + "x" + String(repeating: ")", count: depth)
        #expect(parseError(calls)?.message.hasPrefix("expression nested too deeply") == true)
        let power = Array(repeating: "2", count: depth).joined(separator: " ^ ")
        #expect(parseError(power)?.message.hasPrefix("expression nested too deeply") == true)
        let chain = Array(repeating: "x", count: depth).joined(separator: " + ")
        #expect(parseError(chain)?.message.hasPrefix("expression nested too deeply") == true)
        let subqueries = "x" + String(repeating: "[1m:]", count: depth)
        #expect(parseError(subqueries)?.message.hasPrefix("expression nested too deeply") == true)
        let durations = "x[" + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + "]"
        #expect(parseError(durations)?.message.hasPrefix("expression nested too deeply") == true)
        // Prometheus's own stress case: a long chain, then many subqueries.
        let stress = "(" + String(repeating: "-{}-1", count: 10_000) + ")" + String(repeating: "[1m:]", count: 1000)
        #expect(parseError(stress) != nil)
    }

    /// The deepest trees the parser accepts still check, print and reparse.
    @Test func deepestAcceptedTreesWork() throws {
        let n = PromQLParser.maxNestingDepth - 2
        let queries = [
            // A parenthesis costs two levels (the parenthesis and the expression inside).
            String(repeating: "(", count: n / 2) + "1" + String(repeating: ")", count: n / 2),
            Array(repeating: "x", count: n).joined(separator: " + "),
            String(repeating: "abs(", count: n / 2) + "x" + String(repeating: ")", count: n / 2),
        ]
        for query in queries {
            let expr = try mustParse(query)
            #expect(try mustParse(expr.description).withoutPositions == expr.withoutPositions)
        }
    }
}
