import PromQL
import ArgumentParser
import Foundation
import Model
import PromQLTest
import Rules

/// `hindsight test rules FILE...`: rule unit tests, as `promtool test rules` runs them.
struct TestRules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Run rule unit-test files (promtool's 'test rules' format).",
        discussion: """
            For each file prints 'Unit Testing:  FILE', then '  SUCCESS', or '  FAILED:' and the \
            failures on standard error (expected and got, in promtool's words). Exits with status \
            1 when any test fails. Input series use promqltest's notation (a+bxn, a-bxn, _, _xn, \
            stale); PromQL and rule semantics are Prometheus 3's.
            """
    )

    @Argument(help: "The unit-test files (YAML).")
    var files: [String]

    @Option(name: .customLong("run"), help: "Only run test groups whose name matches this regular expression (repeatable).")
    var runPatterns: [String] = []

    @Option(help: "Write JUnit XML results to this file.")
    var junit: String?

    @Flag(help: "Ignore unknown fields in rule files.")
    var ignoreUnknownFields = false

    @Option(help: "Comma-separated features to enable (promql-experimental-functions).")
    var enableFeature: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one test file.") }
    }

    func run() throws {
        var experimental = false
        for feature in enableFeature.flatMap({ $0.split(separator: ",") }) {
            switch feature.trimmingCharacters(in: .whitespaces) {
            case "promql-experimental-functions": experimental = true
            case "": break
            default: FileHandle.standardError.write(Data("  WARNING: Unknown option for --enable-feature: \(feature)\n".utf8))
            }
        }
        let runner: RuleTestRunner
        do {
            runner = try RuleTestRunner(
                options: RuleTestRunner.Options(run: runPatterns, ignoreUnknownFields: ignoreUnknownFields, experimentalPromQL: experimental),
                readSeries: RuleTestRunner.seriesNotationReader)
        } catch {
            throw ValidationError("--run: \(error)")
        }

        var reports: [RuleTestFileReport] = []
        for file in files {
            Self.out("Unit Testing:  \(file)\n")
            let report = runner.run(path: file)
            for warning in report.warnings { Self.err(warning + "\n") }
            if report.succeeded {
                Self.out("  SUCCESS\n")
            } else {
                Self.err("  FAILED:\n")
                for failure in report.failures {
                    Self.err(failure + "\n")
                    Self.out("\n")
                }
            }
            Self.out("\n")
            reports.append(report)
        }
        if let junit {
            do {
                try Data(JUnitReport.xml(reports).utf8).write(to: URL(fileURLWithPath: junit))
            } catch {
                Self.err("failed to write JUnit XML: \(error.localizedDescription)\n")
            }
        }
        if reports.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
    }

    private static func out(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
    private static func err(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
