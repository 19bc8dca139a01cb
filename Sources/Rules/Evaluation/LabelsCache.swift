import Foundation
import Model

/// Remembers, for one rule, the output labels it derived from each input label set, so
/// that the same series evaluated again (the normal case) costs one lookup instead of a
/// rebuild. Cleared when it outgrows the current outputs, so churn cannot grow it forever.
///
/// A reference type on purpose: rules are values copied in and out of their group, and a
/// value-typed dictionary would be copied on every evaluation.
final class LabelsCache: @unchecked Sendable {
    private let lock = NSLock()
    private var outputs: [Labels: Labels] = [:]

    /// The output for `input`, computing and remembering it when new.
    func output(for input: Labels, _ make: (Labels) -> Labels) -> Labels {
        if let known = lock.withLock({ outputs[input] }) { return known }
        let made = make(input)
        lock.withLock { outputs[input] = made }
        return made
    }

    /// Drops everything when more than twice `liveCount` entries are held.
    func trim(keeping liveCount: Int) {
        lock.withLock {
            if outputs.count > 2 * max(liveCount, 64) { outputs.removeAll(keepingCapacity: true) }
        }
    }
}

/// Remembers, for one rule, the labels of the `ALERTS` (per state) and `ALERTS_FOR_STATE`
/// series of its alerts by alert labels, so that an alert that returns after it vanished
/// writes to the very label sets its series were created with (the head then recognises
/// them without comparing them) and they are not rebuilt. Cleared when it outgrows the
/// active alerts, like ``LabelsCache``.
final class AlertSeriesLabelsCache: @unchecked Sendable {
    private let lock = NSLock()
    private var series: [Labels: (pending: Labels?, firing: Labels?, forState: Labels)] = [:]

    /// The labels of the `ALERTS` series of an alert with `labels` in `state`, and of its
    /// `ALERTS_FOR_STATE` series.
    func labels(for labels: Labels, state: AlertState) -> (alerts: Labels, forState: Labels) {
        func make(_ name: String, state: AlertState?) -> Labels {
            var builder = Labels.Builder(labels)
            builder.set(LabelName.metricName, name)
            if let state { builder.set("alertstate", state.rawValue) }
            return builder.build()
        }
        return lock.withLock {
            var entry = series[labels] ?? (nil, nil, make("ALERTS_FOR_STATE", state: nil))
            let alerts: Labels
            switch state {
            case .pending:
                alerts = entry.pending ?? make("ALERTS", state: state)
                entry.pending = alerts
            case .firing:
                alerts = entry.firing ?? make("ALERTS", state: state)
                entry.firing = alerts
            case .inactive:
                alerts = make("ALERTS", state: state)
            }
            series[labels] = entry
            return (alerts, entry.forState)
        }
    }

    /// Drops everything when more than twice `liveCount` entries are held.
    func trim(keeping liveCount: Int) {
        lock.withLock {
            if series.count > 2 * max(liveCount, 64) { series.removeAll(keepingCapacity: true) }
        }
    }
}
