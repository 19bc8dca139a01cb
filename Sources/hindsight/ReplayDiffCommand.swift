import ArgumentParser
import Foundation
import Model
import Replay
import Rules
import TSDB

/// `hindsight replay`: a group whose default subcommand is the replay itself
/// (`hindsight replay --rules …` is `hindsight replay run --rules …`), beside `diff`.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay recording and alerting rules over historical data: alert timeline and per-rule summary.",
        discussion: """
            `hindsight replay --rules FILE... --data DIR` runs the replay (the `run` subcommand, \
            the default: see `hindsight replay run --help`); `hindsight replay diff --old OLD.yml \
            --new NEW.yml --data DIR` compares two versions of a rule file over the same history.
            """,
        subcommands: [ReplayRunCommand.self, ReplayDiffCommand.self],
        defaultSubcommand: ReplayRunCommand.self
    )
}

/// `--output-blocks DIR` of `hindsight replay`: the rule outputs as Prometheus blocks.
struct OutputBlocksOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also write the recording-rule outputs, ALERTS and ALERTS_FOR_STATE of --from..--to (stale markers included) as Prometheus blocks into this directory.",
        discussion: "promtool reads the blocks and a Prometheus loads them when they are moved into its data directory: the alerting backfill promtool lacks."))
    var outputBlocks: String?

    @Option(help: "With --output-blocks: the blocks' duration; blocks are aligned to multiples of it, as promtool's backfill.")
    var maxBlockDuration: String = "2h"

    /// Writes the blocks when asked; reports the failure through `fail`.
    func write(_ report: ReplayReport, fail: (String) -> Never) {
        guard let outputBlocks else { return }
        let duration: Int64
        do {
            duration = try QueryTime.duration(maxBlockDuration, option: "--max-block-duration")
        } catch {
            fail("\(error)")
        }
        guard duration > 0 else { fail("--max-block-duration: must be positive") }
        do {
            try OutputBlocks.write(report, into: outputBlocks, blockDuration: duration)
        } catch {
            fail("--output-blocks: \(error)")
        }
    }
}

/// `hindsight replay diff`: both versions of a rule set over the same history.
struct ReplayDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Replay two versions of rule files over the same data and report what changes: exit 0 when identical, 1 when different.",
        discussion: """
            Replays --old and --new (each one or several rule files) over the same data, range \
            and evaluation options as `hindsight replay`, then compares:

            ALERTS, per alert rule name and alert labels: episodes only in old, only in new, \
            and changed episodes (windows that overlap but whose pending, firing or resolved \
            times, end or templated annotations differ). A renamed alert shows its old name \
            only in old and its new name only in new.

            RECORDING RULES, per rule name: series only in old, only in new, and series whose \
            samples in --from..--to differ (a timestamp on one side only, or another value; \
            stale markers and NaN compared as such, numbers exactly), with the number of \
            differing samples, the first difference and the largest |new - old|.

            Output is sorted and deterministic; --format json has a stable schema (see \
            ReplayDiff.json() in Sources/Replay/ReplayDiff+JSON.swift): {"from", "to", \
            "identical", "unchangedAlertRules", "unchangedRecordingRules", "alerts": [...], \
            "recordings": [...]}.

            Exit status: 0 when both versions give identical results, 1 when they differ, \
            2 on an error (bad rule file, unreadable data, bad option value), so the command \
            can gate a rule change in CI (an unknown option or a value outside a list of \
            choices is a usage error: exit status 64).
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "The old rule files.")
    var old: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "The new rule files.")
    var new: [String] = []

    @Option(help: "The data directory, a folder of Prometheus blocks or an admin snapshot.")
    var data: String?

    @Option(help: "Start of the comparison: RFC 3339 or Unix seconds (default: the data's first sample).")
    var from: String?

    @Option(help: "End of the comparison: RFC 3339 or Unix seconds (default: the data's last sample).")
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

    @Option(help: "Output: text or json.")
    var format: ReplayDiffFormat = .text

    @Option(help: "Write the diff to this file instead of standard output.")
    var output: String?

    func run() throws {
        guard !old.isEmpty else { fail("--old: at least one rule file is needed") }
        guard !new.isEmpty else { fail("--new: at least one rule file is needed") }
        guard let data else { fail("--data: the data directory is needed") }
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

        let oldFiles = loadRules(old)
        let newFiles = loadRules(new)
        let db: ReadOnlyDB
        do {
            db = try openDB(data)
        } catch {
            throw ExitCode(2)
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

        let configuration = ReplayConfiguration(
            from: start, to: end, alignment: align.alignment, evaluationInterval: interval, lookbackDelta: lookback,
            externalLabels: labels.build(), externalURL: externalURL, dataStart: dataStart)
        let diff: ReplayDiff
        do {
            diff = try ReplayDiff.run(old: oldFiles, new: newFiles, data: db, configuration: configuration).diff
        } catch {
            fail("replay failed: \(error)")
        }
        let text = format == .json
            ? diff.json() : diff.text(oldName: old.joined(separator: " "), newName: new.joined(separator: " "))
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                fail("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            var out = BufferedOutput()
            out.write(text)
            out.flush()
        }
        if !diff.isIdentical { throw ExitCode(1) }
    }

    private func loadRules(_ paths: [String]) -> [RuleFile] {
        do throws(RuleFileError) {
            return try RuleFileLoader.load(paths: paths)
        } catch {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            Foundation.exit(2)
        }
    }

    private func fail(_ message: String) -> Never {
        let text = message.hasPrefix("error: ") ? message : "error: " + message
        printError(text)
        Foundation.exit(2)
    }
}

enum ReplayDiffFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
