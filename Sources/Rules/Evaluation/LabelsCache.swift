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
