import Model
import Testing
@testable import PromQL

/// Math, date, label and sort functions.
@Suite struct FunctionVectorTests {
    typealias F = FunctionFixtures

    static func evaluate(_ name: String, _ args: [FunctionArgument], at seconds: Double = 0) throws(QueryError) -> Vector {
        var context = F.context(at: seconds)
        return try VectorFunctions.evaluate(name, args: args, context: &context)
    }

    /// `name{labels}` as promqltest writes series.
    static func render(_ labels: Labels) -> String {
        (labels.metricName ?? "") + labels.droppingMetricName.description
    }

    static func values(_ name: String, _ input: [Double], _ extra: [FunctionArgument] = []) throws -> [Double] {
        let vector = input.enumerated().map { VectorSample(labels: Labels(["i": String($0.offset)]), timestamp: 0, value: $0.element) }
        return try evaluate(name, [.vector(vector)] + extra).map(\.value)
    }

    @Test(arguments: [
        ("exp", 10.0, 22026.465794806718), ("exp", 20, 485165195.4097903), ("exp", -10, 4.5399929762484854e-05),
        ("ln", 10, 2.302585092994046), ("ln", 20, 2.995732273553991), ("ln", 0, -.infinity), ("ln", -10, .nan),
        ("sqrt", 10, 3.1622776601683795), ("sqrt", 20, 4.47213595499958),
        ("log2", 10, 3.3219280948873626), ("log2", 20, 4.321928094887363), ("log2", 0, -.infinity), ("log2", -10, .nan),
        ("log10", 10, 1), ("log10", 20, 1.301029995663981), ("log10", 0, -.infinity),
        ("sin", 10, -0.5440211108893699), ("cos", 10, -0.8390715290764524), ("tan", 10, 0.6483608274590867),
        ("asin", -0.1, -0.10016742116155944), ("acos", -0.1, 1.670963747956456), ("atan", 10, 1.4711276743037345),
        ("sinh", 10, 11013.232920103324), ("cosh", 20, 2.4258259770489514e+08), ("tanh", 10, 0.9999999958776927),
        ("asinh", 10, 2.99822295029797), ("acosh", 20, 3.6882538673612966), ("atanh", -0.1, -0.10033534773107522),
        ("rad", 10, 0.17453292519943295), ("deg", 10, 572.9577951308232), ("deg", -10, -572.9577951308232),
        ("sgn", -.infinity, -1), ("sgn", .nan, .nan), ("sgn", 0, 0), ("sgn", 100, 1),
        ("abs", -2.5, 2.5), ("ceil", -2.5, -2), ("floor", -2.5, -3), ("round", -2.5, -2), ("round", 2.5, 3),
        ("round", .infinity, .infinity), ("round", .nan, .nan),
    ] as [(String, Double, Double)])
    func math(name: String, input: Double, expected: Double) throws {
        let out = try Self.values(name, [input])
        #expect(out.count == 1)
        // Transcendental functions come from the C library, which may differ from Go's math
        // package in the last digits (the corpus values are Go's, compared with a tolerance).
        #expect(close(out.first, expected, relative: 1e-8), "\(name)(\(input)) = \(out)")
    }

    @Test func mathDropsName() throws {
        let input = [VectorSample(labels: Labels(["__name__": "m", "a": "b"]), timestamp: 5, value: 4)]
        let out = try Self.evaluate("sqrt", [.vector(input)], at: 60)
        #expect(out == [VectorSample(labels: Labels(["__name__": "m", "a": "b"]), timestamp: 60_000, value: 2, dropName: true)])
        #expect(out[0].dropName)
    }

    @Test func roundToNearest() throws {
        #expect(try Self.values("round", [1.23456, 12.5, -0.25, 0.05], [.scalar(0.1)]) == [1.2, 12.5, -0.2, 0.1])
        #expect(try Self.values("round", [17, -17], [.scalar(5)]) == [15, -15])
    }

    @Test func clamp() throws {
        let input: [Double] = [-50, 0, 100]
        #expect(try Self.values("clamp_max", input, [.scalar(75)]) == [-50, 0, 75])
        #expect(try Self.values("clamp_min", input, [.scalar(-25)]) == [-25, 0, 100])
        #expect(try Self.values("clamp", input, [.scalar(-25), .scalar(75)]) == [-25, 0, 75])
        #expect(try Self.values("clamp", input, [.scalar(0), .scalar(.nan)]).allSatisfy { $0.isNaN })
        #expect(try Self.values("clamp", input, [.scalar(.nan), .scalar(0)]).allSatisfy { $0.isNaN })
        #expect(try Self.values("clamp", input, [.scalar(5), .scalar(-5)]).isEmpty)
    }

    @Test(arguments: [
        ("year", 1136239445.0, 2006.0), ("month", 1136239445, 1), ("day_of_month", 1136239445, 2),
        ("day_of_year", 1136239445, 2), ("day_of_week", 1136239445, 1), ("hour", 1136239445, 22), ("minute", 1136239445, 4),
        ("year", 1230767999, 2008), ("year", 1230768000, 2009), ("month", 1456790399, 2), ("day_of_month", 1456790399, 29),
        ("month", 1456790400, 3), ("day_of_month", 1456790400, 1), ("day_of_year", 1483191420, 366),
        ("day_of_year", 1672493820, 365), ("days_in_month", 1454284800, 29), ("days_in_month", 1485907200, 28),
        ("year", -1, 1969), ("day_of_week", -86400, 3), ("hour", 1.9, 0), ("year", .nan, 0),
    ] as [(String, Double, Double)])
    func dates(name: String, seconds: Double, expected: Double) throws {
        let out = try Self.values(name, [seconds])
        if seconds.isNaN {
            #expect(out.count == 1)  // Go's int64(NaN): some time far in the past, but no crash.
        } else {
            #expect(out == [expected])
        }
    }

    @Test func datesWithoutArgument() throws {
        for (name, expected) in [("year", 1970.0), ("month", 1), ("day_of_month", 1), ("day_of_year", 1), ("day_of_week", 4), ("hour", 0), ("minute", 0)] {
            #expect(try Self.evaluate(name, []) == [VectorSample(labels: .empty, timestamp: 0, value: expected)])
        }
        #expect(try Self.evaluate("minute", [], at: 3599.999).map(\.value) == [59])
        #expect(try Self.evaluate("hour", [], at: -0.5).map(\.value) == [0])  // truncated towards zero, as Go
    }

    // MARK: Labels

    static let testmetric: Vector = [
        F.sample(["__name__": "testmetric", "src": "source-value-10", "dst": "original-destination-value"], 0),
        F.sample(["__name__": "testmetric", "src": "source-value-20", "dst": "original-destination-value"], 1),
    ]

    static func replace(_ vector: Vector, _ dst: String, _ repl: String, _ src: String, _ regex: String) throws(QueryError) -> [String] {
        try evaluate("label_replace", [.vector(vector), .string(dst), .string(repl), .string(src), .string(regex)]).map { Self.render($0.labels) }
    }

    @Test func labelReplace() throws {
        #expect(try Self.replace(Self.testmetric, "dst", "destination-value-$1", "src", "source-value-(.*)") == [
            #"testmetric{dst="destination-value-10", src="source-value-10"}"#,
            #"testmetric{dst="destination-value-20", src="source-value-20"}"#,
        ])
        let unchanged = Self.testmetric.map { Self.render($0.labels) }
        #expect(try Self.replace(Self.testmetric, "dst", "destination-value-$1", "src", "value-(.*)") == unchanged)
        #expect(try Self.replace(Self.testmetric, "dst", "value-$1", "nonexistent-src", "source-value-(.*)") == unchanged)
        #expect(try Self.replace(Self.testmetric, "dst", "$1-value-$2", "src", "(.*)-value-(.*)") == [
            #"testmetric{dst="source-value-10", src="source-value-10"}"#,
            #"testmetric{dst="source-value-20", src="source-value-20"}"#,
        ])
        #expect(try Self.replace(Self.testmetric, "dst", "value-$1", "nonexistent-src", "(.*)") == [
            #"testmetric{dst="value-", src="source-value-10"}"#, #"testmetric{dst="value-", src="source-value-20"}"#,
        ])
        #expect(try Self.replace(Self.testmetric, "dst", "", "dst", ".*") == [
            #"testmetric{src="source-value-10"}"#, #"testmetric{src="source-value-20"}"#,
        ])
        // Named groups, ${n}, $$, a name running on ($1x is group "1x"), malformed references.
        let one: Vector = [F.sample(["a": "foo-bar"], 1)]
        #expect(try Self.replace(one, "b", "${second}:${1}x:$1x:$$:$", "a", "(?P<first>\\w+)-(?P<second>\\w+)") == [
            #"{a="foo-bar", b="bar:foox::$:$"}"#,
        ])
        #expect(try Self.replace(one, "b", "$first.$9.${x", "a", "(?P<first>[a-z]+)-.*") == [#"{a="foo-bar", b="foo..${x"}"#])
        // `.` matches a newline (?s), matching is anchored.
        let newline: Vector = [F.sample(["a": "x\ny"], 1)]
        #expect(try Self.replace(newline, "b", "$1", "a", "(.*)") == [#"{a="x\ny", b="x\ny"}"#])
        #expect(try Self.replace(newline, "b", "z", "a", "x") == [#"{a="x\ny"}"#])
    }

    @Test func labelReplaceNameHandling() throws {
        let out = try Self.evaluate(
            "label_replace", [.vector(Self.testmetric.map { var s = $0; s.dropName = true; return s }),
                              .string("__name__"), .string("renamed"), .string("src"), .string(".*")])
        #expect(out.allSatisfy { !$0.dropName && $0.labels.metricName == "renamed" })
        let other = try Self.evaluate(
            "label_replace", [.vector(Self.testmetric.map { var s = $0; s.dropName = true; return s }),
                              .string("x"), .string("y"), .string("src"), .string(".*")])
        #expect(other.allSatisfy { $0.dropName })
    }

    @Test func labelReplaceErrors() {
        #expect(throws: QueryError.execution("invalid regular expression in label_replace(): (.*")) {
            try Self.replace(Self.testmetric, "dst", "value-$1", "src", "(.*")
        }
        #expect(throws: QueryError.execution("invalid destination label name in label_replace(): ")) {
            try Self.replace(Self.testmetric, "", "", "src", "(.*)")
        }
        #expect(throws: QueryError.execution("invalid destination label name in label_replace(): \u{FFFD}")) {
            try Self.replace(Self.testmetric, "\u{FFFD}", "", "src", "(.*)")
        }
        // Checked even without input.
        #expect(throws: QueryError.self) { try Self.replace([], "dst", "", "src", "[") }
    }

    @Test func labelJoin() throws {
        let input: Vector = [
            F.sample(["__name__": "testmetric", "src": "a", "src1": "b", "src2": "c", "dst": "original"], 0),
        ]
        func join(_ args: [String]) throws(QueryError) -> [String] {
            try Self.evaluate("label_join", [.vector(input)] + args.map { .string($0) }).map { Self.render($0.labels) }
        }
        #expect(try join(["dst", "-", "src", "src1", "src2"]) == [#"testmetric{dst="a-b-c", src="a", src1="b", src2="c"}"#])
        #expect(try join(["dst", "-", "src", "src3", "src1"]) == [#"testmetric{dst="a--b", src="a", src1="b", src2="c"}"#])
        #expect(try join(["dst", "", "emptysrc", "emptysrc1"]) == [#"testmetric{src="a", src1="b", src2="c"}"#])
        #expect(try join(["dst", ", "]) == [#"testmetric{src="a", src1="b", src2="c"}"#])
        #expect(throws: QueryError.execution("invalid source label name in label_join(): ")) { try join(["dst", ",", "a", ""]) }
        #expect(throws: QueryError.execution("invalid destination label name in label_join(): ")) { try join(["", ",", "a"]) }
    }

    // MARK: Sorting

    @Test func sortByValue() throws {
        let input = [3.0, .nan, 1, 2].enumerated().map { F.sample(["i": String($0.offset)], $0.element) }
        let ascending = try Self.evaluate("sort", [.vector(input)]).map(\.value)
        let descending = try Self.evaluate("sort_desc", [.vector(input)]).map(\.value)
        #expect(ascending.prefix(3) == [1, 2, 3] && ascending[3].isNaN)
        #expect(descending.prefix(3) == [3, 2, 1] && descending[3].isNaN)
    }

    @Test func sortByLabelNaturalOrder() throws {
        let cpus = ["100", "0", "21", "3", "10", "2", "1", "20", "12", "11"].map { F.sample(["cpu": $0, "job": "cpu"], 1) }
        let sorted = try Self.evaluate("sort_by_label", [.vector(cpus), .string("cpu")]).map { $0.labels.value(of: "cpu") }
        #expect(sorted == ["0", "1", "2", "3", "10", "11", "12", "20", "21", "100"])
        let releases = ["1.111.3", "1.2.3", "1.11.3"].map { F.sample(["release": $0], 1) }
        #expect(try Self.evaluate("sort_by_label", [.vector(releases), .string("release")]).map { $0.labels.value(of: "release") }
            == ["1.2.3", "1.11.3", "1.111.3"])
        let instances = ["4m1000", "4m600", "4m5"].map { F.sample(["instance": $0], 1) }
        #expect(try Self.evaluate("sort_by_label_desc", [.vector(instances), .string("instance")]).map { $0.labels.value(of: "instance") }
            == ["4m1000", "4m600", "4m5"])
    }

    /// Ties on the given labels fall back to the whole label set.
    @Test func sortByLabelTies() throws {
        let input = [
            F.sample(["group": "production", "instance": "1", "job": "api-server"], 200),
            F.sample(["group": "canary", "instance": "1", "job": "app-server"], 800),
            F.sample(["group": "canary", "instance": "0", "job": "api-server"], 300),
            F.sample(["group": "production", "instance": "0", "job": "api-server"], 100),
        ]
        let ascending = try Self.evaluate("sort_by_label", [.vector(input), .string("instance")]).map(\.value)
        #expect(ascending == [300, 100, 800, 200])
        let descending = try Self.evaluate("sort_by_label_desc", [.vector(input), .string("instance")]).map(\.value)
        #expect(descending == [200, 800, 100, 300])
    }

    @Test func nativeHistogramFunctionsIgnoreFloats() throws {
        for name in VectorFunctions.nativeHistogramNames {
            #expect(try Self.evaluate(name, [.vector(Self.testmetric)]).isEmpty)
        }
    }

    @Test func namesCoverTheFunctionTable() {
        let engineOwned: Set<String> = [
            "time", "pi", "vector", "scalar", "absent", "absent_over_time", "timestamp", "start", "end", "range", "step", "info",
        ]
        let table = Set(Function.all.map(\.name))
        let implemented = RangeFunctions.names.union(VectorFunctions.names)
        #expect(table.subtracting(engineOwned).subtracting(implemented).isEmpty)
        #expect(RangeFunctions.names.isDisjoint(with: VectorFunctions.names))
    }
}
