import Model
import PromQLTest
import Testing
@testable import PromQL

/// Prometheus 3's experimental `info()` (`info.test` in the corpus covers the common cases;
/// these pin the corners it leaves out).
@Suite struct InfoFunctionTests {
    static func run(_ script: String) -> FileReport {
        PromQLTestRunner(skipList: .none).run(source: script, path: "info.test")
    }

    /// Identifying values with regex metacharacters select exactly their own info series, and
    /// each of several base series is joined with its own.
    @Test func identifyingValuesAreMatchedLiterally() {
        let report = Self.run("""
            load 1m
              up{instance="h.a:9090", job="x(1)"} 1 1
              up{instance="hXa:9090", job="x(1)"} 2 2
              target_info{instance="h.a:9090", job="x(1)", zone="one"} 1 1
              target_info{instance="hXa:9090", job="x(1)", zone="two"} 1 1
              target_info{instance="h.a:9090|hXa:9090", job="x(1)", zone="decoy"} 1 1

            eval range from 0 to 1m step 1m info(up)
              up{instance="h.a:9090", job="x(1)", zone="one"} 1 1
              up{instance="hXa:9090", job="x(1)", zone="two"} 2 2

            eval instant at 1m info(up, {zone="two"})
              up{instance="hXa:9090", job="x(1)", zone="two"} 2
            """)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed == 2)
    }

    /// Two series of one info metric with the same identifying labels and samples at the same
    /// time cannot be told apart.
    @Test func duplicateInfoSeriesFail() {
        let report = Self.run("""
            load 1m
              metric{instance="a", job="1"} 1
              target_info{instance="a", job="1", v="x"} 1
              target_info{instance="a", job="1", v="y"} 1

            eval instant at 0m info(metric)
              expect fail regex: found duplicate series for info metric: existing .* @ 0, new .* @ 0

            eval instant at 0m info(metric, {v="x"})
              metric{instance="a", job="1", v="x"} 1
            """)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed == 2)
    }

    /// Enrichment of aggregations and binary operations: the info series are read as of the
    /// first selector's offset; base series that turn equal after enrichment fail.
    @Test func derivedArguments() {
        let report = Self.run("""
            load 1m
              metric{instance="a", job="1", k="1"} 1 2 3
              metric{instance="a", job="1", k="2"} 10 20 30
              target_info{instance="a", job="1", v="old"} 1 1 stale
              target_info{instance="a", job="1", v="new"} _ _ 1
              dup{instance="a", job="1"} 1
              dup{instance="a", job="1", v="old"} 1

            eval range from 1m to 2m step 1m info(sum by (instance, job) (metric offset 1m))
              {instance="a", job="1", v="old"} 11 22

            eval range from 1m to 2m step 1m info(metric * 2)
              {instance="a", job="1", k="1", v="old"} 4 _
              {instance="a", job="1", k="2", v="old"} 40 _
              {instance="a", job="1", k="1", v="new"} _ 6
              {instance="a", job="1", k="2", v="new"} _ 60

            eval instant at 0m info(dup)
              expect fail msg: vector cannot contain metrics with the same labelset
            """)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed == 3)
    }

    @Test func quotesRegexMeta() throws {
        #expect(Evaluator.quoteRegexMeta(#"a.b|c*d\e(f)[g]{h}^$+?"#) == #"a\.b\|c\*d\\e\(f\)\[g\]\{h\}\^\$\+\?"#)
        let matcher = try LabelMatcher(.regexMatch, "x", Evaluator.quoteRegexMeta("a.b") + "|" + Evaluator.quoteRegexMeta("(c)"))
        #expect(matcher.matches("a.b") && matcher.matches("(c)"))
        #expect(!matcher.matches("aXb") && !matcher.matches("c"))
    }
}
