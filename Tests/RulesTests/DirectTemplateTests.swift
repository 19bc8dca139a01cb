import Model
import Testing
@testable import Rules

/// Templates expanded without the interpreter (``DirectTemplate``) give exactly what the
/// interpreter gives, for every promtool-checked case and many values and label sets.
struct DirectTemplateTests {
    /// Both expansions of `text` for one sample.
    static func expansions(_ text: String, labels: Labels, value: Double) throws -> (direct: String, interpreted: String, isDirect: Bool) {
        let template = try RuleTemplate(text, name: "__alert_X")
        var map: [String: String] = [:]
        for label in labels { map[label.name] = label.value }
        let data = TemplateData(labels: map, value: value)
        let environment = TemplateFixture.environment
        let direct = template.expand(labels: labels, value: value, environment: environment) { data }
        return (direct, template.expand(data, environment: environment), template.isDirect)
    }

    static let fixtureLabels = Labels(TemplateFixture.labels.map { Label($0.key, $0.value) })

    @Test func promtoolCasesExpandAlike() throws {
        let cases = TemplatePrometheusCases.promtoolCases + TemplatePrometheusCases.promtoolCases2
            + TemplatePrometheusCases.promtoolCases3
        var direct = 0
        for (text, _) in cases {
            let e = try Self.expansions(text, labels: Self.fixtureLabels, value: 1234.5)
            #expect(e.direct == e.interpreted, "\(text)")
            if e.isDirect { direct += 1 }
        }
        for (value, text, _) in TemplatePrometheusCases.valueCases {
            let e = try Self.expansions(text, labels: Self.fixtureLabels, value: value)
            #expect(e.direct == e.interpreted, "\(value): \(text)")
            if e.isDirect { direct += 1 }
        }
        #expect(direct > 50)
    }

    static let shapes = [
        "{{ $labels.instance }} is {{ $value | printf \"%.2f\" }}°C",
        "p99 {{ humanizeDuration $value }} on {{ $labels.instance }}",
        "{{ $labels.instance }} serves {{ $value | humanize }} requests/s ({{ printf \"%.1f\" $value }}).",
        "{{ .Labels.job }}/{{ $labels.missing }}/{{ $value }}",
        "{{ $value | humanize1024 }} {{ $value | humanizePercentage }} {{ humanizeTimestamp $value }}",
        "{{ $labels.job | toUpper }} {{ title $labels.instance }} {{ stripPort $labels.instance }}",
        "{{ printf \"%s=%v %d %x\" $labels.job $value $value $value }}",
        "{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}",
        "{{ $value | printf \"%s\" }} {{ toUpper $value }} {{ humanize $labels.job }}",
        "{{ \"text\" | printf \"%s-%v\" $value }} {{ \"lit\" }}",
        "{{ $value | humanizeDuration | printf \"[%s]\" }}",
        "{{ match \"^host\" $labels.instance }} {{ $labels.instance | match \"(\" }}",
        "{{ now }} {{ externalURL }} {{ pathPrefix }} {{ len $labels.instance }}",
    ]

    static let values: [Double] = [
        0, -0.0, 1, -1, 0.5, 1234.5, -1234.5, 1e-9, 1e21, -1e21, 1e300, 5e-324, 59.999, 60, 3600, 86_400.5,
        123_456_789, .nan, .infinity, -.infinity, 9.3e18, -9.3e18, 1_700_000_000.123,
    ]

    static let labelSets: [Labels] = [
        fixtureLabels,
        .empty,
        ["__name__": "x", "instance": "[2001:db8::1]:80", "job": "ünïcode ✓"],
        ["instance": "", "job": "a\"b\\c"],
    ]

    @Test func shapesExpandAlikeForEveryValue() throws {
        for text in Self.shapes {
            for labels in Self.labelSets {
                for value in Self.values {
                    let e = try Self.expansions(text, labels: labels, value: value)
                    #expect(e.direct == e.interpreted, "\(text) \(labels) \(value)")
                    #expect(e.isDirect, "\(text)")
                }
            }
        }
    }

    @Test func unusualShapesUseTheInterpreter() throws {
        for text in [
            "{{ $labels }}", "{{ . }}", "{{ .Value }}", "{{ $x := 1 }}{{ $x }}", "{{ if $value }}y{{ end }}",
            "{{ query \"up\" }}", "{{ and $value 1 }}", "{{ $value 1 }}", "{{ humanize }}", "{{ $labels.a.b }}",
            "{{ define \"t\" }}x{{ end }}{{ $value }}", "{{ $externalLabels.x }}", "{{ humanize 1 }}",
        ] {
            #expect(try !RuleTemplate(text, name: "__alert_X").isDirect, "\(text)")
        }
        #expect(try !RuleTemplate("{{ $value }}", name: "n").readsLabelsOnly)
        #expect(try !RuleTemplate("{{ now }}", name: "n").readsLabelsOnly)
        #expect(try RuleTemplate("{{ $labels.job | toUpper }}", name: "n").readsLabelsOnly)
    }
}
