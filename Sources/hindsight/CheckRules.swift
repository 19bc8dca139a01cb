import ArgumentParser
import Foundation
import Rules

/// `hindsight check rules`: load rule files with all of Prometheus's validation and lint
/// them, printing what `promtool check rules` prints.
struct CheckRules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check rule files (recording and alerting rules), as promtool check rules does.",
        discussion: """
            For each FILE (standard input without one) prints 'Checking FILE' and then the \
            number of rules found (SUCCESS), or FAILED and every problem, to standard error, as \
            FILE:LINE:COLUMN: MESSAGE — YAML syntax, unknown fields, wrong types, durations, \
            names, PromQL and template errors, placed at the offending character. Lint: \
            duplicate rules (same name and labels) are reported as a failure that only \
            changes the exit status with --lint-fatal. Exit status: 1 if a file has errors, \
            3 for lint findings with --lint-fatal, 0 otherwise.
            """
    )

    @Option(name: .long, help: "Lint checks, comma-separated: all, duplicate-rules, none.")
    var lint: String = "duplicate-rules"

    @Flag(name: .long, help: "Make lint findings exit with status 3.")
    var lintFatal = false

    @Flag(name: .long, help: "Ignore unknown fields in rule files (strict by default).")
    var ignoreUnknownFields = false

    @Option(name: .long, parsing: .singleValue,
            help: "Enable a PromQL feature, as Prometheus's flag does: promql-experimental-functions, promql-duration-expr.")
    var enableFeature: [String] = []

    @Argument(help: "The rule files to check; standard input without one.")
    var files: [String] = []

    func run() throws {
        let lintDuplicates = lintSettings()
        var options = RuleFileLoader.Options(ignoreUnknownFields: ignoreUnknownFields)
        for feature in enableFeature.flatMap({ $0.split(separator: ",") }) {
            switch feature {
            case "promql-experimental-functions", "promql-duration-expr": options.experimentalPromQL = true
            default: print("WARNING: unknown feature \(feature)")
            }
        }
        var failed = false
        var hasErrors = false
        let inputs: [String?] = files.isEmpty ? [nil] : files
        for input in inputs {
            let outcome = check(input, options: options, lintDuplicates: lintDuplicates)
            failed = failed || outcome.failed
            hasErrors = hasErrors || outcome.hasErrors
        }
        if failed && hasErrors { throw ExitCode(1) }
        if failed && lintFatal { throw ExitCode(3) }
    }

    /// Whether to lint duplicate rules; unknown names are warned about, as promtool does.
    private func lintSettings() -> Bool {
        var duplicates = false
        for setting in lint.split(separator: ",", omittingEmptySubsequences: false) {
            switch setting {
            case "all", "duplicate-rules": duplicates = true
            case "none": break
            default: print("WARNING: unknown lint option \(setting)")
            }
        }
        return duplicates
    }

    /// Checks one file (nil: standard input) and prints its report.
    private func check(_ path: String?, options: RuleFileLoader.Options, lintDuplicates: Bool) -> (failed: Bool, hasErrors: Bool) {
        print("Checking \(path ?? "standard input")")
        defer { print() }
        let file: RuleFile
        do throws(RuleFileError) {
            if let path {
                file = try RuleFileLoader.load(path: path, options: options)
            } else {
                let bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
                file = try RuleFileLoader.parse(bytes, path: "<stdin>", options: options)
            }
        } catch {
            report(failures: error.diagnostics.map(\.description))
            return (true, true)
        }
        if lintDuplicates {
            let duplicates = RuleFileLint.duplicateRules(in: file)
            if !duplicates.isEmpty {
                report(failures: ["lint error " + RuleFileLint.duplicateRulesMessage(duplicates)])
                return (true, false)
            }
        }
        print("  SUCCESS: \(file.groups.reduce(0) { $0 + $1.rules.count }) rules found")
        return (false, false)
    }

    private func report(failures: [String]) {
        // Keep the order of both streams on a terminal.
        fflush(nil)
        printError("  FAILED:")
        for failure in failures { printError(failure) }
    }
}
