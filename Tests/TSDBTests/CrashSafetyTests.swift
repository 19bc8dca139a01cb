import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// A writer killed with SIGKILL at random moments loses nothing it acknowledged, and
/// leaves no partial transaction behind.
@Suite(.serialized)
struct CrashSafetyTests {
    static let series = 8

    @Test func acknowledgedSamplesSurviveKill9() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path + "/data"
        var rng = SplitMix64(state: 2026)
        var acked = Set<Int64>()
        var previousMax: Int64?  // the newest batch present after the previous cycle
        for cycle in 0..<20 {
            // The writer continues after what is there; it can have committed one batch past its last ack.
            let firstAttempt = previousMax.map { $0 + 60_000 } ?? 0
            var lastAckThisCycle: Int64?
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BlockReaderTests.hindsight)
            process.arguments = ["debug", "append-loop", "--series", String(Self.series), "--step", "60000",
                                 "--compact-every", cycle % 4 == 3 ? "25" : "0", data]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 80_000...400_000, using: &rng))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("ack ") {
                if let t = Int64(line.dropFirst(4)) {
                    acked.insert(t)
                    lastAckThisCycle = max(lastAckThisCycle ?? t, t)
                }
            }

            // Reopen (replaying the WAL) and check.
            let db = try DB(directory: data)
            var present: [Labels: [Int64]] = [:]
            var set = try db.querier(mint: .min, maxt: .max).select([.equal("__name__", "crash_test")], hints: nil)
            while let s = try set.next() {
                var iterator = s.makeIterator()
                while let sample = try iterator.next() {
                    #expect(sample.value == Double(sample.timestamp), "value of \(s.labels) at \(sample.timestamp)")
                    present[s.labels, default: []].append(sample.timestamp)
                }
            }
            try db.close()
            let times = present.values.first.map(Set.init) ?? []
            // HINDSIGHT_KEEP_CRASH=1 keeps the data and the writer's output of a failing cycle for study.
            if !acked.isSubset(of: times) && ProcessInfo.processInfo.environment["HINDSIGHT_KEEP_CRASH"] != nil {
                try? FileManager.default.removeItem(atPath: "/tmp/crashfail")
                try? FileManager.default.copyItem(atPath: data, toPath: "/tmp/crashfail")
                try? text.write(toFile: "/tmp/crashfail-child.txt", atomically: true, encoding: .utf8)
            }
            // Every acknowledged batch is there, in every series.
            #expect(acked.isSubset(of: times), "cycle \(cycle): lost \(acked.subtracting(times).sorted().prefix(5))")
            // Batches are atomic: all series hold the same timestamps.
            #expect(present.count == (times.isEmpty ? 0 : Self.series), "cycle \(cycle)")
            for (labels, ts) in present { #expect(Set(ts) == times, "cycle \(cycle): \(labels) differs") }
            // Nothing beyond what was attempted: at most the one batch after this cycle's last ack.
            if let maxPresent = times.max() {
                let limit = lastAckThisCycle.map { $0 + 60_000 } ?? firstAttempt
                #expect(maxPresent <= max(limit, previousMax ?? .min), "cycle \(cycle)")
            }
            previousMax = times.max() ?? previousMax
        }
        #expect(acked.count > 20, "the writer should have acknowledged batches")

        // Prometheus reads what we left behind (blocks, WAL checkpoint and segments) exactly as we do.
        if let promtool = Subprocess.which("promtool") {
            let theirs = try Subprocess.run(promtool, ["tsdb", "dump", data])
            let ours = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "dump", data])
            #expect(theirs.status == 0, "\(theirs.stderr)")
            #expect(ours.stdout == theirs.stdout)
            #expect(!ours.stdout.isEmpty)
        } else {
            #expect(!Conformance.isCI, "promtool is required under CI")
        }
    }

    @Test func aSecondWriterIsRefused() throws {
        let dir = try TemporaryDirectory()
        let first = try DB(directory: dir.path)
        defer { try? first.close() }
        do {
            _ = try DB(directory: dir.path)
            Issue.record("a second writer opened the same directory")
        } catch {
            #expect(error.description.contains("in use by another process"))
            #expect(error.description.hasPrefix(dir.path + "/lock"))
        }
        // Read-only access is always allowed.
        #expect(throws: Never.self) { _ = try ReadOnlyDB(directory: dir.path) }
    }
}
