import Model
import TSDB

/// A test group's storage: a fresh head, plus what Prometheus turns into a rule's error and
/// the evaluation core only counts — rule outputs the head rejects (a duplicate sample for
/// a timestamp, an out-of-order sample). Prometheus sets such a rejection as the rule's last
/// error, which makes promtool fail the test group; stale markers it rejects are ignored.
final class TestStorage: RuleStorage, @unchecked Sendable {
    let head = Head()
    /// One entry per ``appendRuleOutputs(_:)`` call since the last ``takeRejections()``: the
    /// last rejected output's error, or nil.
    private var rejections: [String?] = []

    func querier(mint: Timestamp, maxt: Timestamp) throws -> any Querier {
        try head.querier(mint: mint, maxt: maxt)
    }

    func appendRuleOutputs(_ samples: [RuleOutputSample]) throws -> Int {
        var appender = head.appender()
        var rejected = 0
        var lastError: String?
        for sample in samples {
            do {
                try appender.append(sample.labels, sample.timestamp, sample.value)
            } catch {
                rejected += 1
                if !StaleMarker.isStale(sample.value) { lastError = Self.prometheusMessage(error) }
            }
        }
        rejections.append(lastError)
        try appender.commit()
        return rejected
    }

    /// The rejections recorded since the previous call, one entry per rule that appended.
    func takeRejections() -> [String?] {
        defer { rejections.removeAll() }
        return rejections
    }

    /// The error as Prometheus's storage words it (without the series and time).
    static func prometheusMessage(_ error: any Error) -> String {
        switch error as? Head.AppendError {
        case .duplicateSampleForTimestamp: "duplicate sample for timestamp"
        case .outOfOrder: "out of order sample"
        case .outOfBounds: "out of bounds"
        default: "\(error)"
        }
    }
}
