import Model
import Testing
@testable import PromQL

/// histogram_quantile, histogram_quantiles and histogram_fraction over classic buckets.
@Suite struct FunctionHistogramTests {
    typealias F = FunctionFixtures

    /// testhistogram3_bucket at 50m.
    static let histogram3: Vector = {
        let positive: [(String, Double)] = [("0", 0), ("0.1", 50), (".2", 70), ("1e0", 110), ("+Inf", 110)]
        let negative: [(String, Double)] = [("-.25", 0), ("-.2", 10), ("-0.1", 20), ("0.3", 20), ("+Inf", 20)]
        return positive.map { F.sample(["__name__": "testhistogram3_bucket", "le": $0.0, "start": "positive"], $0.1) }
            + negative.map { F.sample(["__name__": "testhistogram3_bucket", "le": $0.0, "start": "negative"], $0.1) }
    }()

    static func quantile(
        _ q: Double, _ vector: Vector, query: String = "histogram_quantile(q, v)", arguments: [String] = ["q", "v"]
    ) -> (Vector, Annotations) {
        var context = F.context(query, arguments: arguments, at: 3000)
        let out = try! VectorFunctions.evaluate("histogram_quantile", args: [.scalar(q), .vector(vector)], context: &context)
        return (out, context.annotations)
    }

    @Test(arguments: [
        (0.0, 0.0, -0.25), (0.25, 0.055, -0.225), (0.5, 0.125, -0.2), (0.75, 0.45, -0.15), (1, 1, -0.1),
        (-0.1, -.infinity, -.infinity), (1.01, .infinity, .infinity), (.nan, .nan, .nan),
    ] as [(Double, Double, Double)])
    func quantiles(q: Double, positive: Double, negative: Double) {
        let (out, annotations) = Self.quantile(q, Self.histogram3)
        #expect(out.count == 2)
        #expect(close(out[0].value, positive, relative: 1e-15))
        #expect(close(out[1].value, negative, relative: 1e-15))
        #expect(out[0].labels == Labels(["__name__": "testhistogram3_bucket", "start": "positive"]))
        #expect(out.allSatisfy { $0.dropName })
        let valid = q >= 0 && q <= 1
        #expect(annotations.warnings == (valid ? [] : ["PromQL warning: quantile value should be between 0 and 1, got \(GoFloat.format(q)) (1:20)"]))
    }

    /// Buckets must end with +Inf; fewer than two buckets or no observations give NaN; a
    /// quantile in the lowest bucket with a bound ≤ 0 is that bound; `le` spellings coalesce.
    @Test func specialCases() {
        typealias B = ClassicHistograms.Bucket
        #expect(ClassicHistograms.bucketQuantile(0.5, [B(upperBound: 1, count: 1), B(upperBound: 2, count: 2)]).value.isNaN)
        #expect(ClassicHistograms.bucketQuantile(0.5, [B(upperBound: .infinity, count: 2)]).value.isNaN)
        #expect(ClassicHistograms.bucketQuantile(0.5, [B(upperBound: 1, count: 0), B(upperBound: .infinity, count: 0)]).value.isNaN)
        #expect(ClassicHistograms.bucketQuantile(0.1, [B(upperBound: -1, count: 5), B(upperBound: .infinity, count: 10)]).value == -1)
        #expect(ClassicHistograms.bucketQuantile(0.99, [B(upperBound: 1, count: 5), B(upperBound: .infinity, count: 10)]).value == 1)
        // mixed_bucket: le 0.1 → 1, 0.2 / 2e-1 / 2.0e-1 → 1 each, +Inf → 4.
        let mixed: [B] = [B(upperBound: 0.1, count: 1), B(upperBound: 0.2, count: 1), B(upperBound: 0.2, count: 1),
                          B(upperBound: 0.2, count: 1), B(upperBound: .infinity, count: 4)]
        #expect(close(ClassicHistograms.bucketQuantile(0.5, mixed).value, 0.15, relative: 1e-15))
        // Floating point noise is flattened, not reported.
        let noisy = ClassicHistograms.bucketQuantile(0.5, [B(upperBound: 1, count: 1e15), B(upperBound: 2, count: 1e15 - 0.125),
                                                           B(upperBound: .infinity, count: 2e15)])
        #expect(noisy.fixedPrecision && !noisy.forcedMonotonicity)
    }

    /// nonmonotonic_bucket at 50m: le 0.1 → 20, 1 → 10, 10 → 50, 100 → 40, 1000 → 90, +Inf → 80.
    static let nonmonotonic: Vector = [("0.1", 20.0), ("1", 10), ("10", 50), ("100", 40), ("1000", 90), ("+Inf", 80)]
        .map { F.sample(["__name__": "nonmonotonic_bucket", "le": $0.0], $0.1) }

    @Test func monotonicityFix() {
        for (q, expected) in [(0.01, 0.0045), (0.5, 8.5), (0.99, 979.75)] {
            let (out, annotations) = Self.quantile(
                q, Self.nonmonotonic, query: "histogram_quantile(0.5, nonmonotonic_bucket)", arguments: ["0.5", "nonmonotonic_bucket"])
            #expect(close(out.first?.value, expected, relative: 1e-14))
            #expect(annotations.infos == [
                "PromQL info: input to histogram_quantile needed to be fixed for monotonicity"
                    + " (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
                    + " for metric name \"nonmonotonic_bucket\", from buckets 1 to +Inf, with a max diff of 10,"
                    + " over 1 samples from 1970-01-01T00:50:00Z to 1970-01-01T00:50:00Z (1:25)",
            ])
        }
    }

    @Test func histogramQuantilesLabelsAndInfo() throws {
        var context = F.context(#"histogram_quantiles(nonmonotonic_bucket, "q", 0.01, 0.5, 0.99)"#,
                                arguments: ["nonmonotonic_bucket", "\"q\"", "0.01", "0.5", "0.99"], at: 3000)
        let out = try VectorFunctions.evaluate(
            "histogram_quantiles", args: [.vector(Self.nonmonotonic), .string("q"), .scalar(0.01), .scalar(0.5), .scalar(1)],
            context: &context)
        #expect(out.map(\.labels) == ["0.01", "0.5", "1.0"].map { Labels(["__name__": "nonmonotonic_bucket", "q": $0]) })
        #expect(close(out[2].value, 1000))
        #expect(context.annotations.infos.count == 1)
        #expect(context.annotations.infos[0].hasSuffix("over 3 samples from 1970-01-01T00:50:00Z to 1970-01-01T00:50:00Z (1:21)"))
    }

    @Test func invalidQuantilesWarnPerArgument() throws {
        var context = F.context(#"histogram_quantiles(x, "q", 0.5, NaN)"#, arguments: ["x", "\"q\"", "0.5", "NaN"])
        let out = try VectorFunctions.evaluate(
            "histogram_quantiles", args: [.vector([]), .string("q"), .scalar(0.5), .scalar(.nan)], context: &context)
        #expect(out.isEmpty)
        #expect(context.annotations.warnings == ["PromQL warning: quantile value should be between 0 and 1, got NaN (1:34)"])
    }

    @Test func badBucketLabels() {
        let input = [
            F.sample(["__name__": "series", "le": "Hello World"], 2),
            F.sample(["__name__": "series"], 2),
        ]
        let (out, annotations) = Self.quantile(0.8, input, query: "histogram_quantile(0.8, series)", arguments: ["0.8", "series"])
        #expect(out.isEmpty)
        #expect(annotations.warnings == [
            #"PromQL warning: bucket label "le" is missing or has a malformed value of "Hello World" for metric name "series" (1:25)"#,
            #"PromQL warning: bucket label "le" is missing or has a malformed value of "" for metric name "series" (1:25)"#,
        ])
        var context = F.context("histogram_fraction(-Inf, 1, series)", arguments: ["-Inf", "1", "series"])
        _ = try? VectorFunctions.evaluate("histogram_fraction", args: [.scalar(-.infinity), .scalar(1), .vector(input)], context: &context)
        #expect(context.annotations.warnings.first?.hasSuffix("(1:29)") == true)
    }

    /// The histogram_fraction cases of histograms.test: (buckets, lower, upper, expected).
    @Test(arguments: [
        ([("0", 0.0), ("2", 1), ("4", 2), ("6", 3), ("+Inf", 3)], 0.0, 4.0, 0.6666666666666666),
        ([("0", 0), ("2", 1), ("4", 2), ("6", 3), ("+Inf", 3)], 0, 6, 1),
        ([("0", 0), ("2", 1), ("4", 2), ("6", 3), ("+Inf", 3)], 0, 3.5, 0.5833333333333334),
        ([("0", 0), ("0.1", 50), (".2", 70), ("1e0", 110), ("+Inf", 110)], 0, 0.2, 0.6363636363636364),
        ([("-.25", 0), ("-.2", 10), ("-0.1", 20), ("0.3", 20), ("+Inf", 20)], 0, 0.2, 0),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 0, 1.5, 0.02),
        ([("-3", 10), ("-2", 12), ("-1", 15), ("+Inf", 100)], -4, -2, 0.02),
        ([("-3", 10), ("-2", 12), ("-1", 15), ("+Inf", 100)], -.infinity, -1.5, 0.135),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], -.infinity, .infinity, 1),
        ([("-3", 10), ("-2", 12), ("-1", 15), ("+Inf", 100)], -.infinity, .infinity, 1),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 4, 5, 0),
        ([("-3", 10), ("-2", 12), ("-1", 15), ("+Inf", 100)], 0, 1, 0),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 2, 5, 0.03),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 400, .infinity, 0.94),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 2, 2, 0),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 3, 2, 0),
        ([("+Inf", 100)], 0, 1, 0),
        ([("1", 0), ("2", 0), ("3", 0), ("+Inf", 0)], 0, 5, .nan),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 2, 3.5, 0.03),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 0.5, 2, 0.025),
        ([("1", 1), ("2", 3), ("3", 6), ("+Inf", 100)], 1, 3, 0.05),
        ([("0.5", 2.5), ("1", 7.5), ("+Inf", 100)], 0.1, 0.75, 0.045),
        ([("-2", 5), ("-1", 10), ("0", 15), ("1", 20), ("+Inf", 100)], -1, 1, 0.1),
        ([("1", 1), ("+Inf", 100)], .nan, 1, .nan),
        ([("1", 1), ("+Inf", 100)], 0, .nan, .nan),
        ([("1", 1), ("2", 3), ("+Inf", 10)], -10, -5, 0),
        ([("1", 1), ("2", 3), ("+Inf", 10)], 5, 10, 0),
    ] as [([(String, Double)], Double, Double, Double)])
    func fraction(buckets: [(String, Double)], lower: Double, upper: Double, expected: Double) throws {
        var context = F.context()
        let input = buckets.map { F.sample(["le": $0.0], $0.1) }
        let out = try VectorFunctions.evaluate("histogram_fraction", args: [.scalar(lower), .scalar(upper), .vector(input)], context: &context)
        #expect(out.count == 1)
        #expect(close(out.first?.value, expected, relative: 1e-15), "\(out)")
        #expect(context.annotations.isEmpty)
    }

    @Test func groupsKeepNamesApart() {
        let input = [
            F.sample(["__name__": "a_bucket", "le": "1"], 1), F.sample(["__name__": "a_bucket", "le": "+Inf"], 2),
            F.sample(["__name__": "b_bucket", "le": "1"], 1), F.sample(["__name__": "b_bucket", "le": "+Inf"], 4),
        ]
        let (out, _) = Self.quantile(0.5, input)
        #expect(out.map(\.labels) == [Labels(["__name__": "a_bucket"]), Labels(["__name__": "b_bucket"])])
        #expect(out.map(\.value) == [1, 1])
    }
}
