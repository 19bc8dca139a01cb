import Model

/// `sort`, `sort_desc`, `sort_by_label`, `sort_by_label_desc`. Samples keep their labels
/// and metric names; only the order changes (which matters for instant queries only).
enum SortFunctions {
    /// `sort` (ascending) or `sort_desc` (descending) by value, NaN last either way.
    static func byValue(_ vector: Vector, descending: Bool, at time: Int64) -> Vector {
        var out = stamped(vector, at: time)
        out.sort { a, b in
            if a.value.isNaN { return false }
            if b.value.isNaN { return true }
            return descending ? a.value > b.value : a.value < b.value
        }
        return out
    }

    /// `sort_by_label(v, l...)` (or `_desc`): by the labels' values in natural order, then by
    /// the whole label set.
    static func byLabels(_ vector: Vector, names: [String], descending: Bool, at time: Int64) -> Vector {
        var out = stamped(vector, at: time)
        out.sort { a, b in
            for name in names {
                let x = a.labels.value(of: name), y = b.labels.value(of: name)
                if x.utf8.elementsEqual(y.utf8) { continue }
                return NaturalOrder.precedes(x, y) != descending
            }
            return descending ? b.labels < a.labels : a.labels < b.labels
        }
        return out
    }

    private static func stamped(_ vector: Vector, at time: Int64) -> Vector {
        var out = vector
        for i in out.indices { out[i].timestamp = time }
        return out
    }
}

/// The natural string order of `github.com/facette/natsort` (the version Prometheus uses):
/// strings are split into runs of ASCII digits and runs of other bytes, and runs that
/// both parse as integers compare numerically; others compare bytewise.
enum NaturalOrder {
    /// Whether `a` precedes `b` (natsort's `Compare`).
    static func precedes(_ a: String, _ b: String) -> Bool {
        let chunksA = chunks(Array(a.utf8)), chunksB = chunks(Array(b.utf8))
        for i in chunksA.indices {
            if i >= chunksB.count { return false }
            let x = chunksA[i], y = chunksB[i]
            if let m = integer(x), let n = integer(y) {
                if m == n {
                    if i == chunksA.count - 1 { return true }
                    if i == chunksB.count - 1 { return false }
                    continue
                }
                return m < n
            }
            if x.elementsEqual(y) {
                if i == chunksA.count - 1 { return true }
                if i == chunksB.count - 1 { return false }
                continue
            }
            return x.lexicographicallyPrecedes(y)
        }
        return false
    }

    /// Maximal runs of ASCII digits and of other bytes (`(\d+|\D+)`; a digit byte is never
    /// part of a multi-byte character, so runs split UTF-8 only between characters).
    private static func chunks(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        for i in bytes.indices where i > 0 && isDigit(bytes[i]) != isDigit(bytes[i - 1]) {
            out.append(bytes[start..<i])
            start = i
        }
        if start < bytes.count { out.append(bytes[start...]) }
        return out
    }

    @inline(__always) private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Go's `strconv.Atoi` of a chunk: a run of digits that fits in 64 bits (a non-digit
    /// chunk never parses, as it cannot be only a sign).
    private static func integer(_ chunk: ArraySlice<UInt8>) -> Int64? {
        guard let first = chunk.first, isDigit(first) else { return nil }
        var value: Int64 = 0
        for byte in chunk {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(byte - 0x30))
            if o1 || o2 { return nil }
            value = s
        }
        return value
    }
}
