import Foundation
import Model
import PromQL

/// A list of label sets packed one after another into a single buffer, with their hashes:
/// what a rule remembers of its previous input series to recognise them in the next
/// evaluation. Comparing a new vector against it reads two contiguous buffers in order,
/// instead of one separate buffer per series (each a likely cache miss, since the rule last
/// ran a whole group evaluation ago).
struct PackedLabelsList: Sendable {
    /// The packed label sets, one after another.
    private var bytes: [UInt8] = []
    /// Where each label set ends in `bytes`, and its stable hash.
    private var entries: [(end: Int, hash: UInt64)] = []

    /// How many label sets the list holds.
    var count: Int { entries.count }

    /// Replaces the list with the label sets of `vector`, in order, reusing its capacity.
    mutating func replace(with vector: [VectorSample]) {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        entries.reserveCapacity(vector.count)
        for sample in vector {
            sample.labels.withPackedBytes { bytes.append(contentsOf: $0) }
            entries.append((bytes.count, sample.labels.stableHash))
        }
    }

    /// Whether `vector`'s label sets are exactly the list's, in the same order.
    func matches(_ vector: [VectorSample]) -> Bool {
        guard vector.count == entries.count else { return false }
        return bytes.withUnsafeBufferPointer { packed in
            var start = 0
            for j in vector.indices {
                let (end, hash) = entries[j]
                let labels = vector[j].labels
                guard labels.stableHash == hash else { return false }
                let equal = labels.withPackedBytes { Self.equal($0, UnsafeBufferPointer(rebasing: packed[start..<end])) }
                guard equal else { return false }
                start = end
            }
            return true
        }
    }

    /// Whether two byte buffers hold the same bytes.
    @inline(__always)
    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let x = a.baseAddress, let y = b.baseAddress else { return true }
        return memcmp(x, y, a.count) == 0
    }
}
