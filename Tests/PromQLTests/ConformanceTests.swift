import Foundation
import PromQLTest
import TestSupport
import Testing

/// Prometheus's own PromQL test scripts (`../shared/conformance/promqltest/*.test`), run by
/// the promqltest runner against Hindsight's engine.
///
/// Cases listed in `KnownFailures.txt` (`FILE:LINE` per line) are recorded as known issues,
/// so the suite stays green while the engine grows and turns red on any other failure (a
/// regression, or a new case). Regenerate the list after engine work with
/// `HINDSIGHT_UPDATE_KNOWN_FAILURES=1 swift test --filter PromQLTests.Conformance`.
@Suite struct ConformanceTests {
    static let knownFailuresFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("KnownFailures.txt")

    static func knownFailures() -> Set<String> {
        guard let text = try? String(contentsOf: knownFailuresFile, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    @Test func promqltestScripts() async throws {
        guard Conformance.shouldRun else { return }
        let directory = Conformance.url("promqltest")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".test") }.sorted()
        try #require(!files.isEmpty, "no .test files in \(directory.path)")

        let runner = PromQLTestRunner()
        let reports = await withTaskGroup(of: (String, FileReport).self) { group in
            for file in files {
                group.addTask { (file, runner.run(path: directory.appendingPathComponent(file).path)) }
            }
            var out: [(String, FileReport)] = []
            for await item in group { out.append(item) }
            return out.sorted { $0.0 < $1.0 }
        }

        let known = Self.knownFailures()
        var unexpected: [String] = []
        var expected: [String] = []
        var failing: [String] = []
        var passed = 0, skipped = 0
        for (file, report) in reports {
            passed += report.passed
            skipped += report.skipped
            for failure in report.failures {
                let key = "\(file):\(failure.line)"
                failing.append(key)
                if known.contains(key) {
                    expected.append("\(key): \(failure.message)")
                } else {
                    unexpected.append("\(key): \(failure.message)")
                }
            }
        }
        // Skip-list entries must name corpus files; a skipped file that would pass is worth a
        // note (its feature has landed: remove the entry).
        for entry in SkipList.conformance.entries {
            let file = files.first { $0 == entry.file || $0 == entry.file + ".test" }
            guard let file else {
                Issue.record("the skip list names \(entry.file), which is not in \(directory.path)")
                continue
            }
            if entry.line == nil {
                let unskipped = PromQLTestRunner(skipList: .none).run(path: directory.appendingPathComponent(file).path)
                // (Native-histogram evals stay skipped either way; a file that is mostly those
                // gains little from running.)
                if unskipped.failed == 0, unskipped.passed >= unskipped.skipped {
                    print("promqltest: \(file) is skipped, but all \(unskipped.passed) of its runnable evals pass; remove it from SkipList.conformance")
                }
            }
        }

        let nowPassing = known.subtracting(failing)
        print("promqltest: \(passed) passed, \(failing.count) failed (\(expected.count) known), \(skipped) skipped")
        if !nowPassing.isEmpty {
            print("promqltest: \(nowPassing.count) cases of KnownFailures.txt pass now; regenerate the list")
        }

        if ProcessInfo.processInfo.environment["HINDSIGHT_UPDATE_KNOWN_FAILURES"] == "1" {
            let header = """
                # promqltest cases (FILE:LINE) that fail with the current engine; ConformanceTests records
                # them as known issues. Regenerate: HINDSIGHT_UPDATE_KNOWN_FAILURES=1 swift test --filter PromQLTests.Conformance

                """
            try (header + failing.joined(separator: "\n") + (failing.isEmpty ? "" : "\n")).write(to: Self.knownFailuresFile, atomically: true, encoding: .utf8)
            print("promqltest: wrote \(failing.count) cases to \(Self.knownFailuresFile.path)")
            return
        }
        if !expected.isEmpty {
            withKnownIssue("\(expected.count) promqltest cases listed in KnownFailures.txt fail") {
                Issue.record(Comment(rawValue: expected.prefix(20).joined(separator: "\n") + (expected.count > 20 ? "\n…" : "")))
            }
        }
        if !unexpected.isEmpty {
            Issue.record(Comment(rawValue: "\(unexpected.count) promqltest cases fail that are not in KnownFailures.txt:\n" + unexpected.joined(separator: "\n")))
        }
    }
}
