import Foundation
import Testing
import TestSupport
@testable import PromQL

/// Random and mutated queries: each one parses (and then prints to text that parses back
/// to the same tree) or fails with a `ParseError` positioned inside the query. Never a
/// crash, never a hang. Seeded, so failures reproduce.
@Suite struct ParserFuzzTests {
    /// Fragments worth splicing in: tokens, keywords, and the pieces of them that make
    /// lexers and parsers stumble.
    static let fragments: [String] = [
        "(", ")", "[", "]", "{", "}", ",", ":", "::", "+", "-", "*", "/", "%", "^", "==", "!=", "<", ">=",
        "=~", "!~", "=", "!", "@", "#", "\n", " ", "\t", "\"", "'", "`", "\\", ".", "_", "0x", "1e", "e+",
        "offset", "offset -", "@ start()", "@ end()", "@ 100", "by", "without", "on", "ignoring", "group_left",
        "group_right", "bool", "and", "or", "unless", "atan2", "sum", "topk(", "count_values(", "quantile(",
        "limitk(", "rate(", "abs(", "label_join(", "info(", "step()", "range()", "min_of(", "max_of(",
        "5m", "1h30m", "300", "1.5", "-1", "Inf", "NaN", "0755", "1_000", "[5m]", "[5m:1m]", "[1h:]", "{a=\"b\"}",
        "{__name__=~\".+\"}", "\"\\x41\"", "'\\u00e9'", "`raw`", "foo", "foo:bar", "é", "\u{FFFD}", "\u{0}",
        "fill(0)", "anchored", "smoothed", "</", ">/",
    ]

    @Test func randomAndMutatedQueriesNeverCrash() throws {
        var corpus = ParserCorpus.all.map(\.text)
        if corpus.isEmpty {
            // Without the conformance corpus, mutate a few queries of our own.
            corpus = [
                #"sum by (job) (rate(http_requests_total{job=~"api.*"}[5m] offset 1m))"#,
                "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))",
                "a + on(b) group_left(c) d > bool 1", "foo[5m+step():1m] @ end()", "-1 ^ 2 * 3 % 4 atan2 5",
                #"count_values("v", x) or topk(3, y) unless z"#, "max_of(1, 2)", "foo offset -(step()*2)",
            ]
        }
        // PARSER_FUZZ_SEED and PARSER_FUZZ_ITERATIONS explore further than the default run.
        let environment = ProcessInfo.processInfo.environment
        var rng = SplitMix64(state: environment["PARSER_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_F00D)
        let iterations = environment["PARSER_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 100_000
        var parsed = 0
        var failed = 0
        let start = Date()
        for i in 0..<iterations {
            let query: String
            switch i % 10 {
            case 0: query = Self.randomQuery(&rng)
            case 1: query = Self.splice(corpus[rng.below(corpus.count)], corpus[rng.below(corpus.count)], &rng)
            default: query = Self.mutate(corpus[rng.below(corpus.count)], &rng)
            }
            do {
                let expr = try PromQLParser.parse(query)
                parsed += 1
                let printed = expr.description
                do {
                    let reparsed = try PromQLParser.parse(printed)
                    if reparsed.withoutPositions != expr.withoutPositions {
                        Issue.record("\(GoString.quote(query)) printed as \(GoString.quote(printed)) parses differently")
                    }
                } catch {
                    Issue.record("\(GoString.quote(query)) printed as \(GoString.quote(printed)) fails: \(error)")
                }
            } catch {
                failed += 1
                let length = query.utf8.count
                let valid = error.position.start >= 0 && error.position.start <= error.position.end && error.position.end <= length
                if !valid { Issue.record("\(GoString.quote(query)): bad position \(error.position) for \(error.message)") }
                if error.message.isEmpty { Issue.record("\(GoString.quote(query)): empty message") }
                _ = error.description
            }
        }
        #expect(parsed + failed == iterations)
        #expect(parsed > iterations / 20, "only \(parsed) of the fuzzed queries parsed")
        #expect(failed > iterations / 5)
        #expect(Date().timeIntervalSince(start) < Double(iterations) / 1000)
    }

    /// A query from random fragments and characters.
    static func randomQuery(_ rng: inout SplitMix64) -> String {
        var out = ""
        for _ in 0..<(1 + rng.below(12)) {
            if rng.below(4) == 0 {
                out.unicodeScalars.append(Unicode.Scalar(UInt8(32 + rng.below(95))))
            } else {
                out += fragments[rng.below(fragments.count)]
            }
        }
        return out
    }

    /// One to three edits of a query: deletions, insertions, duplications, swaps, truncation.
    static func mutate(_ query: String, _ rng: inout SplitMix64) -> String {
        var bytes = Array(query.utf8)
        for _ in 0..<(1 + rng.below(3)) {
            let n = bytes.count
            switch rng.below(7) {
            case 0 where n > 0:
                let a = rng.below(n)
                let b = min(n, a + 1 + rng.below(4))
                bytes.removeSubrange(a..<b)
            case 1, 2:
                let at = rng.below(n + 1)
                bytes.insert(contentsOf: Array(fragments[rng.below(fragments.count)].utf8), at: at)
            case 3 where n > 1:
                let a = rng.below(n - 1)
                bytes.swapAt(a, a + 1)
            case 4 where n > 0:
                let a = rng.below(n)
                let b = min(n, a + 1 + rng.below(8))
                bytes.insert(contentsOf: bytes[a..<b], at: rng.below(n + 1))
            case 5 where n > 0:
                bytes.removeSubrange(rng.below(n)..<n)
            case 6 where n > 0:
                bytes[rng.below(n)] = UInt8(32 + rng.below(95))
            default:
                bytes.append(contentsOf: Array(fragments[rng.below(fragments.count)].utf8))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The start of one query and the end of another.
    static func splice(_ a: String, _ b: String, _ rng: inout SplitMix64) -> String {
        let x = Array(a.utf8), y = Array(b.utf8)
        return String(decoding: x.prefix(rng.below(x.count + 1)) + y.suffix(rng.below(y.count + 1)), as: UTF8.self)
    }
}

import Model
