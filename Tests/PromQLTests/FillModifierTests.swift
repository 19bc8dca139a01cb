import Model
import PromQLTest
import Testing
@testable import PromQL

/// Prometheus 3's experimental `fill`, `fill_left`, `fill_right` binary-operator modifiers
/// (`fill-modifier.test` in the corpus covers the common cases; these pin the parser, the
/// printer and the corners the corpus leaves out).
@Suite struct FillModifierTests {
    static func matching(_ query: String) throws -> VectorMatching? {
        guard case .binary(let binary) = try PromQLParser.parse(query).unparenthesized else { return nil }
        return binary.matching
    }

    @Test(arguments: [
        ("a + fill(0) b", 0.0, 0.0),
        ("a + fill_left(5) b", 5, nil),
        ("a + fill_right(-7) b", nil, -7),
        ("a + fill_left(5) fill_right(7) b", 5, 7),
        ("a + fill_right(7) fill_left(5) b", 5, 7),
        ("a + on(x) group_left(y) fill(+1.5) b", 1.5, 1.5),
        ("a == bool ignoring(x) fill_right(1) b", nil, 1),
        ("a > FILL(-Inf) b", -.infinity, -.infinity),
        ("fill + fill(1) fill", 1, 1),
    ] as [(String, Double?, Double?)])
    func parsesFillValues(query: String, lhs: Double?, rhs: Double?) throws {
        let fill = try #require(try Self.matching(query)).fill
        #expect(fill == FillValues(lhs: lhs, rhs: rhs), "\(query)")
    }

    @Test func parsesNaN() throws {
        let fill = try #require(try Self.matching("a + fill(NaN) b")).fill
        #expect(fill.lhs?.isNaN == true && fill.rhs?.isNaN == true)
        #expect(fill == FillValues(lhs: .nan, rhs: .nan))
    }

    @Test(arguments: [
        ("a + fill(0) b", "a + fill (0) b"),
        ("a + fill_left(5) fill_right(7) b", "a + fill_left (5) fill_right (7) b"),
        ("a + fill_right(1e6) b", "a + fill_right (1e+06) b"),
        ("a + on(x) group_left fill(NaN) b", "a + on (x) group_left () fill (NaN) b"),
        ("a - ignoring(x) fill(-Inf) b", "a - ignoring (x) fill (-Inf) b"),
        ("a < bool fill_left(2) b", "a < bool fill_left (2) b"),
    ])
    func printsFill(query: String, printed: String) throws {
        let expr = try PromQLParser.parse(query)
        #expect(expr.description == printed)
        #expect(try PromQLParser.parse(printed).withoutPositions == expr.withoutPositions)
    }

    @Test func needsTheExperimentalFlag() {
        let error = parseError("a + fill(0) b", experimental: false)
        #expect(error?.message == "binop fill modifiers are experimental and not enabled")
        #expect(error?.position == PositionRange(start: 0, end: 13))
        #expect(parseError("a + fill(b) c")?.message == #"unexpected identifier "b" in fill modifier, expected number"#)
        #expect(parseError("a + fill(1 c")?.message == #"unexpected identifier "c" in fill modifier, expected ")""#)
    }

    static func run(_ script: String) -> FileReport {
        PromQLTestRunner(skipList: .none).run(source: script, path: "fill.test")
    }

    /// Engine corners: a pair a comparison filters away still counts as matched (no filled
    /// left side for it); `group_right` keeps `fill_left` for the "many" side, as Prometheus
    /// does after swapping the sides; duplicates on the filled side fail as unfilled ones do;
    /// an empty side is filled entirely.
    @Test func engineCorners() {
        let report = Self.run("""
            load 5m
              a{k="1"} 1
              a{k="2"} 2
              b{k="1"} 5
              b{k="3"} 7
              one{g="x"} 10
              many{g="x", i="1"} 1
              many{g="y", i="2"} 2
              dup{k="9", j="1"} 1
              dup{k="9", j="2"} 2

            eval instant at 0m a == fill(5) b

            eval instant at 0m a == bool fill(5) b
              {k="1"} 0
              {k="2"} 0
              {k="3"} 0

            eval instant at 0m a - fill_left(10) b
              {k="1"} -4
              {k="3"} 3

            eval instant at 0m a / on(k) fill_right(2) b
              {k="1"} 0.2
              {k="2"} 1

            eval instant at 0m one * on(g) group_right fill_left(3) many
              {g="x", i="1"} 10

            eval instant at 0m one * on(g) group_right fill_right(3) many
              {g="x", i="1"} 10
              {g="y", i="2"} 6

            eval instant at 0m dup + ignoring(j) fill_right(0) b
              expect fail msg: multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)

            eval instant at 0m dup + on(k) group_left fill_right(0) b
              {k="9", j="1"} 1
              {k="9", j="2"} 2

            eval instant at 0m a + fill(1) (b and c)
              {k="1"} 2
              {k="2"} 3

            eval instant at 0m nothing + fill(1) nothing_either
            """)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed == 10)
    }

    /// Range queries fill step by step: a side present at some steps only is filled at the others.
    @Test func rangeQueriesFillPerStep() {
        let report = Self.run("""
            load 10m
              a 1 _ 3
              b _ 20 30

            eval range from 0 to 20m step 10m a + fill(0) b
              {} 1 20 33
            """)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed == 1)
    }
}
