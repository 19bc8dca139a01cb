import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing

/// `hindsight snapshot …` and `hindsight replay --snapshot` as a user runs them, and
/// snapshots of a real Prometheus (Debian's 2.42) imported unchanged.
struct SnapshotCLITests {
    static func hindsight(_ arguments: [String]) throws -> ProcessResult {
        try CheckMetricsCLITests.hindsight(arguments)
    }

    @Test func createInspectVerifyImportThenReplayFromTheSnapshot() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-cli")
        let data = try ReplayCLITests.makeData(in: dir)
        let archive = dir.path + "/s.tar.zst"
        let create = try Self.hindsight(["snapshot", "create", "--data", data, "--out", archive])
        #expect(create.status == 0, "\(create.stderr)")
        #expect(create.stderr.isEmpty, "no progress when standard error is not a terminal")
        #expect(create.stdout.contains("1 blocks, 2 series, 82 samples"), "\(create.stdout)")

        let inspect = try Self.hindsight(["snapshot", "inspect", archive])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("Hindsight snapshot, format 1"))
        #expect(inspect.stdout.contains("BLOCK ULID"))
        let json = try Self.hindsight(["snapshot", "inspect", "--format", "json", archive])
        #expect(json.stdout.contains("\"sha256\""))

        let verify = try Self.hindsight(["snapshot", "verify", archive])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("OK: 1 blocks, 2 series"))

        let imported = dir.path + "/imported"
        let importResult = try Self.hindsight(["snapshot", "import", archive, "--data", imported])
        #expect(importResult.status == 0, "\(importResult.stderr)")
        #expect(importResult.stdout.contains("1 blocks imported"))
        let source = try Self.hindsight(["tsdb", "dump", data]).stdout
        #expect(!source.isEmpty)
        #expect(try Self.hindsight(["tsdb", "dump", imported]).stdout == source)
        if let promtool = Subprocess.which("promtool") {
            // promtool 2.42's dump needs a wal/ folder.
            for folder in [data, imported] { try FileManager.default.createDirectory(atPath: folder + "/wal", withIntermediateDirectories: true) }
            #expect(try Subprocess.run(promtool, ["tsdb", "dump", data]).stdout == source)
            #expect(try Subprocess.run(promtool, ["tsdb", "dump", imported]).stdout == source)
        }

        let replayArgs = ["replay", "--rules", dir.path + "/a.yml", "--align", "start", "--format", "json", "--quiet"]
        let fromData = try Self.hindsight(replayArgs + ["--data", data])
        let fromSnapshot = try Self.hindsight(replayArgs + ["--snapshot", archive, "--tmp-dir", dir.path])
        #expect(fromSnapshot.status == 0, "\(fromSnapshot.stderr)")
        #expect(fromSnapshot.stdout == fromData.stdout)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("hindsight-replay-") }
        #expect(left.isEmpty, "the unpacked snapshot is removed")
        let failing = try Self.hindsight(["replay", "--rules", dir.path + "/missing.yml", "--snapshot", archive, "--tmp-dir", dir.path])
        #expect(failing.status != 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("hindsight-replay-") }.isEmpty)
    }

    /// `create --out -` streams to standard output and `import -` reads standard input, so
    /// that a snapshot can travel through a pipe (ssh) without a file.
    @Test func exportThroughAPipe() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-pipe")
        let data = try ReplayCLITests.makeData(in: dir)
        let binary = CheckMetricsCLITests.binary
        let piped = try Subprocess.run("/bin/sh", ["-c", "'\(binary)' snapshot create --data '\(data)' --out - | '\(binary)' snapshot import - --data '\(dir.path)/piped'"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("1 blocks imported"), "\(piped.stdout)")
        #expect(try Self.hindsight(["tsdb", "dump", dir.path + "/piped"]).stdout == Self.hindsight(["tsdb", "dump", data]).stdout)
    }

    @Test func refusedImportExitsOneAndSaysTheDirectoryIsUnchanged() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-cli-bad")
        try Data("not a tarball at all".utf8).write(to: URL(fileURLWithPath: dir.path + "/bad.tar"))
        let result = try Self.hindsight(["snapshot", "import", dir.path + "/bad.tar", "--data", dir.path + "/data"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("import failed,"), "\(result.stderr)")
        #expect(result.stderr.contains("is unchanged"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data"), "a directory the import created is removed again")
        let verify = try Self.hindsight(["snapshot", "verify", dir.path + "/bad.tar"])
        #expect(verify.status == 1)
        let size = try Self.hindsight(["snapshot", "import", dir.path + "/bad.tar", "--data", dir.path + "/data", "--max-entry-size", "lots"])
        #expect(size.status != 0)
        #expect(size.stderr.contains("--max-entry-size"))
    }
}

/// A real Prometheus admin snapshot, packed with plain `tar`, imports, and its dump equals
/// promtool's dump of the snapshot folder.
@Suite(.serialized, .enabled(if: Subprocess.which("prometheus") != nil || Conformance.isCI))
struct PrometheusSnapshotTests {
    @Test func adminSnapshotPackedWithTarImports() async throws {
        let prometheus = try #require(Subprocess.which("prometheus"), "prometheus is not installed (scripts/setup installs it)")
        let promtool = try #require(Subprocess.which("promtool"))
        let dir = try TemporaryDirectory(prefix: "prom-snapshot")
        let data = dir.path + "/data"
        // Older data as blocks (promtool's backfill), then live scrapes into the head.
        let now = Int(Date().timeIntervalSince1970)
        var text = "# TYPE backfilled gauge\n"
        for minute in 0..<240 {
            for host in ["a", "b", "c"] { text += "backfilled{host=\"\(host)\"} \(minute % 17) \(now - 86_400 + minute * 60)\n" }
        }
        text += "# EOF\n"
        try text.write(toFile: dir.path + "/input.om", atomically: true, encoding: .utf8)
        let backfill = try Subprocess.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", dir.path + "/input.om", data])
        #expect(backfill.status == 0, "\(backfill.stderr)")

        let server = try PrometheusServer(executable: prometheus, config: PrometheusServer.scrapeNothingConfig, data: data, in: dir.path, arguments: ["--web.enable-admin-api"])
        defer { server.stop() }
        try #require(server.waitUntilReady(), "\(server.logText)")
        sleep(8)
        let port = server.port
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/admin/tsdb/snapshot")!)
        request.httpMethod = "POST"
        let (body, _) = try await URLSession.shared.data(for: request)
        let reply = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        let name = try #require((reply?["data"] as? [String: Any])?["name"] as? String, "\(String(decoding: body, as: UTF8.self))")
        let snapshots = data + "/snapshots"

        let tarball = dir.path + "/prometheus-snapshot.tar"
        let tar = try Subprocess.run("/usr/bin/env", ["tar", "-cf", tarball, "-C", snapshots, name])
        #expect(tar.status == 0, "\(tar.stderr)")
        let imported = dir.path + "/imported"
        let result = try Subprocess.run(CheckMetricsCLITests.binary, ["snapshot", "import", tarball, "--data", imported])
        #expect(result.status == 0, "\(result.stderr)")

        // promtool 2.42's dump needs a wal/ folder.
        try FileManager.default.createDirectory(atPath: snapshots + "/" + name + "/wal", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: imported + "/wal", withIntermediateDirectories: true)
        let theirs = try Subprocess.run(promtool, ["tsdb", "dump", snapshots + "/" + name])
        let afterImport = try Subprocess.run(promtool, ["tsdb", "dump", imported])
        let ours = try Subprocess.run(CheckMetricsCLITests.binary, ["tsdb", "dump", imported])
        #expect(theirs.status == 0, "\(theirs.stderr)")
        #expect(theirs.stdout.contains("backfilled{") || theirs.stdout.contains("\"backfilled\""))
        #expect(theirs.stdout.contains("job=\"nothing\""), "the head, written out by the snapshot, holds the scrapes")
        #expect(afterImport.stdout == theirs.stdout)
        #expect(ours.stdout == theirs.stdout)
    }
}
