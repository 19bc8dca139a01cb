import Model
import PromQLTest
import Testing
@testable import PromQL

/// Prometheus 3's experimental `anchored` and `smoothed` selector modifiers
/// (`extended_vectors.test` in the corpus covers the float cases end to end; these pin the
/// parser, the printer and the window arithmetic).
@Suite struct ExtendedRangeTests {
    typealias F = FunctionFixtures

    static func selector(_ query: String) throws -> VectorSelector? {
        var expr = try PromQLParser.parse(query).unparenthesized
        if case .call(let call) = expr { expr = call.args[0] }
        switch expr {
        case .vectorSelector(let vs): return vs
        case .matrixSelector(let ms): return ms.vectorSelector
        default: return nil
        }
    }

    @Test(arguments: [
        ("rate(x[5m] anchored)", true, false),
        ("rate(x[5m] smoothed)", false, true),
        ("x smoothed", false, true),
        ("x anchored", true, false),
        ("x @ 100 smoothed offset 1m", false, true),
        ("x[5m] offset 1m anchored", true, false),
        ("anchored", false, false),
        ("smoothed{a=\"b\"}[1m] smoothed", false, true),
    ])
    func parsesModifiers(query: String, anchored: Bool, smoothed: Bool) throws {
        let vs = try #require(try Self.selector(query))
        #expect(vs.anchored == anchored && vs.smoothed == smoothed, "\(query)")
    }

    @Test(arguments: [
        ("rate(x[5m] anchored)", "rate(x[5m] anchored)"),
        ("x[5m] offset 1m anchored", "x[5m] anchored offset 1m"),
        ("x[5m] @ 10 smoothed", "x[5m] smoothed @ 10.000"),
        ("x offset -100s smoothed", "x smoothed offset -1m40s"),
        ("x smoothed @ 100", "x @ 100.000 smoothed"),
    ])
    func printsModifiers(query: String, printed: String) throws {
        let expr = try PromQLParser.parse(query)
        #expect(expr.description == printed)
        #expect(try PromQLParser.parse(printed).withoutPositions == expr.withoutPositions)
    }

    @Test(arguments: [
        ("foo anchored", "anchored modifier is experimental and not enabled", 0, 3),
        ("rate(foo[5m] smoothed)", "smoothed modifier is experimental and not enabled", 5, 12),
    ])
    func needsTheExperimentalFlag(query: String, message: String, start: Int, end: Int) {
        let error = parseError(query, experimental: false)
        #expect(error?.message == message)
        #expect(error?.position == PositionRange(start: start, end: end))
    }

    // MARK: Window arithmetic

    /// A window of `samples` (seconds, values) at `at` over `range`, with the samples a 5m
    /// lookback around it as the engine hands them over.
    static func window(_ samples: [(Double, Double)], at: Double, range: Double, anchored: Bool = false, smoothed: Bool = false) -> RangeWindow {
        let end = Int64(at * 1000)
        let start = end - Int64(range * 1000)
        let lower = start - 300_000
        let upper = smoothed ? end + 300_000 : end
        let inside = samples.map { Sample(timestamp: Int64($0.0 * 1000), value: $0.1) }
            .filter { $0.timestamp > lower && $0.timestamp <= upper }
        return RangeWindow(samples: inside[...], rangeStart: start, rangeEnd: end, anchored: anchored, smoothed: smoothed)
    }

    /// 1, 2, 3 at 0s, 15s, 30s; 10 at 45s (a jump), 11 at 60s.
    static let counter: [(Double, Double)] = [(0, 1), (15, 2), (30, 3), (45, 10), (60, 11)]

    @Test(arguments: [
        // name, at, range, anchored, expected
        ("increase", 30.0, 30.0, true, 2.0 as Double?),  // 3 − 1 (anchor at 0s)
        ("increase", 20, 10, true, 1),  // 2 − 1 (anchor at 0s)
        ("increase", 50, 60, true, 9),  // 10 − 1
        ("rate", 50, 60, true, 0.15),
        ("delta", 75, 30, true, 1),  // 11 − 10 (anchor at 45s)
        ("increase", 5, 10, true, 0),  // one sample, its own anchor
        ("increase", 90, 10, true, nil),  // nothing after the start
        ("increase", 50, 60, false, 9.333333333333334),  // smoothed: 10.333… − 1
        ("increase", 22.5, 15, false, 1),  // 2.5 − 1.5
        ("rate", 22.5, 15, false, 1.0 / 15),
    ] as [(String, Double, Double, Bool, Double?)])
    func extendedRates(name: String, at: Double, range: Double, anchored: Bool, expected: Double?) {
        let w = Self.window(Self.counter, at: at, range: range, anchored: anchored, smoothed: !anchored)
        var context = F.context(at: at)
        let value = RangeFunctions.evaluate(name, window: w, scalarArgs: [], context: &context)
        #expect(close(value, expected, relative: 1e-12), "\(name) at \(at) over \(range): \(String(describing: value))")
    }

    /// Resets: the value before each drop is added back, at the edges through the
    /// interpolation (a smoothed counter restarts from zero between the samples around a drop).
    @Test func countersResetInsideAndAtTheEdges() {
        let samples: [(Double, Double)] = [(0, 5), (10, 10), (20, 3), (30, 6)]
        var context = F.context()
        // Anchored (0s, 30s]: 6 − 5 + 10 (the drop 10 → 3).
        let anchored = Self.window(samples, at: 30, range: 30, anchored: true)
        #expect(RangeFunctions.evaluate("increase", window: anchored, scalarArgs: [], context: &context) == 11)
        #expect(RangeFunctions.evaluate("delta", window: anchored, scalarArgs: [], context: &context) == 1)
        // Smoothed (5s, 15s]: left 7.5, right 0 + 3 × 0.5 = 1.5 across the reset, plus 10.
        let smoothed = Self.window(samples, at: 15, range: 10, smoothed: true)
        #expect(RangeFunctions.evaluate("increase", window: smoothed, scalarArgs: [], context: &context) == 4)
        #expect(close(RangeFunctions.evaluate("rate", window: smoothed, scalarArgs: [], context: &context), 0.4, relative: 1e-12))
        // delta interpolates as a gauge: 6.5 − 7.5.
        #expect(RangeFunctions.evaluate("delta", window: smoothed, scalarArgs: [], context: &context) == -1)
    }

    @Test func anchoredChangesAndResets() {
        let samples: [(Double, Double)] = [(0, 3), (60, 2), (120, 4), (180, 5)]
        var context = F.context()
        // (60s, 180s] anchored at 60s: 2 4 5.
        let anchored = Self.window(samples, at: 180, range: 120, anchored: true)
        #expect(RangeFunctions.evaluate("changes", window: anchored, scalarArgs: [], context: &context) == 2)
        #expect(RangeFunctions.evaluate("resets", window: anchored, scalarArgs: [], context: &context) == 0)
        let plain = F.window(samples.map { Sample(timestamp: Int64($0.0 * 1000), value: $0.1) }, at: 180, range: 120)
        #expect(RangeFunctions.evaluate("changes", window: plain, scalarArgs: [], context: &context) == 1)
        // (30s, 180s] anchored at 0s: 3 2 4 5.
        let wider = Self.window(samples, at: 180, range: 150, anchored: true)
        #expect(RangeFunctions.evaluate("changes", window: wider, scalarArgs: [], context: &context) == 3)
        #expect(RangeFunctions.evaluate("resets", window: wider, scalarArgs: [], context: &context) == 1)
        // No sample after the start: no result, even with an anchor.
        let empty = Self.window(samples, at: 240, range: 50, anchored: true)
        #expect(RangeFunctions.evaluate("changes", window: empty, scalarArgs: [], context: &context) == nil)
    }

    @Test func rangeSelectorResultsGetBoundaryPoints() {
        let samples = [(0.0, 1.0), (10, 2), (20, 3), (30, 4)].map { Sample(timestamp: Int64($0.0 * 1000), value: $0.1) }
        // Anchored selectors read up to the window's end; smoothed ones past it.
        let anchored = Rates.extendedBoundaries(Array(samples.prefix(3)), rangeStart: 5000, rangeEnd: 25000, smoothed: false)
        #expect(anchored.map(\.timestamp) == [5000, 10000, 20000, 25000])
        #expect(anchored.map(\.value) == [1, 2, 3, 3])
        let smoothed = Rates.extendedBoundaries(samples, rangeStart: 5000, rangeEnd: 25000, smoothed: true)
        #expect(smoothed.map(\.value) == [1.5, 2, 3, 3.5])
        #expect(Rates.extendedBoundaries(samples, rangeStart: 30000, rangeEnd: 40000, smoothed: false).isEmpty)
    }

    // MARK: Engine

    static func run(_ script: String) -> FileReport {
        PromQLTestRunner(skipList: .none).run(source: script, path: "extended.test")
    }

    @Test func engine() {
        let report = Self.run("""
            load 10s
              m 0+10x10
              g 1 _ _ 4

            eval instant at 25s m smoothed
              m 25

            eval instant at 25s g smoothed
              g 3.5

            eval instant at 35s increase(m[20s] anchored)
              {} 20

            eval range from 10s to 30s step 10s rate(m[10s] smoothed)
              {} 1 1 1

            eval instant at 35s (increase((m[20s] anchored)))
              {} 20

            eval instant at 35s sum_over_time(m[20s] anchored)
              expect fail msg: anchored modifier can only be used with: changes, delta, increase, rate, resets - not with sum_over_time

            eval instant at 35s absent_over_time(m[20s] smoothed)
              expect fail msg: smoothed modifier can only be used with: delta, increase, rate - not with absent_over_time

            eval instant at 35s resets(nothing[20s] smoothed)
              expect fail msg: smoothed modifier can only be used with: delta, increase, rate - not with resets
            """)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed == 8)
    }
}
