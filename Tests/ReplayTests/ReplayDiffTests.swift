import Foundation
import Model
import Rules
import Testing
import TSDB
@testable import Replay

/// `ReplayDiff`: two rule versions over the same history, compared episode by episode and
/// sample by sample.
@Suite struct ReplayDiffTests {
    /// load{host="a"}: 10 from minute 10 to 19; load{host="b"}: 4 from minute 30 to 34; else 0.
    static func data() throws -> ReplayFixture {
        let a: [Double?] = (0...40).map { (10..<20).contains($0) ? 10 : 0 }
        let b: [Double?] = (0...40).map { (30..<35).contains($0) ? 4 : 0 }
        return try ReplayFixture([
            (["__name__": "load", "host": "a"], perMinute(a)),
            (["__name__": "load", "host": "b"], perMinute(b)),
        ])
    }

    static func rules(alert: String = "HighLoad", threshold: Int = 5, for duration: String = "2m", factor: Int = 1) -> String {
        """
        groups:
          - name: load
            interval: 1m
            rules:
              - record: load:max
                expr: max(load)
              - record: load:scaled
                expr: load * \(factor)
              - alert: \(alert)
                expr: load > \(threshold)
                for: \(duration)
                annotations:
                  summary: "{{ $labels.host }} above \(threshold)"
        """
    }

    static func diff(_ data: ReplayFixture, old: String, new: String) throws -> ReplayDiff {
        let oldFiles = try RuleFileLoader.load(paths: [try data.ruleFile(old, name: "old.yml")])
        let newFiles = try RuleFileLoader.load(paths: [try data.ruleFile(new, name: "new.yml")])
        let db = try ReadOnlyDB(directory: data.path)
        let configuration = ReplayConfiguration(from: 0, to: minutes(40), alignment: .start, dataStart: 0)
        return try ReplayDiff.run(old: oldFiles, new: newFiles, data: db, configuration: configuration).diff
    }

    @Test func identicalRulesHaveNoDifferences() throws {
        let data = try Self.data()
        let diff = try Self.diff(data, old: Self.rules(), new: Self.rules())
        #expect(diff.isIdentical)
        #expect(diff.alerts.isEmpty && diff.recordings.isEmpty)
        #expect(diff.unchangedAlertRules == 1)
        #expect(diff.unchangedRecordingRules == 2)
        #expect(diff.text().contains("no differences"))
        #expect(diff.json().contains("\"identical\":true"))
    }

    @Test func changedThresholdAddsAnEpisodeAndChangesAWindow() throws {
        let data = try Self.data()
        let diff = try Self.diff(data, old: Self.rules(), new: Self.rules(threshold: 3, for: "3m", factor: 2))
        #expect(!diff.isIdentical)
        let alert = try #require(diff.alerts.first)
        #expect(diff.alerts.count == 1)
        #expect(alert.name == "HighLoad" && alert.presence == .both)
        #expect(alert.oldEpisodes == 1 && alert.newEpisodes == 2 && alert.unchanged == 0)
        #expect(alert.onlyInOld.isEmpty)
        // host b at 4 is above the new threshold only: pending 30, firing 33, resolved 35.
        let added = try #require(alert.onlyInNew.first)
        #expect(alert.onlyInNew.count == 1)
        #expect(added.labels == ["alertname": "HighLoad", "host": "b"])
        #expect((added.pendingAt, added.firingAt, added.resolvedAt) == (minutes(30), minutes(33), minutes(35)))
        // host a fires a minute later, with another summary.
        let changed = try #require(alert.changed.first)
        #expect(alert.changed.count == 1)
        #expect(changed.old.labels == ["alertname": "HighLoad", "host": "a"])
        #expect(changed.changes == [.firingAt, .annotations])
        #expect(changed.old.firingAt == minutes(12) && changed.new.firingAt == minutes(13))
        #expect(changed.old.resolvedAt == minutes(20) && changed.new.resolvedAt == minutes(20))

        // load:max is the same; load:scaled doubled for every sample of host a and b but zeros.
        #expect(diff.unchangedRecordingRules == 1)
        let scaled = try #require(diff.recordings.first)
        #expect(diff.recordings.count == 1)
        #expect(scaled.name == "load:scaled")
        #expect(scaled.oldSeries == 2 && scaled.newSeries == 2)
        #expect(scaled.seriesOnlyInOld.isEmpty && scaled.seriesOnlyInNew.isEmpty)
        #expect(scaled.changedSeries.map(\.labels) == [["__name__": "load:scaled", "host": "a"], ["__name__": "load:scaled", "host": "b"]])
        #expect(scaled.changedSeries.map(\.samplesDiffering) == [10, 5])
        #expect(scaled.changedSeries.map(\.firstDifferenceAt) == [minutes(10), minutes(30)])
        #expect(scaled.maxAbsoluteDifference == 10)

        let text = diff.text()
        #expect(text.contains("ALERT HighLoad: 1 old episode, 2 new; 0 only in old, 1 only in new, 1 changed, 0 unchanged"), "\(text)")
        #expect(text.contains("changed: firingAt, annotations"))
        #expect(text.contains("only new     1970-01-01T00:30:00Z  1970-01-01T00:33:00Z  1970-01-01T00:35:00Z"), "\(text)")
        #expect(text.contains("RECORD load:scaled: 2 old series"))
        // Deterministic: the same diff again, byte for byte.
        let again = try Self.diff(data, old: Self.rules(), new: Self.rules(threshold: 3, for: "3m", factor: 2))
        #expect(again.text() == text)
        #expect(again.json() == diff.json())
    }

    @Test func renamedAlertIsOnlyInOldUnderOneNameAndOnlyInNewUnderTheOther() throws {
        let data = try Self.data()
        let diff = try Self.diff(data, old: Self.rules(), new: Self.rules(alert: "LoadHigh"))
        #expect(diff.alerts.map(\.name) == ["HighLoad", "LoadHigh"])
        #expect(diff.alerts.map(\.presence) == [.onlyInOld, .onlyInNew])
        #expect(diff.alerts[0].onlyInOld.map(\.labels) == [["alertname": "HighLoad", "host": "a"]])
        #expect(diff.alerts[1].onlyInNew.map(\.labels) == [["alertname": "LoadHigh", "host": "a"]])
        #expect(diff.alerts[1].onlyInNew.first?.firingAt == minutes(12))
        #expect(diff.recordings.isEmpty)
        #expect(diff.text().contains("ALERT HighLoad (only in old: removed or renamed)"))
    }

    @Test func jsonSchema() throws {
        let data = try Self.data()
        let diff = try Self.diff(data, old: Self.rules(), new: Self.rules(threshold: 3, for: "3m", factor: 2))
        let json = diff.json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["from"] as? Int == 0)
        #expect(object["to"] as? Int == 2400)
        #expect(object["identical"] as? Bool == false)
        #expect(object["unchangedAlertRules"] as? Int == 0)
        #expect(object["unchangedRecordingRules"] as? Int == 1)
        let alerts = try #require(object["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        let alert = alerts[0]
        #expect(alert["name"] as? String == "HighLoad")
        #expect(alert["presence"] as? String == "both")
        #expect(alert["oldEpisodes"] as? Int == 1 && alert["newEpisodes"] as? Int == 2)
        #expect((alert["onlyInOld"] as? [Any])?.isEmpty == true)
        let added = try #require((alert["onlyInNew"] as? [[String: Any]])?.first)
        #expect(added["labels"] as? [String: String] == ["alertname": "HighLoad", "host": "b"])
        #expect(added["annotations"] as? [String: String] == ["summary": "b above 3"])
        #expect(added["pendingAt"] as? Int == 1800 && added["firingAt"] as? Int == 1980 && added["resolvedAt"] as? Int == 2100)
        #expect(added["end"] as? String == "resolved")
        let changed = try #require((alert["changed"] as? [[String: Any]])?.first)
        #expect(changed["changes"] as? [String] == ["firingAt", "annotations"])
        #expect((changed["old"] as? [String: Any])?["firingAt"] as? Int == 720)
        #expect((changed["new"] as? [String: Any])?["firingAt"] as? Int == 780)
        let recordings = try #require(object["recordings"] as? [[String: Any]])
        #expect(recordings.count == 1)
        let scaled = recordings[0]
        #expect(scaled["name"] as? String == "load:scaled")
        #expect(scaled["samplesDiffering"] as? Int == 15)
        #expect(scaled["firstDifferenceAt"] as? Int == 600)
        #expect(scaled["maxAbsoluteDifference"] as? Int == 10)
        #expect((scaled["changedSeries"] as? [[String: Any]])?.count == 2)
        #expect(scaled["seriesOnlyInOld"] as? [Any] != nil)
        // Keys in the documented order.
        let keys = ["\"from\"", "\"to\"", "\"identical\"", "\"unchangedAlertRules\"", "\"unchangedRecordingRules\"", "\"alerts\"", "\"recordings\""]
        let positions = keys.map { json.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func seriesOnOneSideAndStaleMarkersCompare() {
        let stale = StaleMarker.value
        #expect(ReplayDiff.sameValue(stale, stale))
        #expect(!ReplayDiff.sameValue(stale, .nan))
        #expect(ReplayDiff.sameValue(.nan, .nan))
        #expect(!ReplayDiff.sameValue(1, 2))
        let a = [Sample(timestamp: 0, value: 1), Sample(timestamp: 60, value: 2)]
        let b = [Sample(timestamp: 0, value: 1), Sample(timestamp: 60, value: 5), Sample(timestamp: 120, value: stale)]
        let changed = ReplayDiff.compare(a, b, labels: ["__name__": "x"])
        #expect(changed?.samplesDiffering == 2)
        #expect(changed?.firstDifferenceAt == 60)
        #expect(changed?.maxAbsoluteDifference == 3)
        #expect(ReplayDiff.compare(a, a, labels: ["__name__": "x"]) == nil)
    }
}
