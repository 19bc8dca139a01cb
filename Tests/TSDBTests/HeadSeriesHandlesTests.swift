import Model
import TestSupport
import Testing
@testable import TSDB

/// Batches appended through series handles end exactly as the same samples appended with a
/// ``HeadAppender`` and committed: same refusals, same series and refs, same samples; stale
/// or foreign handles are never trusted.
struct HeadSeriesHandlesTests {
    typealias Batch = [(labels: Labels, t: Timestamp, v: Double)]

    static let a: Labels = ["__name__": "a", "job": "x"]
    static let b: Labels = ["__name__": "b", "job": "x"]
    static let c: Labels = ["__name__": "c", "job": "y"]

    /// The batches: repeats in the same order, a new series in the middle (positions shift),
    /// out of order, duplicate, exact repeat, empty labels, and a series appearing twice.
    static let batches: [Batch] = [
        [(a, 1000, 1), (b, 1000, 2)],
        [(a, 2000, 1), (b, 2000, 2)],
        [(a, 3000, 1), (c, 3000, 5), (b, 3000, 2)],
        [(a, 2500, 9), (c, 3000, 6), (b, 3000, 2), (.empty, 4000, 1)],
        [(a, 4000, 1), (a, 5000, 2), (a, 4500, 3), (b, 5000, StaleMarker.value)],
        [(b, 6000, 1)],
    ]

    static func contents(_ head: Head) throws -> [Labels: [Sample]] {
        try HeadTests.samples(head.querier(mint: .min, maxt: .max), [.notEqual("__name__", "")])
    }

    static func same(_ x: [(index: Int, error: Head.AppendError)], _ y: [(index: Int, error: Head.AppendError)]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.index == $1.index && $0.error == $1.error }
    }

    @Test func batchesEndAsAppenderTransactions() throws {
        let viaAppender = Head(), viaHandles = Head()
        var handles = HeadSeriesHandles()
        for batch in Self.batches {
            var appender = viaAppender.appender()
            let expected = appender.append(contentsOf: batch)
            try appender.commit()
            let refused = viaHandles.append(count: batch.count, handles: &handles) { batch[$0] }
            #expect(Self.same(refused, expected), "\(batch)")
            #expect(handles.count == batch.count)
        }
        #expect(try Self.contents(viaHandles) == Self.contents(viaAppender))
        #expect(viaHandles.seriesRecords().map(\.labels) == viaAppender.seriesRecords().map(\.labels))
        #expect(viaHandles.seriesRecords().map(\.ref) == viaAppender.seriesRecords().map(\.ref))
        #expect(viaHandles.minTime == viaAppender.minTime && viaHandles.maxTime == viaAppender.maxTime)
    }

    /// Batches long enough for the append prefetcher's look-ahead (and the writer's early
    /// prefetch before each), with series coming and going (positions shift), samples that
    /// are refused, chunks cut by size and count, and the open chunks read between batches
    /// (so an append may find its chunk shared with a reader).
    @Test func longBatchesWithPrefetchingEndAsAppenderTransactions() throws {
        var random = SplitMix64(state: 20261126)
        let names = (0..<300).map { i -> Labels in ["__name__": "m\(i % 7)", "instance": "host-\(i)"] }
        let viaAppender = Head(chunkRange: 3_600_000), viaHandles = Head(chunkRange: 3_600_000)
        var handles = HeadSeriesHandles()
        var present = Array(0..<120)
        for round in 0..<150 {
            // Mostly the same series in the same order; sometimes some leave or join.
            if round % 10 == 9 {
                present.removeAll { _ in random.next() % 8 == 0 }
                present += (0..<Int(random.next() % 20)).map { _ in Int(random.next() % UInt64(names.count)) }
            }
            let t = Int64(round) * 15_000
            let batch: Batch = present.map { i in
                let roll = random.next() % 100
                let time = roll == 0 ? t - 30_000 : t  // out of order now and then
                return (names[i], time, roll < 50 ? Double(i) : Double(random.next() % 1000) / 7)
            }
            var appender = viaAppender.appender()
            let expected = appender.append(contentsOf: batch)
            try appender.commit()
            handles.prefetch()
            let refused = viaHandles.append(count: batch.count, handles: &handles) { batch[$0] }
            #expect(Self.same(refused, expected), "round \(round)")
            if round % 7 == 0 { _ = try Self.contents(viaHandles) }
        }
        #expect(try Self.contents(viaHandles) == Self.contents(viaAppender))
        #expect(viaHandles.seriesRecords().map(\.ref) == viaAppender.seriesRecords().map(\.ref))
    }

    @Test func truncatedSeriesAndOtherHeadsAreNotTrusted() throws {
        let head = Head(chunkRange: 1000)
        var handles = HeadSeriesHandles()
        _ = head.append(count: 1, handles: &handles) { _ in (Self.a, 100, 1) }
        head.truncate(before: 5000)  // removes `a`, whose handle is still held
        #expect(head.seriesCount == 0)
        let refused = head.append(count: 2, handles: &handles) { i in [(Self.a, 4000, 1), (Self.a, 6000, 2)][i] }
        #expect(Self.same(refused, [(0, .outOfBounds(series: Self.a, timestamp: 4000))]))
        #expect(head.seriesCount == 1)
        #expect(try Self.contents(head) == [Self.a: [Sample(timestamp: 6000, value: 2)]])

        // Handles of another head are dropped: the sample goes to this head's own series.
        let other = Head()
        #expect(other.append(count: 1, handles: &handles) { _ in (Self.a, 7000, 3) }.isEmpty)
        #expect(try Self.contents(other) == [Self.a: [Sample(timestamp: 7000, value: 3)]])
        #expect(try Self.contents(head) == [Self.a: [Sample(timestamp: 6000, value: 2)]])
    }
}
