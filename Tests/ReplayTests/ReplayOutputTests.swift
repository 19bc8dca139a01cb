import Foundation
import Model
import Testing
@testable import Replay

/// Text and JSON reports: the documented schema, fixed key order, determinism.
@Suite struct ReplayOutputTests {
    static let rules = """
        groups:
          - name: cpu
            interval: 1m
            rules:
              - record: cpu:max
                expr: max(cpu)
              - alert: HighCPU
                expr: cpu > 50
                for: 5m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.host }} at {{ $value }}"
              - alert: Never
                expr: cpu > 1000
        """

    @Test func jsonFollowsTheDocumentedSchema() throws {
        let data = try ReplayEngineTests.cpuData()
        let report = try data.replay(Self.rules, from: 0, to: minutes(40))
        let json = report.json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["from"] as? Double == 0)
        #expect(object["to"] as? Double == 2400)
        let alerts = try #require(object["alerts"] as? [[String: Any]])
        try #require(alerts.count == 1)
        let alert = alerts[0]
        #expect(alert["rule"] as? String == "HighCPU")
        #expect(alert["labels"] as? [String: String] == ["alertname": "HighCPU", "host": "a", "severity": "page"])
        #expect(alert["annotations"] as? [String: String] == ["summary": "a at 200"])
        #expect(alert["pendingAt"] as? Double == 600)
        #expect(alert["firingAt"] as? Double == 900)
        #expect(alert["resolvedAt"] as? Double == 1800)
        #expect(alert["valueAtPending"] as? Double == 100)
        #expect(alert["valueAtFiring"] as? Double == 100)
        #expect(alert["valueAtResolved"] as? Double == 200)
        #expect(alert["end"] as? String == "resolved")
        let changes = try #require(alert["annotationChanges"] as? [[String: Any]])
        #expect(changes.map { $0["at"] as? Double } == [600, 1200])
        let rules = try #require(object["rules"] as? [[String: Any]])
        #expect(rules.map { $0["name"] as? String } == ["cpu:max", "HighCPU", "Never"])
        #expect(rules[0]["type"] as? String == "recording")
        #expect(rules[0]["samples"] as? Int == 41)
        #expect(rules[0]["series"] as? Int == 1)
        #expect(rules[1]["type"] as? String == "alerting")
        #expect(rules[1]["fired"] as? Int == 1)
        #expect(rules[1]["totalFiringSeconds"] as? Double == 900)
        #expect(rules[1]["meanTimeToResolveSeconds"] as? Double == 900)
        #expect(rules[2]["fired"] as? Int == 0)
        #expect(rules[2]["meanTimeToResolveSeconds"] is NSNull)

        // Keys in the documented order.
        func ordered(_ keys: [String], in text: Substring) -> Bool {
            let positions = keys.map { text.range(of: "\"\($0)\":")?.lowerBound }
            return positions.allSatisfy { $0 != nil } && zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! }
        }
        #expect(ordered(["from", "to", "evaluationStart", "alerts", "rules"], in: json[...]))
        let alertLine = try #require(json.split(separator: "\n").first { $0.contains("\"pendingAt\"") })
        #expect(ordered([
            "rule", "group", "file", "labels", "annotations", "annotationChanges", "pendingAt", "firingAt",
            "resolvedAt", "end", "durationSeconds", "valueAtPending", "valueAtFiring", "valueAtResolved",
        ], in: alertLine))
        let ruleLine = try #require(json.split(separator: "\n").first { $0.contains("\"HighCPU\",\"type\"") })
        #expect(ordered([
            "name", "type", "group", "file", "fired", "episodes", "totalFiringSeconds", "longestFiringSeconds",
            "meanTimeToResolveSeconds", "flaps", "errorCount", "errors",
        ], in: ruleLine))
    }

    @Test func specialValuesAndFractionalSeconds() {
        let w = JSONWriter()
        w.value(.nan)
        #expect(w.out == "\"NaN\"")
        #expect(ReplayFormat.seconds(1_700_000_000_250) == "1700000000.25")
        #expect(ReplayFormat.seconds(-1500) == "-1.5")
        #expect(ReplayFormat.seconds(5) == "0.005")
        #expect(ReplayFormat.time(0) == "1970-01-01T00:00:00Z")
        #expect(ReplayFormat.time(1_709_251_200_123) == "2024-03-01T00:00:00.123Z")
        #expect(ReplayFormat.duration(minutes(90) + 1500) == "1h30m1s500ms")
        #expect(JSONWriter.quote("a\"b\\\n\u{1}") == "\"a\\\"b\\\\\\n\\u0001\"")
        let inf = JSONWriter()
        inf.value(-.infinity)
        #expect(inf.out == "\"-Inf\"")
    }

    @Test func replayIsDeterministic() throws {
        let data = try ReplayEngineTests.cpuData()
        let first = try data.replay(Self.rules, from: 0, to: minutes(60), alignment: .prometheus)
        let second = try data.replay(Self.rules, from: 0, to: minutes(60), alignment: .prometheus)
        #expect(first.json() == second.json())
        #expect(first.text() == second.text())
        #expect(first.text().contains("HighCPU"))
    }

    @Test func textReportHasTimelineAndSummary() throws {
        let data = try ReplayEngineTests.cpuData()
        let text = try data.replay(Self.rules, from: 0, to: minutes(40)).text()
        #expect(text.hasPrefix("Replay 1970-01-01T00:00:00Z .. 1970-01-01T00:40:00Z"))
        #expect(text.contains("ALERT TIMELINE: 1 episode\n"))
        #expect(text.contains("1970-01-01T00:10:00Z  1970-01-01T00:15:00Z  1970-01-01T00:30:00Z  20m"))
        #expect(text.contains("annotations: summary=\"a at 200\""))
        #expect(text.contains("at 1970-01-01T00:20:00Z: summary=\"a at 200\""))
        #expect(text.contains("RULE SUMMARY"))
        #expect(text.contains("Never fired: Never\n"))
        #expect(text.contains("Errors: none"))
    }
}
