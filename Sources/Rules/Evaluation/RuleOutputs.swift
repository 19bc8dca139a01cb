import Model
import TSDB

/// What a rule wrote at its previous evaluation, and writing its next outputs: stale markers
/// for the series it wrote then and not now, and the storage's handles on its series.
struct RuleOutputs: Sendable {
    /// The output series of the previous evaluation, in output order.
    private var previousSeries: [Labels] = []
    /// What storage remembered of those series.
    private var handles = HeadSeriesHandles()

    /// A hint that the rule is about to write (see ``HeadSeriesHandles/prefetch()``).
    mutating func prefetch() { handles.prefetch() }

    /// Writes `samples` (evaluated at `time`, stamped at `time - queryOffset`) with stale
    /// markers for the series written last time and not now; returns storage's error for a
    /// refused output and counts the refused samples in `rejected`.
    mutating func write(
        _ samples: [RuleOutputSample], at time: Int64, queryOffset: Int64, to storage: any RuleStorage, rejected: inout Int
    ) -> String? {
        var outputs = samples
        // Outputs usually repeat in the same order, which one pass over both lists confirms.
        var unchanged = previousSeries.count == outputs.count
        if unchanged {
            for j in outputs.indices where outputs[j].labels != previousSeries[j] {
                unchanged = false
                break
            }
        }
        if !unchanged {
            let current = Set(outputs.lazy.map(\.labels))
            let staleTime = time - queryOffset
            for labels in previousSeries.sorted() where !current.contains(labels) {
                outputs.append(RuleOutputSample(labels: labels, timestamp: staleTime, value: StaleMarker.value))
            }
            previousSeries = outputs.lazy.filter { !StaleMarker.isStale($0.value) }.map(\.labels)
        }
        // Nothing to write (an alerting rule without alerts, usually): storage is not bothered.
        if outputs.isEmpty { return nil }
        do {
            let appended = try storage.appendRuleOutputs(outputs, handles: &handles)
            rejected += appended.rejected
            return appended.lastError
        } catch {
            return "\(error)"
        }
    }
}
