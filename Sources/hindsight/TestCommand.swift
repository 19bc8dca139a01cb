import ArgumentParser
import Foundation
import PromQLTest

/// `hindsight test …`: run test files.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run test files (PromQL test scripts).",
        subcommands: [TestPromQL.self, TestRules.self]
    )
}

/// `hindsight test promql FILE...`: Prometheus's promqltest scripts against Hindsight's engine.
struct TestPromQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promql",
        abstract: "Run promqltest scripts (load / clear / eval), as Prometheus's own PromQL tests.",
        discussion: """
            Prints one line per failing eval (FILE:LINE: what failed), the counts of each file and \
            a last line with the totals. Exits with status 1 when any eval fails or a file is \
            malformed. Files and evals using features Hindsight lacks (experimental features, \
            native histograms) are skipped, counted and reported.
            """
    )

    @Argument(help: "The script files (.test).")
    var files: [String]

    @Flag(help: "Also run the files and evals the built-in skip list skips.")
    var noSkip = false

    @Option(help: "A skip list to use instead of the built-in one: 'FILE[:LINE] REASON' lines.")
    var skipList: String?

    @Flag(name: .shortAndLong, help: "Print every skipped eval with its reason.")
    var verbose = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one script file.") }
    }

    func run() throws {
        var skips = noSkip ? SkipList.none : SkipList.conformance
        if let path = skipList {
            do {
                skips = try SkipList.parse(try String(contentsOfFile: path, encoding: .utf8))
            } catch let error as ScriptError {
                FileHandle.standardError.write(Data("\(path):\(error.line): error: \(error.message)\n".utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("\(path): error: \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
        }
        let runner = PromQLTestRunner(skipList: skips)
        let reports = Self.runAll(files, with: runner)

        var out = BufferedOutput()
        var passed = 0, failed = 0, skipped = 0
        for report in reports {
            write(report, to: &out)
            passed += report.passed
            failed += report.failed
            skipped += report.skipped
        }
        out.write("\(passed) passed, \(failed) failed, \(skipped) skipped\n")
        out.flush()
        if failed > 0 { throw ExitCode(1) }
    }

    /// Runs the files concurrently (one engine per file), in the order given.
    static func runAll(_ files: [String], with runner: PromQLTestRunner) -> [FileReport] {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var reports: [FileReport?]
            init(_ count: Int) { reports = Array(repeating: nil, count: count) }
        }
        let results = Results(files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let report = runner.run(path: files[i])
            results.lock.withLock { results.reports[i] = report }
        }
        return results.reports.map { $0! }
    }

    private func write(_ report: FileReport, to out: inout BufferedOutput) {
        let file = report.path
        if let entry = report.skippedFile {
            out.write("\(file): skipped (\(report.skipped) eval\(report.skipped == 1 ? "" : "s")): \(entry.reason)\n")
            return
        }
        for failure in report.failures {
            let column = failure.column.map { ":\($0)" } ?? ""
            out.write("\(file):\(failure.line)\(column): \(failure.message)\n")
        }
        // Evals skipped by an explicit skip-list entry are always listed; others are
        // summarised by reason unless --verbose.
        var summarised: [String: Int] = [:]
        var order: [String] = []
        for c in report.cases {
            guard case .skipped(let reason) = c.outcome else { continue }
            if case .skipList = reason {
                out.write("\(file):\(c.line): skipped: \(reason)\n")
            } else if verbose {
                out.write("\(file):\(c.line): skipped: \(reason)\n")
            } else {
                let key: String = if case .nativeHistograms = reason { "native histograms" } else { reason.description }
                if summarised[key] == nil { order.append(key) }
                summarised[key, default: 0] += 1
            }
        }
        for key in order {
            let n = summarised[key]!
            out.write("\(file): \(n) eval\(n == 1 ? "" : "s") skipped: \(key)\n")
        }
        out.write("\(file): \(report.passed) passed, \(report.failed) failed, \(report.skipped) skipped\n")
    }
}
