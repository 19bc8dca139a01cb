import Foundation
import TestSupport
import Testing

/// Long work shows progress on a terminal and stays quiet with --quiet (and when standard
/// error is not a terminal, which every other CLI test checks). A pseudo-terminal comes
/// from util-linux's `script`.
@Suite(.enabled(if: Subprocess.which("script") != nil))
struct ProgressCLITests {
    /// Runs `arguments` with standard error on a pseudo-terminal; returns what the terminal showed.
    static func onTerminal(_ arguments: [String]) throws -> ProcessResult {
        let command = ([CheckMetricsCLITests.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try Subprocess.run(try #require(Subprocess.which("script")), ["-qfec", command, "/dev/null"])
    }

    @Test func replayShowsProgressOnATerminalOnly() throws {
        let dir = try TemporaryDirectory(prefix: "progress")
        let data = try ReplayCLITests.makeData(in: dir)
        let args = ["replay", "--rules", dir.path + "/a.yml", "--data", data, "--format", "json"]
        let shown = try Self.onTerminal(args + ["--output", dir.path + "/shown.json"])
        #expect(shown.status == 0, "\(shown.stdout)")
        #expect(shown.stdout.contains("\r\u{1B}[Kreplay: "), "\(shown.stdout.debugDescription)")
        #expect(shown.stdout.contains("ETA"))
        #expect(shown.stdout.contains("samples/s"))
        let quiet = try Self.onTerminal(args + ["--output", dir.path + "/quiet.json", "--quiet"])
        #expect(quiet.status == 0)
        #expect(!quiet.stdout.contains("replay: "), "\(quiet.stdout.debugDescription)")
        #expect(try String(contentsOfFile: dir.path + "/shown.json", encoding: .utf8) == String(contentsOfFile: dir.path + "/quiet.json", encoding: .utf8))
    }

    @Test func snapshotCreateAndImportShowProgressOnATerminalOnly() throws {
        let dir = try TemporaryDirectory(prefix: "progress-snapshot")
        let data = try ReplayCLITests.makeData(in: dir)
        let create = try Self.onTerminal(["snapshot", "create", "--data", data, "--out", dir.path + "/s.tar.zst"])
        #expect(create.status == 0, "\(create.stdout)")
        #expect(create.stdout.contains("\r\u{1B}[K"), "\(create.stdout.debugDescription)")
        #expect(create.stdout.contains("writing: ") || create.stdout.contains("hashing: "))
        let imported = try Self.onTerminal(["snapshot", "import", dir.path + "/s.tar.zst", "--data", dir.path + "/imported"])
        #expect(imported.status == 0, "\(imported.stdout)")
        #expect(imported.stdout.contains("reading: ") || imported.stdout.contains("verifying: "), "\(imported.stdout.debugDescription)")
        let quiet = try Self.onTerminal(["snapshot", "import", dir.path + "/s.tar.zst", "--data", dir.path + "/again", "--quiet"])
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty, "\(quiet.stdout.debugDescription)")
    }
}
