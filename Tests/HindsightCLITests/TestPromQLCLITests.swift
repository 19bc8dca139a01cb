import Foundation
import TestSupport
import Testing

/// `hindsight test promql FILE...` as a user runs it.
struct TestPromQLCLITests {
    static func script(_ name: String, _ text: String, in dir: TemporaryDirectory) throws -> String {
        let path = dir.path + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func passingScriptExitsZero() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.script("ok.test", """
            load 1m
              up{job="a"} 1 2 3

            eval instant at 2m up
              up{job="a"} 3

            eval instant at 0 1 + 1
              2
            """, in: dir)
        let result = try CheckMetricsCLITests.hindsight(["test", "promql", path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "\(path): 2 passed, 0 failed, 0 skipped\n2 passed, 0 failed, 0 skipped\n")
    }

    @Test func failingCaseNamesFileAndLine() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.script("bad.test", """
            load 1m
              x 1

            eval instant at 0 x
              x 2

            eval instant at 0 x
              x 1
            """, in: dir)
        let result = try CheckMetricsCLITests.hindsight(["test", "promql", path])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(path):4: expected 2 for x, got 1")
        #expect(lines.last == "1 passed, 1 failed, 0 skipped")
    }

    @Test func malformedAndUnreadableFiles() throws {
        let dir = try TemporaryDirectory()
        let malformed = try Self.script("malformed.test", "load 1m\n  x 1\n\nbogus line\n", in: dir)
        let badStep = try Self.script("step.test", "load 5x\n", in: dir)
        let missing = dir.path + "/missing.test"
        let result = try CheckMetricsCLITests.hindsight(["test", "promql", malformed, badStep, missing])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(malformed):4: error: invalid command \"bogus line\"\n"))
        #expect(result.stdout.contains("\(badStep):1:6: error: invalid step definition \"5x\": not a valid duration\n"))
        #expect(result.stdout.contains("\(missing):1: error: cannot read the file"))
        #expect(result.stdout.hasSuffix("0 passed, 3 failed, 0 skipped\n"))
    }

    @Test func skipsAreReportedAndCounted() throws {
        let dir = try TemporaryDirectory()
        let skippedFile = try Self.script("native_histograms.test", "load 1m\n  x 1\n\neval instant at 0 x\n  x 1\n", in: dir)
        let hist = try Self.script("hist.test", """
            load 1m
              h {{schema:0 sum:1 count:1}}x2
              x 1

            eval instant at 1m h

            eval instant at 1m x
              x {{count:1}}

            eval instant at 1m x
              x 1
            """, in: dir)
        let result = try CheckMetricsCLITests.hindsight(["test", "promql", skippedFile, hist])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout == """
            \(skippedFile): skipped (1 eval): native histograms are not stored (the storage holds floats only)
            \(hist): 2 evals skipped: native histograms
            \(hist): 1 passed, 0 failed, 2 skipped
            1 passed, 0 failed, 3 skipped

            """)
        let verbose = try CheckMetricsCLITests.hindsight(["test", "promql", "--verbose", hist])
        #expect(verbose.stdout.contains("\(hist):5: skipped: native histograms: the query selects h (line 2), which has native-histogram samples\n"))
        #expect(verbose.stdout.contains("\(hist):7: skipped: native histograms: the expected result contains native histograms\n"))
        let all = try CheckMetricsCLITests.hindsight(["test", "promql", "--no-skip", skippedFile])
        #expect(all.stdout.hasSuffix("1 passed, 0 failed, 0 skipped\n"), "\(all.stdout)")
    }

    @Test func skipListFile() throws {
        let dir = try TemporaryDirectory()
        let path = try Self.script("t.test", "load 1m\n  x 1\n\neval instant at 0 x\n  x 2\n", in: dir)
        let list = try Self.script("skips.txt", "# known engine gaps\nt.test:4 wrong on purpose\n", in: dir)
        let result = try CheckMetricsCLITests.hindsight(["test", "promql", "--skip-list", list, path])
        #expect(result.status == 0)
        #expect(result.stdout == "\(path):4: skipped: wrong on purpose\n\(path): 0 passed, 0 failed, 1 skipped\n0 passed, 0 failed, 1 skipped\n")
        let badList = try Self.script("bad.txt", "lonely\n", in: dir)
        let bad = try CheckMetricsCLITests.hindsight(["test", "promql", "--skip-list", badList, path])
        #expect(bad.status == 1)
        #expect(bad.stderr == "\(badList):1: error: expected 'FILE[:LINE] REASON'\n")
    }

    @Test func needsFiles() throws {
        let result = try CheckMetricsCLITests.hindsight(["test", "promql"])
        #expect(result.status != 0)
    }
}
