import TestSupport
import Testing
@testable import Model

@Suite("LabelMatcher")
struct LabelMatcherTests {
    // MARK: Match types

    struct Case: Sendable, CustomStringConvertible {
        let type: MatchType
        let pattern: String
        let input: String
        let expected: Bool
        init(_ type: MatchType, _ pattern: String, _ input: String, _ expected: Bool) {
            self.type = type
            self.pattern = pattern
            self.input = input
            self.expected = expected
        }
        var description: String { "\(type.rawValue)\(GoString.quote(pattern)) on \(GoString.quote(input))" }
    }

    static let matchCases: [Case] = [
        // =
        Case(.equal, "api", "api", true),
        Case(.equal, "api", "API", false),
        Case(.equal, "api", "ap", false),
        Case(.equal, "", "", true),
        Case(.equal, "", "x", false),
        Case(.equal, "a.*", "abc", false),  // no regex for =
        Case(.equal, "a.*", "a.*", true),
        // !=
        Case(.notEqual, "api", "api", false),
        Case(.notEqual, "api", "web", true),
        Case(.notEqual, "", "", false),
        Case(.notEqual, "", "x", true),
        // =~
        Case(.regexMatch, "a.*", "abc", true),
        Case(.regexMatch, "a.*", "bac", false),
        Case(.regexMatch, "a|b", "b", true),
        Case(.regexMatch, "a|b", "ab", false),
        Case(.regexMatch, "", "", true),
        Case(.regexMatch, "", "a", false),
        Case(.regexMatch, ".*", "", true),
        Case(.regexMatch, ".+", "", false),
        // !~
        Case(.regexNoMatch, "a.*", "abc", false),
        Case(.regexNoMatch, "a.*", "bac", true),
        Case(.regexNoMatch, "a|b", "c", true),
        Case(.regexNoMatch, "", "", false),
        Case(.regexNoMatch, ".+", "", true),
    ]

    @Test(arguments: matchCases)
    func matchTypes(_ c: Case) throws {
        let m = try LabelMatcher(c.type, "job", c.pattern)
        #expect(m.matches(c.input) == c.expected)
        #expect(m.type == c.type)
        #expect(m.name == "job")
        #expect(m.value == c.pattern)
    }

    @Test func nonThrowingFactories() {
        #expect(LabelMatcher.equal("job", "api") == (try? LabelMatcher(.equal, "job", "api")))
        #expect(LabelMatcher.notEqual("job", "api").matches("web"))
        #expect(!LabelMatcher.notEqual("job", "api").matches("api"))
    }

    @Test func matchTypeSpelling() {
        #expect(MatchType.allCases.map(\.rawValue) == ["=", "!=", "=~", "!~"])
        #expect(MatchType(rawValue: "!~") == .regexNoMatch)
        #expect(MatchType.allCases.filter(\.isRegex) == [.regexMatch, .regexNoMatch])
        #expect(MatchType.allCases.filter(\.isNegative) == [.notEqual, .regexNoMatch])
    }

    // MARK: Regex semantics

    static let regexCases: [Case] = [
        // Anchoring: the whole value must match.
        Case(.regexMatch, "a", "ba", false),
        Case(.regexMatch, "a", "ab", false),
        Case(.regexMatch, "a", "a", true),
        Case(.regexMatch, "b.", "abc", false),
        Case(.regexMatch, "foo|bar", "foobar", false),
        Case(.regexMatch, "[0-9]+", "12a", false),
        Case(.regexMatch, "^a$", "a", true),
        // `.` matches newline (Prometheus's (?s:...)).
        Case(.regexMatch, ".*", "a\nb", true),
        Case(.regexMatch, "a.b", "a\nb", true),
        Case(.regexMatch, ".+", "\n", true),
        Case(.regexMatch, "foo.*", "foo\nbar", true),
        Case(.regexMatch, "x[a-z]*.", "xab\n", true),
        // RE2 syntax.
        Case(.regexMatch, "\\d+", "12345", true),
        Case(.regexMatch, "\\d+", "12a45", false),
        Case(.regexMatch, "[[:alpha:]]+", "abcXYZ", true),
        Case(.regexMatch, "[[:alpha:]]+", "abc1", false),
        Case(.regexMatch, "(?i)foo", "FoO", true),
        Case(.regexMatch, "(?i)foo", "fooo", false),
        Case(.regexMatch, "a.*?b", "aXbYb", true),  // non-greedy, still a full match
        Case(.regexMatch, "a.+?", "a", false),
        Case(.regexMatch, "\\w+", "snake_case9", true),
        Case(.regexMatch, "\\pL+", "üéa", true),
        Case(.regexMatch, "\\p{Greek}+", "αβγ", true),
        Case(.regexMatch, "a{2,3}", "aaa", true),
        Case(.regexMatch, "a{2,3}", "aaaa", false),
        Case(.regexMatch, "\\Qa.b\\E", "a.b", true),
        Case(.regexMatch, "\\Qa.b\\E", "axb", false),
        Case(.regexMatch, "(?P<name>x)y", "xy", true),
        Case(.regexMatch, "☃+", "☃☃", true),
        Case(.regexMatch, ".", "ü", true),  // one character, two bytes
        Case(.regexMatch, "..", "ü", false),
        Case(.regexMatch, "\\x{2603}", "☃", true),
        // Go/RE2 compare bytes: NFC "é" is not NFD "e\u{301}".
        Case(.regexMatch, "é", "e\u{301}", false),
        Case(.regexMatch, "e\u{301}", "é", false),
        Case(.regexMatch, "e.*", "e\u{301}", true),
        Case(.equal, "é", "e\u{301}", false),
        Case(.notEqual, "é", "e\u{301}", true),
    ]

    @Test(arguments: regexCases)
    func regexSemantics(_ c: Case) throws {
        let m = try LabelMatcher(c.type, "l", c.pattern)
        #expect(m.matches(c.input) == c.expected)
        if c.type == .regexMatch {
            #expect(try LabelMatcher(.regexNoMatch, "l", c.pattern).matches(c.input) == !c.expected)
        }
    }

    @Test func pathologicalPatternIsLinear() throws {
        let m = try LabelMatcher(.regexMatch, "l", "(a+)+$")
        #expect(try RegexMatcher("(a+)+$").kind == .re2)
        let long = String(repeating: "a", count: 100_000)
        #expect(!m.matches(long + "b"))
        #expect(m.matches(long))
        let nested = try LabelMatcher(.regexMatch, "l", "(x+x+)+y")
        #expect(!nested.matches(String(repeating: "x", count: 100_000)))
    }

    // MARK: Errors

    @Test func invalidRegexCarriesRE2Message() {
        #expect(throws: LabelMatcherError.invalidRegex(label: "job", pattern: "(a", message: "missing ): (a")) {
            try LabelMatcher(.regexMatch, "job", "(a")
        }
        do throws(LabelMatcherError) {
            _ = try LabelMatcher(.regexNoMatch, "job", "(a")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"invalid regular expression "(a" for label "job": missing ): (a"#)
        }
    }

    static let invalidPatterns: [String] = [
        "(a", "a|b)", "(a|b", "[a", "*", "a**", "+a", "x{2,1}", "\\", "a\\", "(?<", "\\8", "(?i",
        "[[:foo:]]", "\\pX", "(?z)a",
    ]

    @Test(arguments: invalidPatterns)
    func invalidPatternsThrow(_ pattern: String) {
        for type in [MatchType.regexMatch, .regexNoMatch] {
            do throws(LabelMatcherError) {
                _ = try LabelMatcher(type, "job", pattern)
                Issue.record("\(GoString.quote(pattern)) should not compile")
            } catch {
                guard case .invalidRegex(let label, let p, let message) = error
                else { return }
                #expect(label == "job")
                #expect(p == pattern)
                #expect(!message.isEmpty)
                #expect(error.description.hasPrefix("invalid regular expression \(GoString.quote(pattern)) for label \"job\": "))
                #expect(error.description.hasSuffix(message))
            }
        }
        // Equality matchers take the value literally.
        #expect((try? LabelMatcher(.equal, "job", pattern))?.matches(pattern) == true)
        #expect((try? LabelMatcher(.notEqual, "job", pattern)) != nil)
    }

    @Test func re2RegexDirectly() throws {
        let re = try RE2Regex("a(b|c)*d")
        #expect(re.pattern == "a(b|c)*d")
        #expect(re.fullMatch("abcbd"))
        #expect(!re.fullMatch("abcbdx"))
        #expect(throws: RegexError(pattern: "(a", message: "missing ): (a")) { try RE2Regex("(a") }
        // NUL bytes are ordinary characters.
        #expect(try RE2Regex("a\u{0}b").fullMatch("a\u{0}b"))
        #expect(try RE2Regex(".").fullMatch("\u{0}"))
        // Bridged or substring-derived strings work too.
        let sub = "xxabcxx".dropFirst(2).prefix(3)
        #expect(try RE2Regex("abc").fullMatch(String(sub)))
    }

    // MARK: Fast paths agree with RE2

    static let agreementPatterns: [String] = [
        "", ".*", ".+", ".*.*", ".+.*", ".*.+", ".+.+", ".*.*.*",
        "foo", "a\\.b", "\\.", "a\\|b", "\\(a\\)", "\\\\", "a\\\\", "\\_", "\\-", "\\ ", "x y",
        "a|b", "(a|b)", "(?:a|b)", "a|b|a", "|", "a|", "|a", "()", "(?:)", "(|)", "(a)",
        "a|b|c|d|e|f|g|h|i|j|k|foo|foobar|ü|☃|é|e\u{301}",
        "foo.*", ".*foo", ".*foo.*", ".+foo", "foo.+", ".+foo.+", ".*foo.+", ".+foo.*",
        "(a|b).*", ".*(a|b)", ".*(a|b).*", ".+(a|b)", "(a|b).+", ".+(foo|ü).+",
        "(|a).*", ".*(|a)", "(|a).+", ".+(|a)", ".*(|a).*", ".+()", "().+", ".+().+", ".*().*",
        "x(a|b)y", "api_(v1|v2)_total", "(v1|v2)_total", "api_(v1|v2)", "pre(?:a|)post",
        "ü", "☃.*", ".*ü", ".*☃.*", ".+ü.+", "é", "e\u{301}", "e.*", ".*\u{301}",
        "a\nb", "\n", ".*\n.*", "\n.+",
        // Shapes that must go to RE2.
        "(a)(b)", "((a|b))", "a|(b|c)", "(a|b)c|d", ".*a|b", "a|b.*", "a.*b", ".*a.*b.*",
        "a*", "ab+", "a.b", "a?", "ü+", "(a|b)+", "(a|b)*", "(a|b)?", "(a|b){2}", ".", "..", ".?", ".*?", ".+?",
        "a\\.*", "\\.+", "^foo$", "foo$", "^foo", "(?i)foo", "(?i)ü.*", "(?s:foo)", "(?U)a.*",
        "[ab]", "[^a]", "\\d", "\\Qa|b\\E", "a{2}", "a{,", "a}", "\\x41", "\\n", "a\\nb", "\\A.*\\z",
    ]

    static let agreementInputs: [String] = [
        "", "a", "b", "c", "ab", "ba", "aa", "abc", "a|b", "a.b", "axb", "a\\b", "\\", "(a)", "a\\", "_", "-", " ",
        "x y", "foo", "foobar", "barfoo", "xfoox", "foofoo", "fo", "oo", "Foo", "FOO", "foo\n", "\nfoo", "\n",
        "\n\n", "a\nb", "x\nfoo\nx", "ü", "üü", "☃", "☃x", "x☃", "x☃x", "fooü", "üfoo", "xüx", "é", "e\u{301}",
        "\u{301}", "xay", "xby", "xy", "xaby", "api_v1_total", "api_v3_total", "v1_total", "api_v2",
        "prepost", "preapost", "xfoo", "foox", "ü☃", "a\u{0}b", "k", "j", "foob", "A",
    ]

    @Test(arguments: agreementPatterns)
    func fastPathsAgreeWithRE2(_ pattern: String) throws {
        let re2 = try RE2Regex(pattern)
        let fast = try RegexMatcher(pattern)
        for input in Self.agreementInputs + [pattern] {
            #expect(
                fast.matches(input) == re2.fullMatch(input),
                "pattern \(GoString.quote(pattern)) [\(fast.kind)] on \(GoString.quote(input))")
        }
        if let set = fast.setMatches {
            // Every listed value matches, and nothing outside the set does.
            for value in set { #expect(re2.fullMatch(value), "\(GoString.quote(value)) ∈ setMatches") }
            for input in Self.agreementInputs where re2.fullMatch(input) {
                #expect(set.contains { UTF8Bytes.equal($0, input) }, "\(GoString.quote(input)) missing from setMatches")
            }
        }
    }

    @Test func randomPatternsAgreeWithRE2() throws {
        // Pieces that build fast-path shapes and near misses; invalid combinations are skipped.
        let pieces = ["a", "b", "ü", "☃", "\\.", ".", ".*", ".+", "(", "(?:", ")", "|", "\n", "\n", "*", "?", "\\|"]
        let alphabet = ["a", "b", "ü", "☃", ".", "|", "\n", "x"]
        var rng = SplitMix64(state: 42)
        var fastCount = 0
        for _ in 0..<3000 {
            let pattern = (0..<Int.random(in: 1...7, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            guard let re2 = try? RE2Regex(pattern) else {
                #expect(throws: RegexError.self) { try RegexMatcher(pattern) }
                continue
            }
            let fast = try RegexMatcher(pattern)
            if fast.kind != .re2 { fastCount += 1 }
            var inputs = [pattern] + (fast.setMatches ?? [])
            for _ in 0..<25 {
                inputs.append((0..<Int.random(in: 0...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "" }.joined())
            }
            for input in inputs {
                #expect(
                    fast.matches(input) == re2.fullMatch(input),
                    "pattern \(GoString.quote(pattern)) [\(fast.kind)] on \(GoString.quote(input))")
            }
        }
        #expect(fastCount > 300)  // the generator does exercise the fast paths
    }

    @Test func escapedASCIIPunctuationIsLiteral() throws {
        let punctuation = (0x21...0x7e).map { Unicode.Scalar(UInt8($0)) }.filter {
            !$0.properties.isAlphabetic && !("0"..."9").contains($0)
        }
        for p in punctuation {
            let pattern = "x\\\(p)y"
            let re2 = try RE2Regex(pattern)
            let fast = try RegexMatcher(pattern)
            #expect(fast.kind == .equal, "\(pattern)")
            for input in ["x\(p)y", "xy", "x\\\(p)y", "xay", "x\\y"] {
                #expect(fast.matches(input) == re2.fullMatch(input), "\(pattern) on \(input)")
            }
        }
    }

    static let expectedKinds: [(String, RegexMatcher.Kind)] = [
        (".*", .any), (".*.*", .any), ("(|a).*", .any),
        (".+", .nonEmpty), (".+.*", .nonEmpty),
        ("foo", .equal), ("a\\.b", .equal), ("", .equal), ("()", .equal), ("(a)", .equal), ("☃", .equal),
        ("a|b", .set), ("(a|b)", .set), ("(?:a|b|c)", .set), ("x(a|b)y", .set), ("a|b|c|d|e|f|g|h|i|j", .set),
        ("foo.*", .prefix), ("(a|b).*", .prefix), ("foo.+", .prefix),
        (".*foo", .suffix), (".*(a|b)", .suffix), (".+foo", .suffix),
        (".*foo.*", .contains), (".+foo.*", .contains), (".*(a|b).*", .contains),
        ("(?i)foo", .re2), ("a.*b", .re2), (".+.+", .re2), ("[ab]", .re2), ("^foo", .re2), ("a*", .re2),
        ("(a|b)+", .re2), ("a\\.*", .re2), ("\\d", .re2), (".*a|b", .re2), ("(a)(b)", .re2),
    ]

    @Test func fastPathSelection() throws {
        for (pattern, kind) in Self.expectedKinds {
            #expect(try RegexMatcher(pattern).kind == kind, "\(GoString.quote(pattern))")
        }
    }

    @Test func invalidPatternsNeverTakeAFastPath() {
        // Each of these looks like a fast-path shape to a naive scanner, but RE2 rejects it.
        for pattern in ["a|b)", "(a|b", "foo.*)", "(.*", "x(a|b"] {
            #expect(throws: RegexError.self) { try RegexMatcher(pattern) }
        }
    }

    @Test func largeAlternationUsesHashedSet() throws {
        let values = (0..<100).map { "value_\($0)" }
        let m = try LabelMatcher(.regexMatch, "l", values.joined(separator: "|"))
        #expect(m.regex?.kind == .set)
        #expect(m.setMatches == values)
        for v in values { #expect(m.matches(v)) }
        #expect(!m.matches("value_100"))
        #expect(!m.matches("value_"))
        // Canonically equivalent but byte-different values stay distinct in the hashed set.
        let unicode = try RegexMatcher(values.joined(separator: "|") + "|é")
        #expect(unicode.matches("é"))
        #expect(!unicode.matches("e\u{301}"))
    }

    // MARK: Printing

    static let descriptions: [(MatchType, String, String, String)] = [
        (.equal, "job", "x", #"job="x""#),
        (.notEqual, "job", "x", #"job!="x""#),
        (.regexMatch, "job", "a.*", #"job=~"a.*""#),
        (.regexNoMatch, "job", "a|b", #"job!~"a|b""#),
        (.equal, "__name__", "up", #"__name__="up""#),
        (.equal, "job", "", #"job="""#),
        (.regexMatch, "path", "\\d+\\.", #"path=~"\\d+\\.""#),
        (.equal, "msg", "say \"hi\"\n", #"msg="say \"hi\"\n""#),
        (.equal, "job", "ü☃", #"job="ü☃""#),
        (.equal, "job", "\u{1}", #"job="\x01""#),
        (.equal, "http.status", "200", #""http.status"="200""#),
        (.regexMatch, "ü", "x", #""ü"=~"x""#),
        (.equal, "1abc", "x", #""1abc"="x""#),
        (.equal, "a:b", "x", #""a:b"="x""#),
        (.equal, "", "x", #"""="x""#),
        (.equal, "_a1", "x", #"_a1="x""#),
    ]

    @Test func descriptionMatchesPrometheus() throws {
        for (type, name, value, expected) in Self.descriptions {
            #expect(try LabelMatcher(type, name, value).description == expected)
        }
    }

    // MARK: Equality

    @Test func equalityIsByTypeNameValue() throws {
        let a = try LabelMatcher(.regexMatch, "job", "a|b")
        let b = try LabelMatcher(.regexMatch, "job", "a|b")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != (try LabelMatcher(.regexNoMatch, "job", "a|b")))
        #expect(a != (try LabelMatcher(.regexMatch, "job", "b|a")))
        #expect(a != (try LabelMatcher(.regexMatch, "instance", "a|b")))
        #expect(LabelMatcher.equal("job", "a|b") != a)
        // Byte equality, like matching itself.
        #expect(LabelMatcher.equal("job", "é") != LabelMatcher.equal("job", "e\u{301}"))
        let set: Set<LabelMatcher> = [a, b, LabelMatcher.equal("job", "x")]
        #expect(set.count == 2)
    }

    // MARK: setMatches

    static let setMatchCases: [(MatchType, String, [String]?)] = [
        (.equal, "x", ["x"]),
        (.equal, "a|b", ["a|b"]),
        (.equal, "", [""]),
        (.notEqual, "x", nil),
        (.regexNoMatch, "a|b", nil),
        (.regexMatch, "foo", ["foo"]),
        (.regexMatch, "a\\.b", ["a.b"]),
        (.regexMatch, "a|b|c", ["a", "b", "c"]),
        (.regexMatch, "(a|b)", ["a", "b"]),
        (.regexMatch, "(?:b|a)", ["b", "a"]),
        (.regexMatch, "a|b|a", ["a", "b"]),
        (.regexMatch, "api_(v1|v2)_total", ["api_v1_total", "api_v2_total"]),
        (.regexMatch, "a|", ["a", ""]),
        (.regexMatch, "", [""]),
        (.regexMatch, ".*", nil),
        (.regexMatch, ".+", nil),
        (.regexMatch, "foo.*", nil),
        (.regexMatch, ".*foo", nil),
        (.regexMatch, "(?i)foo", nil),
        (.regexMatch, "[ab]", nil),
        (.regexMatch, "a+", nil),
    ]

    @Test func setMatchesLikePrometheus() throws {
        for (type, value, expected) in Self.setMatchCases {
            let m = try LabelMatcher(type, "l", value)
            #expect(m.setMatches == expected, "\(m)")
        }
    }

    // MARK: matchesEmpty

    static let emptyCases: [(MatchType, String, Bool)] = [
        (.equal, "", true),
        (.equal, "x", false),
        (.notEqual, "", false),
        (.notEqual, "x", true),
        (.regexMatch, ".*", true),
        (.regexMatch, ".+", false),
        (.regexMatch, "", true),
        (.regexMatch, "a|", true),
        (.regexMatch, "a|b", false),
        (.regexMatch, "a*", true),
        (.regexMatch, "(?i)x?", true),
        (.regexMatch, "foo.*", false),
        (.regexNoMatch, ".*", false),
        (.regexNoMatch, ".+", true),
        (.regexNoMatch, "", false),
        (.regexNoMatch, "x", true),
    ]

    @Test func matchesEmptyString() throws {
        for (type, value, expected) in Self.emptyCases {
            let m = try LabelMatcher(type, "l", value)
            #expect(m.matchesEmpty == expected, "\(m)")
        }
    }

    // MARK: Concurrency

    @Test func sharedAcrossTasks() async throws {
        let matchers = try [
            LabelMatcher(.regexMatch, "l", "(a+)+b"),
            LabelMatcher(.regexMatch, "l", "foo.*"),
            LabelMatcher(.regexNoMatch, "l", "[0-9]+"),
        ]
        let inputs = (0..<300).map { j in j % 3 == 0 ? "aaab" : j % 3 == 1 ? "foo\(j)" : "\(j)" }
        let expected = inputs.map { s in matchers.map { $0.matches(s) } }
        let results = await withTaskGroup(of: [[Bool]].self) { group in
            for _ in 0..<8 {
                group.addTask { inputs.map { s in matchers.map { $0.matches(s) } } }
            }
            var all: [[[Bool]]] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == expected })
        #expect(expected[0] == [true, false, true])
        #expect(expected[1] == [false, true, true])
        #expect(expected[2] == [false, false, false])
    }
}
