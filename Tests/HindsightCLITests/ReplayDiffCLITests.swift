import Foundation
import TestSupport
import Testing

/// `hindsight replay diff` and `hindsight replay --output-blocks` as a user runs them.
struct ReplayDiffCLITests {
    static func hindsight(_ arguments: [String]) throws -> ProcessResult {
        try CheckMetricsCLITests.hindsight(arguments)
    }

    /// The data and rules of ``ReplayCLITests/makeData(in:)`` plus variants of a.yml.
    static func setUp() throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let data = try ReplayCLITests.makeData(in: dir)
        let a = try String(contentsOfFile: dir.path + "/a.yml", encoding: .utf8)
        try a.replacingOccurrences(of: "for: 2m", with: "for: 5m")
            .write(toFile: dir.path + "/slower.yml", atomically: true, encoding: .utf8)
        try a.replacingOccurrences(of: "alert: HighLoad", with: "alert: LoadHigh")
            .write(toFile: dir.path + "/renamed.yml", atomically: true, encoding: .utf8)
        return (dir, data)
    }

    static func diff(_ dir: TemporaryDirectory, _ data: String, old: String, new: String, _ extra: [String] = []) throws -> ProcessResult {
        try hindsight(["replay", "diff", "--old", dir.path + "/" + old, "--new", dir.path + "/" + new, "--data", data,
                       "--align", "start"] + extra)
    }

    @Test func identicalRulesExitZero() throws {
        let (dir, data) = try Self.setUp()
        let result = try Self.diff(dir, data, old: "a.yml", new: "a.yml")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("no differences"), "\(result.stdout)")
        // Several files per side.
        let both = try Self.hindsight(["replay", "diff", "--old", dir.path + "/a.yml", dir.path + "/b.yml",
                                       "--new", dir.path + "/a.yml", dir.path + "/b.yml", "--data", data, "--format", "json"])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdout.contains("\"identical\":true,\n\"unchangedAlertRules\":1,\n\"unchangedRecordingRules\":1,"), "\(both.stdout)")
    }

    @Test func changedForExitsOneWithTheChangedWindow() throws {
        let (dir, data) = try Self.setUp()
        let result = try Self.diff(dir, data, old: "a.yml", new: "slower.yml", ["--from", "1700000000", "--to", "1700002400"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("ALERT HighLoad: 1 old episode, 1 new; 0 only in old, 0 only in new, 1 changed, 0 unchanged"), "\(result.stdout)")
        #expect(result.stdout.contains("changed: firingAt"))
        #expect(result.stdout.contains("2023-11-14T22:25:20Z"))
        #expect(result.stdout.contains("2023-11-14T22:28:20Z"))

        let json = try Self.diff(dir, data, old: "a.yml", new: "slower.yml", ["--format", "json", "--output", dir.path + "/diff.json"])
        #expect(json.status == 1)
        #expect(json.stdout.isEmpty)
        let text = try String(contentsOfFile: dir.path + "/diff.json", encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["identical"] as? Bool == false)
        let changed = try #require(((object["alerts"] as? [[String: Any]])?.first?["changed"] as? [[String: Any]])?.first)
        #expect(changed["changes"] as? [String] == ["firingAt"])
        #expect((changed["old"] as? [String: Any])?["firingAt"] as? Int == 1_700_000_720)
        #expect((changed["new"] as? [String: Any])?["firingAt"] as? Int == 1_700_000_900)
    }

    @Test func renamedAlertExitsOne() throws {
        let (dir, data) = try Self.setUp()
        let result = try Self.diff(dir, data, old: "a.yml", new: "renamed.yml")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("ALERT HighLoad (only in old: removed or renamed)"), "\(result.stdout)")
        #expect(result.stdout.contains("ALERT LoadHigh (only in new: added or renamed)"))
    }

    @Test func errorsExitTwo() throws {
        let (dir, data) = try Self.setUp()
        try "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(rate(x[5m])\n"
            .write(toFile: dir.path + "/bad.yml", atomically: true, encoding: .utf8)
        let bad = try Self.diff(dir, data, old: "a.yml", new: "bad.yml")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains(dir.path + "/bad.yml:5:"), "\(bad.stderr)")
        let noData = try Self.hindsight(["replay", "diff", "--old", dir.path + "/a.yml", "--new", dir.path + "/a.yml"])
        #expect(noData.status == 2)
        #expect(noData.stderr.contains("--data"), "\(noData.stderr)")
        let missing = try Self.diff(dir, dir.path + "/nope", old: "a.yml", new: "a.yml")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("error:"))
        let badTime = try Self.diff(dir, data, old: "a.yml", new: "a.yml", ["--from", "yesterday"])
        #expect(badTime.status == 2)
        #expect(badTime.stderr.contains("--from: cannot parse"))
    }

    @Test func replayRunIsTheDefaultAndWritesBlocks() throws {
        let (dir, data) = try Self.setUp()
        let args = ["--rules", dir.path + "/a.yml", dir.path + "/b.yml", "--data", data, "--align", "start"]
        let plain = try Self.hindsight(["replay"] + args + ["--output-blocks", dir.path + "/out"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let run = try Self.hindsight(["replay", "run"] + args)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == plain.stdout)

        let dump = try Self.hindsight(["tsdb", "dump", dir.path + "/out"])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("{__name__=\"ALERTS\", alertname=\"HighLoad\", alertstate=\"firing\", host=\"a\"} 1 1700000720000\n"), "\(dump.stdout)")
        #expect(dump.stdout.contains("{__name__=\"ALERTS_FOR_STATE\", alertname=\"HighLoad\", host=\"a\"} 1.7000006e+09 1700000600000\n"))
        #expect(dump.stdout.contains("{__name__=\"load:sum\"} 10 1700000600000\n"))
        #expect(!dump.stdout.contains("__name__=\"load\""))

        let bad = try Self.hindsight(["replay"] + args + ["--output-blocks", dir.path + "/out2", "--max-block-duration", "0s"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--max-block-duration"), "\(bad.stderr)")
    }
}
