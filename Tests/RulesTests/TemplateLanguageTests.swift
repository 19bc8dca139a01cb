import Testing
@testable import Rules

/// Behaviours of Prometheus 3 (built with a current Go) that `promtool` 2.42 cannot show:
/// newer text/template features and messages, and the functions Prometheus 3 added.
/// Expected texts follow Go's and Prometheus's sources.
@Suite("Template language: current Go text/template")
struct TemplateLanguageTests {
    typealias F = TemplateFixture

    @Test(arguments: [
        // else with (Go 1.23)
        (#"{{ with $labels.nope }}x{{ else with $labels.job }}[{{ . }}]{{ end }}"#, "[j]"),
        (#"{{ with $labels.nope }}x{{ else with $labels.nope2 }}y{{ else }}z{{ end }}"#, "z"),
        // range over an integer (Go 1.24)
        (#"{{ range 3 }}{{ . }}{{ end }}"#, "012"),
        (#"{{ range $i := 2 }}<{{ $i }}>{{ end }}"#, "<0><1>"),
        (#"{{ range 0 }}x{{ else }}none{{ end }}"#, "none"),
        (#"{{ range -2 }}x{{ else }}none{{ end }}"#, "none"),
        // cases.Title (Prometheus 3) rather than strings.Title
        (#"{{ title "hello world it's x-ray" }}"#, "Hello World It's X-Ray"),
        (#"{{ title "a.b c:d e'f" }}"#, "A.b C:d E'f"),
        (#"{{ title "élan ǆungla" }}"#, "Élan ǅungla"),
        // simple case mappings, as Go's unicode.ToUpper/ToLower
        (#"{{ toUpper "ß ﬁ ᾀ" }}"#, "ß ﬁ ᾈ"),
        (#"{{ toLower "İ Σ" }}"#, "i σ"),
        // (?<name>re) groups (Go 1.22), also with an RE2 that only knows (?P<name>re)
        (#"{{ reReplaceAll "(?<n>a)" "[${n}]" "xax" }}"#, "x[a]x"),
        (#"{{ reReplaceAll "[(?<]" "-" "a(?<b" }}"#, "a---b"),
        (#"{{ match "\\(?<x>" "(?<x>" }}"#, "true"),
        // missing keys give the zero value (missingkey=zero)
        (#"{{ $labels.nope | printf "%q" }}"#, #""""#),
        (#"{{ index $labels "nope" | len }}"#, "0"),
    ])
    func expands(_ c: (String, String)) throws {
        #expect(try F.expand(c.0) == c.1, "\(c.0)")
    }

    @Test func integerRangeWithTwoVariables() throws {
        #expect(try F.expand("{{ range $i, $e := 3 }}{{ end }}")
            == F.execError(131, "3", "can't use 3 to iterate over more than one variable"))
    }

    @Test func comparisonErrorsNameTheTypes() throws {
        #expect(try F.expand("{{ if gt $value 1000 }}big{{ end }}")
            == F.execError(118, "gt $value 1000", "error calling gt: incompatible types for comparison: float64 and int"))
        #expect(try F.expand(#"{{ eq 1 "1" }}"#)
            == F.execError(115, #"eq 1 "1""#, "error calling eq: incompatible types for comparison: int and string"))
        #expect(try F.expand(#"{{ lt 1 "1" }}"#)
            == F.execError(115, #"lt 1 "1""#, "error calling lt: incompatible types for comparison: int and string"))
        #expect(try F.expand("{{ eq $labels 1 }}")
            == F.execError(115, "eq $labels 1", "error calling eq: incompatible types for comparison: map[string]string and int"))
        #expect(try F.expand("{{ eq 1 1.0 }}")
            == F.execError(115, "eq 1 1.0", "error calling eq: incompatible types for comparison: int and float64"))
        #expect(try F.expand("{{ if gt $value 1000.0 }}big{{ end }}") == "big")
    }

    @Test func callNamesTheCallee() throws {
        #expect(try F.expand("{{ call 1 }}") == F.execError(115, "call 1", "error calling call: non-function 1 of type int"))
        #expect(try F.expand("{{ call .Labels }}")
            == F.execError(115, "call .Labels", "error calling call: non-function .Labels of type map[string]string"))
    }

    @Test func indexAtTheLength() throws {
        #expect(try F.expand(#"{{ index "abc" 3 }}"#)
            == F.execError(115, #"index "abc" 3"#, "error calling index: reflect: string index out of range"))
        #expect(try F.expand(#"{{ index "abc" 4 }}"#)
            == F.execError(115, #"index "abc" 4"#, "error calling index: index out of range: 4"))
    }

    @Test func valueIsAnInterface() throws {
        // Prometheus 3 declares .Value as interface{} (a float or a histogram).
        #expect(try F.expand("{{ .Value.x }}")
            == F.execError(121, ".Value.x", "can't evaluate field x in type interface {}"))
        #expect(try F.expand("{{ $value.x }}")
            == F.execError(121, "$value.x", "can't evaluate field x in type float64"))
        #expect(try F.expand(#"{{ .Value | printf "%T" }}"#) == "float64")
    }

    @Test func unexpectedRightParen() {
        #expect(F.parseError("{{ ) }}")?.message == "template: __alert_X:1: unexpected right paren")
    }

    @Test func recursionIsBounded() throws {
        #expect(try F.expand(#"{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}"#)
            == "<error expanding template: error executing template __alert_X: template: __alert_X:1:140: executing \"r\" at <{{template \"r\"}}>: exceeded maximum template depth (100000)>")
    }

    @Test func deepNestingFailsToParse() throws {
        let text = "{{ " + String(repeating: "(", count: 400) + "1" + String(repeating: ")", count: 400) + " }}"
        #expect(F.parseError(text)?.message == "template: __alert_X:1: max expression depth exceeded")
        let ok = "{{ " + String(repeating: "(", count: 50) + "1" + String(repeating: ")", count: 50) + " }}"
        #expect(throws: Never.self) { try F.expand(ok) }
        let blocks = String(repeating: "{{ if true }}", count: 150) + "x" + String(repeating: "{{ end }}", count: 150)
        #expect(F.parseError(blocks)?.message == "template: __alert_X:1: max expression depth exceeded")
        let fewer = String(repeating: "{{ with 1 }}", count: 60) + "x" + String(repeating: "{{ end }}", count: 60)
        #expect(try F.expand(fewer) == "x")
    }
}

@Suite("Template errors: positions and Prometheus's texts")
struct TemplateErrorTests {
    typealias F = TemplateFixture

    @Test func parseErrorPositionIsInTheUserText() throws {
        let e = try #require(F.parseError("{{ foo }}"))
        #expect(e.line == 1 && e.column == 4)
        #expect(e.message == #"template: __alert_X:1: function "foo" not defined"#)
        #expect(e.description == #"error parsing template __alert_X: template: __alert_X:1: function "foo" not defined"#)

        let e2 = try #require(F.parseError("first line\n  {{ bar }}"))
        #expect(e2.line == 2 && e2.column == 6)
        #expect(e2.message == #"template: __alert_X:2: function "bar" not defined"#)

        let e3 = try #require(F.parseError("héllo {{ if }}"))
        #expect(e3.line == 1 && e3.column == 13)
    }

    @Test func executionErrorCountsThePrependedDefinitions() throws {
        #expect(RuleTemplate.definitions.utf8.count == 112)
        let t = try RuleTemplate(#"{{ humanize "x" }}"#, name: "__alert_HighLoad")
        let result = t.execute(F.data, environment: F.environment)
        let expected = #"error executing template __alert_HighLoad: template: __alert_HighLoad:1:115: executing "__alert_HighLoad" at <humanize "x">: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax"#
        #expect(result == .failure(TemplateExecutionError(message: expected)))
        #expect(t.expand(F.data, environment: F.environment) == "<error expanding template: \(expected)>")
    }

    @Test func errorsInPipelinesPointAtTheFunction() throws {
        #expect(try F.expand(#"{{ "x" | humanize }}"#)
            == F.execError(121, "humanize", #"error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax"#))
        #expect(try F.expand(#"{{ humanize (printf "%s" "y") }}"#)
            == F.execError(115, #"humanize (printf "%s" "y")"#, #"error calling humanize: strconv.ParseFloat: parsing "y": invalid syntax"#))
    }

    @Test func textBeforeAnErrorIsDiscarded() throws {
        #expect(try F.expand(#"ok {{ humanize "x" }} after"#).hasPrefix("<error expanding template:"))
    }
}

@Suite("Template functions of Prometheus 3")
struct TemplateFunctionTests {
    typealias F = TemplateFixture

    struct QueryFailure: Error, CustomStringConvertible {
        var description: String
    }

    static let up = [
        TemplateSample(labels: ["__name__": "up", "instance": "b:9", "job": "j"], value: 1),
        TemplateSample(labels: ["__name__": "up", "instance": "a:9", "job": "j"], value: 0),
    ]

    static let environment = TemplateEnvironment(time: 1_700_000_000_123, externalURL: "https://prom.example.com/sub/path") { expr, time in
        switch expr {
        case "up": return up
        case "time": return [TemplateSample(labels: [:], value: Double(time))]
        case "none": return []
        default: throw QueryFailure(description: "1:5: parse error: unclosed left parenthesis")
        }
    }

    static func expand(_ text: String) throws -> String {
        try F.expand(text, environment: environment)
    }

    @Test(arguments: [
        (#"{{ range query "up" }}{{ .Labels.instance }}={{ .Value }};{{ end }}"#, "b:9=1;a:9=0;"),
        (#"{{ range sortByLabel "instance" (query "up") }}{{ .Labels.instance }};{{ end }}"#, "a:9;b:9;"),
        (#"{{ range sortByLabel "nope" (query "up") }}{{ .Labels.instance }};{{ end }}"#, "b:9;a:9;"),
        (#"{{ query "up" | first | label "instance" }}"#, "b:9"),
        (#"{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}"#, "1"),
        (#"{{ with query "none" }}some{{ else }}none{{ end }}"#, "none"),
        (#"{{ (query "up" | first).Labels.job }}"#, "j"),
        (#"{{ first (query "up") }}"#, "{map[__name__:up instance:b:9 job:j] 1}"),
        (#"{{ printf "%v" (first (query "up")) }}"#, "&{map[__name__:up instance:b:9 job:j] 1}"),
        (#"{{ printf "%+v" (first (query "up")) }}"#, "&{Labels:map[__name__:up instance:b:9 job:j] Value:1}"),
        (#"{{ len (query "up") }}"#, "2"),
        (#"{{ strvalue (first (query "up")) }}"#, ""),
        (#"{{ index (query "up") 1 | value }}"#, "0"),
        (#"{{ label "job" (index (query "up") 0) }}"#, "j"),
        (#"{{ query "time" | first | value }}"#, "1.700000000123e+12"),
        (#"{{ range $i, $s := query "up" }}{{ $i }}:{{ $s.Value }} {{ end }}"#, "0:1 1:0 "),
        (#"{{ (slice (query "up") 1) | len }}"#, "1"),
        (#"{{ pathPrefix }}"#, "/sub/path"),
        (#"{{ externalURL }}"#, "https://prom.example.com/sub/path"),
        (#"{{ graphLink "up" }}"#, "/graph?g0.expr=up&g0.tab=0"),
        (#"{{ now }}"#, "1.700000000123e+09"),
        // now is 1700000000.123 s; ×1e9 in float64 is …122999808 ns, truncated to ms as Go does.
        (#"{{ humanizeTimestamp now }}"#, "2023-11-14 22:13:20.122 +0000 UTC"),
        (#"{{ toTime 1435065584.128 }}"#, "2015-06-23 13:19:44.128 +0000 UTC"),
        (#"{{ toTime "1435065584" }}"#, "2015-06-23 13:19:44 +0000 UTC"),
        (#"{{ toTime -1.5 }}"#, "1969-12-31 23:59:58.5 +0000 UTC"),
        (#"{{ toDuration 90 }}"#, "1m30s"),
        (#"{{ toDuration 0.0015 }}"#, "1.5ms"),
        (#"{{ toDuration 0.000002 }}"#, "2µs"),
        (#"{{ toDuration -3600.5 }}"#, "-1h0m0.5s"),
        (#"{{ toDuration 0 }}"#, "0s"),
        (#"{{ toDuration 86400 }}"#, "24h0m0s"),
        (#"{{ humanizeDuration (toDuration 90) }}"#, "1m 30s"),
        // methods of toTime's *time.Time and toDuration's time.Duration
        (#"{{ (toTime 1435065584.128).Format "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3:04PM MST .999 ,000000 __2 002 06" }}"#,
         "2015-06-23T13:19:44.128Z Tue Jun 23 1:19PM UTC .128 ,128000 174 174 15"),
        (#"{{ (toTime 1e9).Format "Monday, January 2, 2006 15:04:05 -0700" }}"#, "Sunday, September 9, 2001 01:46:40 +0000"),
        (#"{{ (toTime 1435065584.128).Unix }} {{ (toTime -1.5).Unix }} {{ (toTime -1.5).UnixMilli }}"#, "1435065584 -2 -1500"),
        (#"{{ with toTime 1435065584.128 }}{{ .Year }}-{{ .Month }}-{{ .Day }} {{ .Weekday }} {{ .YearDay }} {{ .Hour }}h{{ .Nanosecond }}{{ end }}"#,
         "2015-June-23 Tuesday 174 13h128000000"),
        (#"{{ printf "%d %v %T" (toTime 0).Month (toTime 0).Month (toTime 0).Unix }}"#, "1 January int64"),
        (#"{{ (toDuration 90).Seconds }} {{ (toDuration 90).Minutes }} {{ (toDuration 5400).Hours }} {{ (toDuration 1.5).Milliseconds }}"#,
         "90 1.5 1.5 1500"),
        (#"{{ gt (toTime 100).Unix 50 }}"#, "true"),
        (#"{{ stripDomain "host.example.com:9090" }}"#, "host:9090"),
        (#"{{ stripDomain "host.example.com" }}"#, "host"),
        (#"{{ stripDomain "10.0.0.1:9090" }}"#, "10.0.0.1:9090"),
        (#"{{ stripDomain "[2001:db8::1]:80" }}"#, "[2001:db8::1]:80"),
        (#"{{ stripDomain "localhost" }}"#, "localhost"),
        (#"{{ stripDomain "a.b:c:d" }}"#, "a"),
        (#"{{ parseDuration "-1m" }}"#, "-60"),
        (#"{{ parseDuration "1w" }}"#, "604800"),
        (#"{{ .ExternalURL }}|{{ $externalURL }}"#, "http://ext|http://ext"),
        (#"{{ $externalLabels.cluster }}|{{ .ExternalLabels.cluster }}"#, "eu|eu"),
    ])
    func expands(_ c: (String, String)) throws {
        let data = TemplateData(labels: F.labels, value: 1234.5, externalLabels: ["cluster": "eu"], externalURL: "http://ext")
        #expect(try F.expand(c.0, data: data, environment: TemplateFunctionTests.environment) == c.1, "\(c.0)")
    }

    @Test func errors() throws {
        #expect(try Self.expand(#"{{ query "bad(" }}"#)
            == F.execError(115, #"query "bad(""#, "error calling query: 1:5: parse error: unclosed left parenthesis"))
        #expect(try Self.expand(#"{{ first (query "none") }}"#)
            == F.execError(115, #"first (query "none")"#, "error calling first: first() called on vector with no elements"))
        #expect(try Self.expand(#"{{ toTime "x" }}"#)
            == F.execError(115, #"toTime "x""#, #"error calling toTime: strconv.ParseFloat: parsing "x": invalid syntax"#))
        #expect(try Self.expand(#"{{ toTime "NaN" }}"#)
            == F.execError(115, #"toTime "NaN""#, "error calling toTime: value is NaN or Inf"))
        #expect(try Self.expand(#"{{ toTime 1e11 }}"#)
            == F.execError(115, "toTime 1e11", "error calling toTime: 1e+11 cannot be represented as a nanoseconds timestamp since it overflows int64"))
        #expect(try Self.expand(#"{{ parseDuration "5x" }}"#)
            == F.execError(115, #"parseDuration "5x""#, #"error calling parseDuration: unknown unit "x" in duration "5x""#))
        #expect(try Self.expand(#"{{ label "x" nil }}"#)
            == F.execError(115, #"label "x" nil"#, "error calling label: runtime error: invalid memory address or nil pointer dereference"))
        #expect(try Self.expand(#"{{ value 1 }}"#)
            == F.execError(121, "1", "can't handle 1 for arg of type *template.sample"))
        #expect(try Self.expand(#"{{ (toTime 0).Nope }}"#)
            == F.execError(123, "0", "can't evaluate field Nope in type *time.Time"))
        #expect(try Self.expand(#"{{ (toTime 0).Format }}"#)
            == F.execError(123, "0", "wrong number of args for Format: want 1 got 0"))
        #expect(try Self.expand(#"{{ $value | first }}"#)
            == F.execError(124, "first", "wrong type for value; expected template.queryResult; got float64"))
    }

    @Test func defaultEnvironmentHasNoExternalURL() throws {
        let env = TemplateEnvironment(time: 0)
        #expect(try F.expand("[{{ pathPrefix }}][{{ externalURL }}]", environment: env) == "[][]")
        #expect(try F.expand(#"{{ query "up" }}"#, environment: env) == "[]")
    }
}
