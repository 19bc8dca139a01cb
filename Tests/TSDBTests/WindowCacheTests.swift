import Model
import TestSupport
import Testing
@testable import TSDB

/// The window cache serves exactly what its base serves, for ranges moving forward as a
/// replay's do, and keeps the iterator contract (seek then next).
@Suite struct WindowCacheTests {
    static func read(_ q: any Queryable, _ matchers: [LabelMatcher], mint: Int64, maxt: Int64) throws -> [String] {
        var set = try q.querier(mint: mint, maxt: maxt).select(matchers, hints: SelectHints(start: mint, end: maxt))
        var out: [String] = []
        while let series = try set.next() {
            var it = series.makeIterator()
            var samples: [Sample] = []
            if let first = try it.seek(to: mint), first.timestamp <= maxt {
                samples.append(first)
                while let s = try it.next(), s.timestamp <= maxt { samples.append(s) }
            }
            if !samples.isEmpty { out.append("\(series.labels) \(samples.map { "\($0.timestamp):\($0.value)" })") }
        }
        return out
    }

    @Test func servesWhatTheBaseServes() throws {
        let head = Head()
        var appender = head.appender()
        var rng = SplitMix64(state: 7)
        for s in 0..<5 {
            let labels = Labels(["__name__": "m", "s": String(s)])
            var t: Int64 = Int64(s) * 1000
            for _ in 0..<400 {
                t += 10_000 + Int64(rng.below(20_000))
                try appender.append(labels, t, Double(rng.below(1000)))
            }
        }
        try appender.commit()
        let cache = WindowCache(base: head, lookahead: 600_000)
        let matchers = [LabelMatcher.equal("__name__", "m")]
        var t: Int64 = 0
        while t < 8_000_000 {
            for width: Int64 in [1, 60_000, 300_000] {
                #expect(try Self.read(cache, matchers, mint: t - width + 1, maxt: t) == Self.read(head, matchers, mint: t - width + 1, maxt: t))
            }
            t += 45_000
        }
    }

    @Test func seekThenNextFollowsTheContract() throws {
        let samples = (0..<5).map { Sample(timestamp: Int64($0) * 10, value: Double($0)) }
        var it = SliceIterator(samples: samples[...], position: 0)
        #expect(try it.seek(to: 15) == samples[2])
        #expect(try it.seek(to: 5) == samples[2])   // never backwards: the current sample again
        #expect(try it.next() == samples[3])
        #expect(try it.seek(to: 100) == nil)
    }
}
