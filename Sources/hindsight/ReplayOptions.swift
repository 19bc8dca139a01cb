import ArgumentParser
import Foundation
import Model
import Replay
import Rules
import Snapshot
import TSDB

/// The data, range and evaluation options `hindsight replay` and `hindsight replay diff`
/// share, and their reading into a ``ReplayConfiguration``.
struct ReplayEvaluationOptions: ParsableArguments {
    @Option(help: "The data directory, a folder of Prometheus blocks or an admin snapshot.")
    var data: String?

    @Option(help: "Replay from a snapshot tarball instead of --data (verified, unpacked into --tmp-dir, always removed).")
    var snapshot: String?

    @Option(help: "Where --snapshot is unpacked.")
    var tmpDir: String = NSTemporaryDirectory()

    @Option(help: "Start of the range: RFC 3339 or Unix seconds (default: the data's first sample).")
    var from: String?

    @Option(help: "End of the range: RFC 3339 or Unix seconds (default: the data's last sample).")
    var to: String?

    @Option(help: "Evaluation slots: prometheus (live Prometheus's) or start (--from + k × interval).")
    var align: ReplayAlignmentArgument = .prometheus

    @Option(help: "Evaluate every group at this interval instead of its own (a duration such as 30s).")
    var evalInterval: String?

    @Option(help: "How far back an instant selector looks for a sample.")
    var lookbackDelta: String = "5m"

    @Option(name: .long, parsing: .upToNextOption, help: "An external label K=V for templates (repeatable).")
    var externalLabel: [String] = []

    @Option(help: "The external URL templates see.")
    var externalURL: String = ""

    @Flag(help: ArgumentHelp("Evaluate strictly in live order, every expression at every slot (same results, slower; for checking).", visibility: .hidden))
    var liveOrder = false

    /// Opens the data and reads every option; `fail` reports a problem and does not return.
    func configuration(flapWindow: Int64? = nil, fail: (String) -> Never) -> (ReadOnlyDB, ReplayConfiguration) {
        guard data == nil || snapshot == nil else { fail("--data and --snapshot: give one of them") }
        guard let data = data ?? snapshot.map({ unpack($0, fail: fail) }) else {
            fail("--data: the data directory (or --snapshot FILE) is needed")
        }
        let interval: Int64?
        let lookback: Int64
        var labels = Labels.Builder()
        do {
            interval = try evalInterval.map { try QueryTime.duration($0, option: "--eval-interval") }
            lookback = try QueryTime.duration(lookbackDelta, option: "--lookback-delta")
            for pair in externalLabel {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                    throw ValidationError("--external-label: expected K=V, got \"\(pair)\"")
                }
                labels.set(String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
            }
        } catch {
            fail("\(error)")
        }
        if let interval, interval <= 0 { fail("--eval-interval: must be positive") }
        let db: ReadOnlyDB
        do {
            db = try ReadOnlyDB(directory: data)
        } catch {
            fail("\(error)")
        }
        for broken in db.brokenBlocks {
            printError("warning: skipping block \(broken.directory): \(broken.error)")
        }
        let dataStart = db.minTime
        let start: Int64, end: Int64
        do {
            guard let s = try from.map({ try QueryTime.timestamp($0, option: "--from") }) ?? dataStart,
                  let e = try to.map({ try QueryTime.timestamp($0, option: "--to") }) ?? db.maxTime
            else {
                throw ValidationError("the data directory \(data) holds no samples: give --from and --to")
            }
            start = s
            end = e
        } catch {
            fail("\(error)")
        }
        guard end >= start else { fail("--to must not be before --from") }
        var configuration = ReplayConfiguration(
            from: start, to: end, alignment: align.alignment, evaluationInterval: interval, lookbackDelta: lookback,
            externalLabels: labels.build(), externalURL: externalURL, dataStart: dataStart)
        if let flapWindow { configuration.flapWindow = flapWindow }
        configuration.windowed = !liveOrder
        return (db, configuration)
    }
}

extension ReplayEvaluationOptions {
    /// Verifies and unpacks a snapshot into a folder removed when the process ends.
    fileprivate func unpack(_ archive: String, fail: (String) -> Never) -> String {
        let folder = tmpDir + (tmpDir.hasSuffix("/") ? "" : "/") + "hindsight-replay-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            fail("--tmp-dir: cannot create \(folder): \(error.localizedDescription)")
        }
        TemporaryFolders.removeAtExit(folder)
        do {
            _ = try SnapshotVerifier.unpack(archive: archive, into: folder, limits: SnapshotLimits(), progress: nil)
        } catch {
            fail("--snapshot \(archive): \(error)")
        }
        return folder
    }
}

/// Loads rule files, printing every problem as FILE:LINE:COLUMN and exiting with `status`.
func loadRuleFiles(_ paths: [String], exitStatus status: Int32) -> [RuleFile] {
    do throws(RuleFileError) {
        return try RuleFileLoader.load(paths: paths)
    } catch {
        for diagnostic in error.diagnostics { printError(diagnostic.description) }
        Foundation.exit(status)
    }
}

/// Writes a report to `path` (atomically) or to standard output.
func writeReport(_ text: String, to path: String?, fail: (String) -> Never) {
    if let path {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            fail("cannot write \(path): \(error.localizedDescription)")
        }
    } else {
        var out = BufferedOutput()
        out.write(text)
        out.flush()
    }
}
