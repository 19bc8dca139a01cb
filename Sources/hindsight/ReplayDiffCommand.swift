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

    @OptionGroup var evaluation: ReplayEvaluationOptions

    @Option(help: "Output: text or json.")
    var format: ReplayDiffFormat = .text

    @Option(help: "Write the diff to this file instead of standard output.")
    var output: String?

    func run() throws {
        guard !old.isEmpty else { fail("--old: at least one rule file is needed") }
        guard !new.isEmpty else { fail("--new: at least one rule file is needed") }
        guard evaluation.data != nil else { fail("--data: the data directory is needed") }
        let oldFiles = loadRuleFiles(old, exitStatus: 2)
        let newFiles = loadRuleFiles(new, exitStatus: 2)
        let (db, configuration) = evaluation.configuration(fail: fail)
        let diff: ReplayDiff
        do {
            diff = try ReplayDiff.run(old: oldFiles, new: newFiles, data: db, configuration: configuration).diff
        } catch {
            fail("replay failed: \(error)")
        }
        let text = format == .json
            ? diff.json() : diff.text(oldName: old.joined(separator: " "), newName: new.joined(separator: " "))
        writeReport(text, to: output, fail: fail)
        if !diff.isIdentical { throw ExitCode(1) }
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
