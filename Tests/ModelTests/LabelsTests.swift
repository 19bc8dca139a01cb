import Model
import Testing

struct LabelsTests {
    @Test func sortsAndPrintsLikePrometheus() {
        let labels: Labels = ["job": "api", "__name__": "up", "instance": "a:9090"]
        #expect(labels.names == ["__name__", "instance", "job"])
        #expect(labels.description == #"{__name__="up", instance="a:9090", job="api"}"#)
        #expect(Labels.empty.description == "{}")
    }

    @Test func quotesValuesAsGoDoes() {
        let labels: Labels = ["a": "x\"y\\z\nw\t\u{1}é☃\u{2028}"]
        #expect(labels.description == #"{a="x\"y\\z\nw\t\x01é☃\u2028"}"#)
    }

    @Test func quotesNonLegacyNames() {
        let labels: Labels = ["my.label": "v", "ok_name": "w"]
        #expect(labels.description == #"{"my.label"="v", ok_name="w"}"#)
    }

    @Test func sortsByBytesNotUnicodeOrder() {
        // "Z" (0x5A) sorts before "a" (0x61); "é" (0xC3…) after "z".
        let labels: Labels = ["é": "1", "a": "2", "Z": "3", "z": "4"]
        #expect(labels.names == ["Z", "a", "z", "é"])
    }

    @Test func equalityAndHashing() {
        let a: Labels = ["a": "1", "b": "2"]
        let b = Labels([Label("b", "2"), Label("a", "1")])
        #expect(a == b)
        #expect(a.stableHash == b.stableHash)
        #expect(Set([a, b]).count == 1)
        #expect(a != ["a": "1", "b": "3"])
        #expect(a != ["a": "1"])
        // Name/value boundaries matter to the hash input.
        #expect(Labels(["ab": "c"]).stableHash != Labels(["a": "bc"]).stableHash)
    }

    @Test func stableHashIsFixed() {
        // A golden value: the hash must be the same on every run and machine.
        #expect(Labels(["a": "1"]).stableHash == 0xC209_599C_E9F9_1920)
        let first = Labels(["job": "x", "instance": "y"]).stableHash
        #expect(first == Labels(["instance": "y", "job": "x"]).stableHash)
    }

    @Test func lastDuplicateWins() {
        let labels = Labels([Label("a", "1"), Label("b", "2"), Label("a", "3")])
        #expect(labels == ["a": "3", "b": "2"])
    }

    @Test func builderSetsRemovesAndDropsEmpty() {
        var builder = Labels.Builder(["a": "1", "b": "2"])
        builder.set("c", "3")
        builder.set("a", "")
        builder.remove("b")
        builder.set("d", "")
        #expect(builder.build() == ["c": "3"])
    }

    @Test func derivedSets() {
        let labels: Labels = ["__name__": "up", "job": "a", "instance": "b"]
        #expect(labels.droppingMetricName == ["job": "a", "instance": "b"])
        #expect(labels.keeping(["job"]) == ["job": "a"])
        #expect(labels.removing(["job", "instance"]) == ["__name__": "up"])
        #expect(labels.setting("job", to: "c")["job"] == "c")
        #expect(labels.setting("job", to: "")["job"] == nil)
        #expect(labels.metricName == "up")
        #expect(labels.value(of: "missing") == "")
    }

    @Test func comparesLikePrometheus() {
        let a: Labels = ["a": "1"], b: Labels = ["a": "2"], c: Labels = ["a": "1", "b": "1"], d: Labels = ["b": "0"]
        #expect(a < b)
        #expect(a < c)
        #expect(c < b)
        #expect(b < d)
        #expect(!(a < a))
    }
}

struct NameValidationTests {
    @Test(arguments: [
        ("up", true, true), ("a:b_c9", true, false), ("_x", true, true), (":x", true, false),
        ("9x", false, false), ("a.b", false, false), ("a-b", false, false), ("", false, false), ("ü", false, false),
    ])
    func legacy(_ name: String, _ validMetric: Bool, _ validLabel: Bool) {
        #expect(MetricNames.isValidLegacyMetricName(name) == validMetric)
        #expect(MetricNames.isValidLegacyLabelName(name) == validLabel)
        #expect(MetricNames.isValidMetricName(name, scheme: .legacy) == validMetric)
    }

    @Test func utf8AcceptsAnyNonEmptyName() {
        for name in ["a.b", "a-b", "9x", "ü", "☃ snow", "up"] {
            #expect(MetricNames.isValidMetricName(name))
            #expect(MetricNames.isValidLabelName(name))
        }
        #expect(!MetricNames.isValidMetricName(""))
        #expect(!MetricNames.isValidLabelName("", scheme: .utf8))
    }
}
