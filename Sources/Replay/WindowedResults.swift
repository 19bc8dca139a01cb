import Foundation
import PromQL
import TSDB

/// The vectors of rule expressions at every slot of a window, computed with one range
/// query per expression, served to the rule engine in place of its instant queries (see
/// ``PrecomputedResults``). Filled (several expressions at once) and cleared by the replay
/// between phases of a group's pass; read by that group's evaluation.
final class WindowedResults: PrecomputedResults, @unchecked Sendable {
    private struct Entry {
        var start: Int64
        var step: Int64
        var results: [QueryResult]
    }

    /// The most points one expression's window may hold (about 200 MB of vectors).
    static let maximumPoints = 5_000_000

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    func result(for query: String, at time: Int64) -> QueryResult? {
        guard let entry = lock.withLock({ entries[query] }) else { return nil }
        let offset = time - entry.start
        guard offset >= 0, offset % entry.step == 0 else { return nil }
        let index = Int(offset / entry.step)
        return index < entry.results.count ? entry.results[index] : nil
    }

    func removeAll() { lock.withLock { entries.removeAll(keepingCapacity: true) } }

    /// Computes `expr` (whose text is `query`) at `count` times `start + k × step` with
    /// `engine` (which must not serve precomputed results itself). Nothing is stored when
    /// the range query fails: the rule then evaluates slot by slot, reporting the error at
    /// the slots where it occurs, as live.
    func precompute(_ expr: Expr, query: String, start: Int64, step: Int64, count: Int, engine: Engine, storage: any Queryable) {
        guard count > 0, lock.withLock({ entries[query] == nil }) else { return }
        let end = start + Int64(count - 1) * step
        guard let result = try? engine.rangeQuery(expr, query: query, start: start, end: end, step: step, on: storage),
              case .matrix(let matrix) = result.value else { return }
        // Memory stays bounded: a result too large to hold for a window (a rule over very
        // many series) is dropped, and that rule evaluates slot by slot instead.
        guard matrix.reduce(0, { $0 + $1.samples.count }) <= Self.maximumPoints else { return }
        var results: [QueryResult]
        if expr.type == .scalar {
            // A scalar expression gives one series with a point at every step.
            guard let points = matrix.first?.samples, points.count == count else { return }
            results = points.map { QueryResult(value: .scalar(timestamp: $0.timestamp, value: $0.value)) }
        } else {
            var vectors = [Vector](repeating: [], count: count)
            for series in matrix {
                for sample in series.samples {
                    let index = Int((sample.timestamp - start) / step)
                    vectors[index].append(VectorSample(labels: series.labels, timestamp: sample.timestamp, value: sample.value))
                }
            }
            results = vectors.map { QueryResult(value: .vector($0)) }
        }
        lock.withLock { entries[query] = Entry(start: start, step: step, results: results) }
    }
}
