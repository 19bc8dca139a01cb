import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// The head: appends with Prometheus's checks, transactions, selection with the
/// empty-value rules, and queries that see exactly what was committed.
struct HeadTests {
    static func samples(_ querier: any Querier, _ matchers: [LabelMatcher]) throws -> [Labels: [Sample]] {
        var set = try querier.select(matchers, hints: nil)
        var out: [Labels: [Sample]] = [:]
        while let series = try set.next() {
            var iterator = series.makeIterator()
            while let sample = try iterator.next() { out[series.labels, default: []].append(sample) }
        }
        return out
    }

    @Test func appendRejectsWhatPrometheusRejects() throws {
        let head = Head()
        let a: Labels = ["__name__": "up", "job": "a"]
        var app = head.appender()
        try app.append(a, 1000, 1)
        try app.append(a, 2000, 2)
        #expect(throws: Head.AppendError.outOfOrder(series: a, timestamp: 1500)) { try app.append(a, 1500, 5) }
        #expect(throws: Head.AppendError.duplicateSampleForTimestamp(series: a, timestamp: 2000)) { try app.append(a, 2000, 3) }
        try app.append(a, 2000, 2)  // an exact repeat is ignored
        try app.commit()
        var next = head.appender()
        #expect(throws: Head.AppendError.outOfOrder(series: a, timestamp: 1999)) { try next.append(a, 1999, 1) }
        #expect(throws: Head.AppendError.invalidLabels(.empty, reason: "empty label set")) { try next.append(.empty, 5000, 1) }
        head.truncate(before: 10_000)
        #expect(throws: Head.AppendError.outOfBounds(series: a, timestamp: 9_999)) { try next.append(a, 9_999, 1) }
        #expect(Head.AppendError.outOfOrder(series: a, timestamp: 1).description.hasPrefix("out of order sample"))
        #expect(Head.AppendError.duplicateSampleForTimestamp(series: a, timestamp: 1).description.hasPrefix("duplicate sample for timestamp"))
        #expect(Head.AppendError.outOfBounds(series: a, timestamp: 1).description.hasPrefix("out of bounds"))
    }

    @Test func rollbackAndCommitAreAllOrNothing() throws {
        let head = Head()
        var app = head.appender()
        try app.append(["__name__": "x"], 1, 1)
        app.rollback()
        try app.commit()
        #expect(head.seriesCount == 0)
        struct Refused: Error {}
        var failing = head.appender { _ in throw Refused() }
        try failing.append(["__name__": "x"], 1, 1)
        #expect(throws: Refused.self) { try failing.commit() }
        #expect(head.seriesCount == 0)
        #expect(try Self.samples(head.querier(mint: .min, maxt: .max), [.equal("__name__", "x")]).isEmpty)
    }

    @Test func selectionFollowsTheEmptyValueRules() throws {
        let head = Head()
        var app = head.appender()
        let withA: Labels = ["__name__": "m", "a": "1"], withB: Labels = ["__name__": "m", "b": "2"]
        let empty: Labels = ["__name__": "m", "a": "", "c": "3"]
        for (i, l) in [withA, withB, empty].enumerated() { try app.append(l, 1000, Double(i)) }
        try app.commit()
        let q = try head.querier(mint: .min, maxt: .max)
        func names(_ matchers: [LabelMatcher]) throws -> Set<Labels> { Set(try Self.samples(q, matchers).keys) }
        let m = LabelMatcher.equal("__name__", "m")
        // {a=""} selects series without a (and a stored empty value).
        #expect(try names([m, .equal("a", "")]) == [withB, empty])
        // {a!=""} requires a non-empty a.
        #expect(try names([m, .notEqual("a", "")]) == [withA])
        #expect(try names([m, try LabelMatcher(.regexMatch, "a", ".*")]) == [withA, withB, empty])
        #expect(try names([m, try LabelMatcher(.regexMatch, "a", ".+")]) == [withA])
        #expect(try names([m, try LabelMatcher(.regexNoMatch, "b", "2")]) == [withA, empty])
        #expect(try names([.equal("c", "3")]) == [empty])
    }

    @Test func queriesReturnCommittedSamplesInOrderAcrossChunks() throws {
        let head = Head()
        let labels: Labels = ["__name__": "c", "i": "0"]
        var expected: [Sample] = []
        var t: Timestamp = 1_700_000_000_000
        for i in 0..<2_000 {
            var app = head.appender()
            try app.append(labels, t, Double(i))
            try app.commit()
            expected.append(Sample(timestamp: t, value: Double(i)))
            t += 15_000
        }
        let all = try Self.samples(head.querier(mint: .min, maxt: .max), [.equal("__name__", "c")])
        #expect(all[labels] == expected)
        let window = try Self.samples(head.querier(mint: expected[100].timestamp, maxt: expected[300].timestamp), [.equal("__name__", "c")])
        #expect(window[labels] == Array(expected[100...300]))
    }
}
