import Foundation
import Model
import PromQL
import TSDB
import TestSupport
import Testing
@testable import PromQLTest

/// A tiny engine for testing the runner itself (not PromQL): numbers, strings, `time()`,
/// plain selectors with a 5m lookback and `@`, and `fail…` queries that throw. Switches make
/// it misbehave the ways the runner's extra checks must catch.
struct FakeEngine: PromQLTestEngine {
    /// Evaluates selectors at the query time even when they carry `@` (breaks step invariance).
    var ignoresAt = false
    /// Range queries add 1 to every value (breaks the range-mode check).
    var rangeDiffers = false

    func parseQuery(_ query: String) throws(QueryError) -> Expr {
        let position = PositionRange(start: 0, end: query.utf8.count)
        if query.hasPrefix("bad") {
            throw .parse(ParseError(position: PositionRange(start: 3, end: 4), message: "unexpected end of input", query: query))
        }
        if let v = Double(query) { return .number(NumberLiteral(value: v, position: position)) }
        if query.hasPrefix("\"") { return .string(StringLiteral(value: String(query.dropFirst().dropLast()), position: position)) }
        if query == "time()" { return .call(Call(function: Function.named("time")!, args: [], position: position)) }
        do {
            let matchers = try SeriesSelector.parse(query.hasPrefix("fail") ? "fail" : query)
            return .vectorSelector(VectorSelector(name: nil, matchers: matchers, position: position))
        } catch {
            throw .parse(ParseError(position: position, message: error.message, query: query))
        }
    }

    func evaluateInstant(_ expr: Expr, query: String, at time: Int64, on queryable: any Queryable) throws(QueryError) -> QueryResult {
        if query.hasPrefix("fail") { throw .execution("boom: \(query)") }
        switch expr {
        case .number(let n): return QueryResult(value: .scalar(timestamp: time, value: n.value))
        case .string(let s): return QueryResult(value: .string(timestamp: time, value: s.value))
        case .call: return QueryResult(value: .scalar(timestamp: time, value: Double(time) / 1000))
        case .vectorSelector(let vs):
            var ref = time
            if !ignoresAt, case .timestamp(let at) = vs.at { ref = at }
            var vector: Vector = []
            var annotations = Annotations()
            do {
                let querier = try queryable.querier(mint: ref - 300_000 + 1, maxt: ref)
                var set = try querier.select(vs.matchers, hints: nil)
                while let series = try set.next() {
                    var iterator = series.makeIterator()
                    var last: Sample?
                    while let s = try iterator.next(), s.timestamp <= ref {
                        if s.timestamp > ref - 300_000 { last = s }
                    }
                    if let last, !StaleMarker.isStale(last.value) {
                        vector.append(VectorSample(labels: series.labels, timestamp: time, value: last.value))
                    }
                    if series.labels.metricName == "warned" { annotations.warn("PromQL warning: careful (1:1)") }
                }
            } catch {
                throw .storage("\(error)")
            }
            return QueryResult(value: .vector(vector), annotations: annotations)
        default:
            throw .execution("the fake engine does not evaluate \(query)")
        }
    }

    func evaluateRange(_ expr: Expr, query: String, start: Int64, end: Int64, step: Int64, on queryable: any Queryable) throws(QueryError) -> QueryResult {
        var series: [Labels: [Sample]] = [:]
        var annotations = Annotations()
        var t = start
        while t <= end {
            let result = try evaluateInstant(expr, query: query, at: t, on: queryable)
            annotations.merge(result.annotations)
            let bump = rangeDiffers ? 1.0 : 0
            switch result.value {
            case .scalar(_, let v): series[.empty, default: []].append(Sample(timestamp: t, value: v + bump))
            case .vector(let vector):
                for s in vector { series[s.labels, default: []].append(Sample(timestamp: t, value: s.value + bump)) }
            default: throw .execution("invalid expression type for range query")
            }
            t += step
        }
        let matrix = series.map { MatrixSeries(labels: $0.key, samples: $0.value) }.sorted { $0.labels < $1.labels }
        return QueryResult(value: .matrix(matrix), annotations: annotations)
    }
}

@Suite struct ScriptRunnerTests {
    static func run(_ text: String, engine: FakeEngine = FakeEngine(), skipList: SkipList = .none, path: String = "t.test") -> FileReport {
        PromQLTestRunner(engine: engine, skipList: skipList).run(source: text, path: path)
    }

    static func outcomes(_ report: FileReport) -> [Int: CaseResult.Outcome] {
        Dictionary(report.cases.map { ($0.line, $0.outcome) }, uniquingKeysWith: { a, _ in a })
    }

    static let basic = """
        load 1m
          x{a="1"} 1+1x10
          x{a="2"} 5 _ stale 7
          warned 1

        eval instant at 2m x
          x{a="1"} 3

        eval instant at 3m x
          x{a="1"} 4
          x{a="2"} 7

        eval range from 0 to 3m step 1m x
          x{a="1"} 1 2 3 4
          x{a="2"} 5 5 _ 7

        eval instant at 1m 42
          42

        eval instant at 1m "Foo"
          expect string "Foo"

        eval instant at 90s time()
          90

        eval instant at 0 fail_please
          expect fail msg: boom: fail_please

        eval_fail instant at 0 fail_again
          expected_fail_regexp boom

        eval instant at 0 warned
          expect warn msg: PromQL warning: careful (1:1)
          warned 1

        eval instant at 0 warned
          warned 1
        """

    @Test func passingScript() {
        let report = Self.run(Self.basic)
        #expect(report.error == nil)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed == 10)
        #expect(report.failed == 0 && report.skipped == 0)
    }

    @Test func failuresNameTheLineAndWhatDiffered() {
        let report = Self.run("""
            load 1m
              x 1+1x5
              warned 1

            eval instant at 2m x
              x 4

            eval instant at 0 x
              expect fail

            eval instant at 0 fail_now

            eval instant at 0 fail_now
              expect fail msg: another message

            eval instant at 0 bad(
              x 1

            eval instant at 0 warned
              expect no_warn
              warned 1

            eval range from 0 to 1m step 1m x
              x 1 2 3
            """)
        let o = Self.outcomes(report)
        #expect(o[5] == .failed("expected 4 for x, got 3"))
        #expect(o[8] == .failed("expected the query to fail, but it succeeded"))
        #expect(o[11] == .failed("the query failed: boom: fail_now"))
        #expect(o[13] == .failed("expected an error matching message \"another message\", got \"boom: fail_now\""))
        #expect(o[16] == .failed("the query does not parse: 1:4: parse error: unexpected end of input"))
        #expect(o[19] == .failed("unexpected warning: \"PromQL warning: careful (1:1)\""))
        #expect(o[23] == .failed("expected 3 points for x, but the query's time range cannot return this many"))
        #expect(report.failed == 7 && report.passed == 0)
    }

    @Test func parseErrorsSatisfyExpectFail() {
        let report = Self.run("eval instant at 0 bad(\n  expect fail regex: parse error\n")
        #expect(Self.outcomes(report)[1] == .passed)
    }

    @Test func stepInvarianceCatchesIgnoredAt() {
        let script = "load 1m\n  x 1+1x100\n\neval instant at 10m x\n  x 11\n"
        #expect(Self.run(script).failures.isEmpty)
        let report = Self.run(script, engine: FakeEngine(ignoresAt: true))
        guard case .failed(let message) = Self.outcomes(report)[4] else { Issue.record("expected a failure"); return }
        #expect(message.hasSuffix("[step invariance: @ 10m added, evaluated at -1h40m]"), "\(message)")
        // time() is time-dependent: no @ runs, so the broken @ handling is not exercised.
        let time = Self.run("eval instant at 10m time()\n  600\n", engine: FakeEngine(ignoresAt: true))
        #expect(time.failures.isEmpty)
    }

    @Test func rangeModeCheck() {
        let report = Self.run("load 1m\n  x 1+1x10\n\neval instant at 5m x\n  x 6\n", engine: FakeEngine(rangeDiffers: true))
        #expect(Self.outcomes(report)[4] == .failed("expected 6 for x, got 7 [range mode]"))
        // Ordered evals, strings and query-parameter functions skip the range run.
        let ordered = Self.run("load 1m\n  x 1+1x10\n\neval instant at 5m x\n  expect ordered\n  x 6\n", engine: FakeEngine(rangeDiffers: true))
        #expect(ordered.failures.isEmpty)
    }

    @Test func nativeHistogramsAreSkippedWithReasons() {
        let report = Self.run("""
            load 1m
              plain 1 2 3
              hist {{schema:0 sum:1 count:1}}x2
              mixed 1 {{count:1}} 3

            eval instant at 1m plain
              plain 2

            eval instant at 1m hist

            eval instant at 1m {__name__=~".+"}

            eval instant at 1m mixed

            eval instant at 1m plain
              plain {{count:1}}

            eval instant at 1m bad(hist

            clear
            load 1m
              hist 5

            eval instant at 0 hist
              hist 5
            """)
        let o = Self.outcomes(report)
        #expect(o[6] == .passed)
        #expect(o[9] == .skipped(.nativeHistograms("the query selects hist (line 3), which has native-histogram samples")))
        #expect(o[11] == .skipped(.nativeHistograms("the query selects hist (line 3), which has native-histogram samples")))
        #expect(o[13] == .skipped(.nativeHistograms("the query selects mixed (line 4), which has native-histogram samples")))
        #expect(o[15] == .skipped(.nativeHistograms("the expected result contains native histograms")))
        #expect(o[18] == .skipped(.nativeHistograms("the query selects hist (line 3), which has native-histogram samples")))
        #expect(o[24] == .passed)
        #expect(report.passed == 2 && report.skipped == 5 && report.failed == 0)
    }

    @Test func loadWithNHCBLoadsTheFloatsAndSkipsTheDerivedHistograms() {
        let report = Self.run("""
            load_with_nhcb 1m
              h_bucket{le="1"} 1 2
              h_bucket{le="+Inf"} 2 4
              h_count 2 4
              h_sum 3 6

            eval instant at 1m h_bucket
              h_bucket{le="1"} 2
              h_bucket{le="+Inf"} 4

            eval instant at 1m h
            """)
        let o = Self.outcomes(report)
        #expect(o[7] == .passed)
        #expect(o[11] == .skipped(.nativeHistograms("the query selects h (line 2), which has native-histogram samples")))
    }

    @Test func skipList() {
        let skips = SkipList(entries: [
            SkipList.Entry(file: "t", line: 4, reason: "not yet"),
            SkipList.Entry(file: "whole.test", reason: "experimental"),
        ])
        let report = Self.run("load 1m\n  x 1\n\neval instant at 0 x\n  x 2\n\neval instant at 0 x\n  x 1\n", skipList: skips)
        #expect(Self.outcomes(report)[4] == .skipped(.skipList("not yet")))
        #expect(Self.outcomes(report)[7] == .passed)
        #expect(skips.fileEntry(for: "/a/b/whole.test")?.reason == "experimental")
        #expect(skips.fileEntry(for: "/a/b/t.test") == nil)
    }

    @Test func skippedFilesCountTheirEvals() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/info.test"
        try "load 1m\n  x 1\n\neval instant at 0 x\n  x 1\n\n  eval range from 0 to 1m step 1m x\n".write(toFile: path, atomically: true, encoding: .utf8)
        let skips = SkipList(entries: [.init(file: "info", reason: "experimental")])
        let report = PromQLTestRunner(engine: FakeEngine(), skipList: skips).run(path: path)
        #expect(report.skippedFile?.file == "info")
        #expect(report.cases.map(\.line) == [4, 7])
        #expect(report.skipped == 2 && report.failed == 0)
    }

    @Test func loadErrorsAreFailures() {
        let report = Self.run("load 1m\n  x 1 2 3\n\nload 1m\n  x 9\n\neval instant at 2m x\n  x 3\n")
        let o = Self.outcomes(report)
        guard case .failed(let message) = o[4] else { Issue.record("expected a load failure"); return }
        #expect(message.hasPrefix("load failed: line 5: "), "\(message)")
        #expect(o[7] == .passed)
    }

    @Test func malformedAndUnreadableFiles() {
        let report = Self.run("load 1m\n  x 1\n\nbogus\n")
        #expect(report.error == ScriptError(line: 4, message: "invalid command \"bogus\""))
        #expect(report.failed == 1)
        #expect(report.failures.first?.message == "error: invalid command \"bogus\"")
        let missing = PromQLTestRunner(engine: FakeEngine(), skipList: .none).run(path: "/nonexistent/x.test")
        #expect(missing.failed == 1)
        #expect(missing.error?.message.hasPrefix("cannot read the file") == true)
    }

    @Test func skipListFiles() throws {
        let list = try SkipList.parse("# experimental\ninfo.test the info function\nfunctions.test:12  not yet\n\n")
        #expect(list.entries == [
            SkipList.Entry(file: "info.test", reason: "the info function"),
            SkipList.Entry(file: "functions.test", line: 12, reason: "not yet"),
        ])
        #expect(throws: ScriptError(line: 1, message: "expected 'FILE[:LINE] REASON'")) { try SkipList.parse("lonely\n") }
    }
}
