import ArgumentParser
import Foundation
import Model
import Replay
import Rules
import TSDB

/// `hindsight replay [run]`: back-test rule files over historical blocks (the default
/// subcommand of ``ReplayCommand``).
struct ReplayRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Replay recording and alerting rules over historical data: alert timeline and per-rule summary.",
        discussion: """
            Evaluates every group of the rule files over the data directory (Hindsight's or \
            Prometheus's data directory, a folder of Prometheus blocks or an admin snapshot; \
            read in place, never modified) in simulated time, exactly as live Prometheus \
            would have: groups interleaved in time (equal timestamps in file order), rule \
            outputs (recording series, ALERTS, ALERTS_FOR_STATE) kept in memory over the \
            history so chained rules and rules reading ALERTS see what they would see live, \
            alert state (for, keep_firing_for) carried across the whole range.

            WARM-UP: so that alert state at --from is what live Prometheus would have had, \
            evaluation starts before --from by the largest for + keep_firing_for + longest \
            range or subquery window (with offsets) of any alerting rule, plus one interval, \
            never before the data's first sample. Only --from..--to is reported: episodes \
            active at some point in the range (an episode that became pending before --from \
            shows its true pendingAt), errors and recording samples of evaluations inside \
            the range, firing times clipped to the range.

            --align prometheus (default) evaluates each group at live Prometheus's slots (the \
            interval shifted by the hash of file and group name); --align start at --from \
            plus multiples of the interval, as promtool's rule unit tests do.

            Text output: the alert timeline (by pending time, then labels) with annotations \
            and their changes, then a summary per rule (times fired, total and longest \
            firing time, mean time to resolve, flaps, recording samples and series, errors). \
            An episode counts as fired when it was firing at some point in the range; a flap \
            is an episode firing within --flap-window after the same alert instance resolved.

            JSON output (--format json), a stable schema, keys always in this order, times \
            as Unix seconds (numbers, millisecond precision), values in Go's shortest form \
            with NaN and infinities as the strings "NaN", "+Inf", "-Inf":
              {"from": S, "to": S, "evaluationStart": S,
               "alerts": [{"rule", "group", "file", "labels": {...incl. alertname...},
                 "annotations": {...last templated...},
                 "annotationChanges": [{"at": S, "annotations": {...}}, ...] (first at pendingAt),
                 "pendingAt": S, "firingAt": S|null, "resolvedAt": S|null (null: active at --to),
                 "end": "resolved"|"droppedWhilePending"|"active", "durationSeconds": S,
                 "valueAtPending": V, "valueAtFiring": V|null, "valueAtResolved": V|null
                 (the last value before resolving)}, ...],
               "rules": [{"name", "type": "alerting", "group", "file", "fired", "episodes",
                 "totalFiringSeconds", "longestFiringSeconds", "meanTimeToResolveSeconds": S|null,
                 "flaps", "errorCount", "errors": [{"message", "count", "firstAt"}]} or
                 {"name", "type": "recording", "group", "file", "samples", "series",
                 "errorCount", "errors": [...]}, ...]}

            HTML output (--format html, best with --output report.html): one self-contained \
            page (inline CSS and SVG, no script, nothing fetched; opens offline) with the \
            range, rule files and evaluation count, the per-rule summary, and per alerting \
            rule an SVG timeline (a row per alert instance, pending and firing bands, UTC \
            axis) and a plot of its expression evaluated at the group's slots over the \
            history plus the rule outputs (for `X > N`-style conditions the plot shows X and \
            N as a dashed line), pending and firing periods shaded, at most 20 series.

            The same inputs give byte-identical output. Progress (share of simulated time, \
            ETA) goes to standard error when it is a terminal, unless --quiet. Exit status 1 \
            on a bad rule file (FILE:LINE:COLUMN), an unreadable data directory or bad times.
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Rule files (several after one flag, or the flag repeated).")
    var rules: [String] = []

    @OptionGroup var evaluation: ReplayEvaluationOptions

    @Option(help: "Firing again within this long after resolving counts as a flap.")
    var flapWindow: String = "15m"

    @Option(help: "Output: text, json or html (one self-contained page with SVG timelines and value plots).")
    var format: ReplayOutputFormat = .text

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @Flag(help: "No progress on standard error.")
    var quiet = false

    @OptionGroup var blocks: OutputBlocksOptions

    func run() throws {
        guard !rules.isEmpty else { fail("--rules: at least one rule file is needed") }
        let flap: Int64
        do {
            flap = try QueryTime.duration(flapWindow, option: "--flap-window")
        } catch {
            fail("\(error)")
        }
        let files = loadRuleFiles(rules, exitStatus: 1)
        let (db, configuration) = evaluation.configuration(flapWindow: flap, fail: fail)
        let replayer = Replayer(files: files, data: db, configuration: configuration)
        let progress = TerminalProgress(quiet: quiet)
        let report: ReplayReport
        do {
            report = try replayer.run(progress: progress.isEnabled ? { update in
                progress.update("replay", fraction: update.fraction, done: Double(update.samples), unit: "samples",
                                detail: "\(update.evaluations) evaluations")
            } : nil)
        } catch {
            progress.finish()
            fail("replay failed: \(error)")
        }
        progress.finish()
        blocks.write(report, fail: fail)

        let text: String
        switch format {
        case .text: text = report.text()
        case .json: text = report.json()
        case .html: text = report.html(files: files, configuration: configuration)
        }
        writeReport(text, to: output, fail: fail)
    }

    private func fail(_ message: String) -> Never {
        let text = message.hasPrefix("error: ") ? message : "error: " + message
        printError(text)
        Foundation.exit(1)
    }
}

enum ReplayOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case html
}

enum ReplayAlignmentArgument: String, ExpressibleByArgument, CaseIterable {
    case prometheus
    case start

    var alignment: ReplayAlignment {
        switch self {
        case .prometheus: .prometheus
        case .start: .start
        }
    }
}

extension ReadOnlyDB {
    /// The oldest sample time of the data, when there is any.
    var minTime: Int64? {
        var oldest: Int64?
        for block in blocks { oldest = min(oldest ?? .max, block.meta.minTime) }
        if let head, head.minTime != .max { oldest = min(oldest ?? .max, head.minTime) }
        return oldest
    }
}
