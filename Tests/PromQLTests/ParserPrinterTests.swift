import Testing
@testable import PromQL

/// Prometheus's printer cases (`TestExprString`): the canonical text of parsed queries.
@Suite struct ParserPrinterTests {
    @Test(arguments: [
        (#"sum by() (task:errors:rate10s{job="s"})"#, #"sum(task:errors:rate10s{job="s"})"#),
        (#"sum by(code) (task:errors:rate10s{job="s"})"#, #"sum by (code) (task:errors:rate10s{job="s"})"#),
        (#"sum without() (task:errors:rate10s{job="s"})"#, #"sum without () (task:errors:rate10s{job="s"})"#),
        (#"sum without(instance) (task:errors:rate10s{job="s"})"#, #"sum without (instance) (task:errors:rate10s{job="s"})"#),
        (#"sum by("foo.bar") (task:errors:rate10s{job="s"})"#, #"sum by ("foo.bar") (task:errors:rate10s{job="s"})"#),
        (#"topk(5, task:errors:rate10s{job="s"})"#, #"topk(5, task:errors:rate10s{job="s"})"#),
        (#"count_values("value", task:errors:rate10s{job="s"})"#, #"count_values("value", task:errors:rate10s{job="s"})"#),
        ("a - on() c", "a - on () c"),
        ("a - on(b) c", "a - on (b) c"),
        ("a - on(b) group_left(x) c", "a - on (b) group_left (x) c"),
        ("a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c"),
        ("a - on(b) group_left c", "a - on (b) group_left () c"),
        ("a - on(b) group_left() (c)", "a - on (b) group_left () (c)"),
        ("a - ignoring(b) c", "a - ignoring (b) c"),
        ("a - ignoring() c", "a - c"),
        ("a - ignoring() group_left(__metric__) c", "a - ignoring () group_left (__metric__) c"),
        ("a - ignoring() group_left c", "a - ignoring () group_left () c"),
        ("up > bool 0", "up > bool 0"),
        ("a offset 1m", "a offset 1m"),
        ("a offset -7m", "a offset -7m"),
        (#"a{c="d"}[5m] offset 1m"#, #"a{c="d"}[5m] offset 1m"#),
        ("a[12m] offset -3m", "a[12m] offset -3m"),
        ("a[1h:5m] offset 1m", "a[1h:5m] offset 1m"),
        (#"{__name__="a"}"#, #"{__name__="a"}"#),
        (#"a{b!~"c"}[1m]"#, #"a{b!~"c"}[1m]"#),
        ("a @ 10", "a @ 10.000"),
        ("a[1m] @ 10", "a[1m] @ 10.000"),
        ("a[1m] @ start()", "a[1m] @ start()"),
        (#"{__name__="",a="x"}"#, #"{__name__="",a="x"}"#),
        (#"{"a.b"="c"}"#, #"{"a.b"="c"}"#),
        (#"{"0"="1"}"#, #"{"0"="1"}"#),
        (#"{"_0"="1"}"#, #"{_0="1"}"#),
        (#"{""="0"}"#, #"{""="0"}"#),
        ("{``=\"0\"}", #"{""="0"}"#),
        ("1048576", "1048576"),
        ("foo[step()]", "foo[step()]"),
        ("foo[-step()]", "foo[-step()]"),
        ("foo[(step())]", "foo[(step())]"),
        ("foo[-(step())]", "foo[-(step())]"),
        ("foo offset step()", "foo offset step()"),
        ("foo offset (step())", "foo offset (step())"),
        ("foo offset -(step())", "foo offset -(step())"),
        ("foo offset +(5*2)", "foo offset (5 * 2)"),
        ("foo offset +min_of(10s, 20s)", "foo offset min_of(10s, 20s)"),
        ("foo offset -min_of(10s, 20s)", "foo offset -min_of(10s, 20s)"),
        ("foo offset -min_of(10s, +max_of(step() ^ 2, 2))", "foo offset -min_of(10s, max_of(step() ^ 2, 2))"),
        ("foo[200-min_of(-step()^+step(),1)]", "foo[200 - min_of(-step() ^ step(), 1)]"),
        ("foo[200 - min_of(step() + 10s, -max_of(step() ^ 2, 3))]", "foo[200 - min_of(step() + 10s, -max_of(step() ^ 2, 3))]"),
        ("foo[max_of(range(), 5s)]", "foo[max_of(range(), 5s)]"),
        ("predict_linear(foo[1h], 3000)", "predict_linear(foo[1h], 3000)"),
        (#"sum by("üüü") (foo)"#, #"sum by ("üüü") (foo)"#),
        (#"count by("ööö", job) (foo)"#, #"count by ("ööö", job) (foo)"#),
        (#"foo / on("äää") group_right("ööö") bar"#, #"foo / on ("äää") group_right ("ööö") bar"#),
        (#"foo / on(legacy, "üüü") bar"#, #"foo / on (legacy, "üüü") bar"#),
        // Sorted matchers; the metric name's own matcher is not repeated.
        (#"sum by (pod) (kube_restarts{namespace="a",cluster="b"} - kube_restarts{namespace="a}",cluster="b}"} offset 10m)"#,
         #"sum by (pod) (kube_restarts{cluster="b",namespace="a"} - kube_restarts{cluster="b}",namespace="a}"} offset 10m)"#),
        (#"label_replace(testmetric, "dst", "destination-value-$1", "src", "source-value-(.*)")"#,
         #"label_replace(testmetric, "dst", "destination-value-$1", "src", "source-value-(.*)")"#),
    ])
    func printsLikePrometheus(query: String, printed: String) throws {
        let expr = try mustParse(query)
        #expect(expr.description == printed)
        #expect(try mustParse(printed).withoutPositions == expr.withoutPositions)
    }
}
