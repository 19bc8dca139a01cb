import Model

/// A WAL record in Prometheus's `tsdb/record` encoding, so that Prometheus could replay a
/// WAL written by Hindsight (and Hindsight the float records of Prometheus's WAL).
///
/// The first byte is the record type: 1 series, 2 samples, 3 tombstones. Other types
/// (exemplars, metadata, histograms, …) decode as ``unknown(type:)`` for callers to skip.
public enum WALRecord: Sendable, Hashable {
    /// New series and their references: per series `u64 BE ref`, `uvarint` label count, then
    /// `uvarint`-length-prefixed name and value strings.
    case series([(ref: UInt64, labels: Labels)])
    /// Float samples: `u64 BE first ref | i64 BE first t`, then per sample (the first
    /// included, with zero deltas) `varint(ref − first ref) | varint(t − first t) | u64 BE
    /// float bits`. Values keep their exact bit pattern, so staleness markers survive.
    case samples([(ref: UInt64, t: Int64, v: Double)])
    /// Deleted time ranges: per interval `u64 BE ref | varint mint | varint maxt`.
    /// Decoding merges consecutive intervals of the same series into one entry.
    case tombstones([(ref: UInt64, intervals: [ClosedRange<Int64>])])
    /// A record type this decoder does not know; the payload is not kept.
    case unknown(type: UInt8)

    /// The type byte of ``series(_:)`` records (Prometheus's `record.Series`).
    public static let seriesType: UInt8 = 1
    /// The type byte of ``samples(_:)`` records (Prometheus's `record.Samples`).
    public static let samplesType: UInt8 = 2
    /// The type byte of ``tombstones(_:)`` records (Prometheus's `record.Tombstones`).
    public static let tombstonesType: UInt8 = 3

    /// The record's bytes as stored in the WAL.
    public func encoded() -> [UInt8] {
        switch self {
        case let .series(series):
            var e = ByteEncoder(capacity: 1 + series.count * 64)
            e.bytes.append(Self.seriesType)
            for (ref, labels) in series {
                e.be64(ref)
                e.uvarint(UInt64(labels.count))
                labels.forEachLabelBytes { name, value in
                    e.uvarint(UInt64(name.count))
                    e.bytes.append(contentsOf: name)
                    e.uvarint(UInt64(value.count))
                    e.bytes.append(contentsOf: value)
                }
            }
            return e.bytes
        case let .samples(samples):
            var e = ByteEncoder(capacity: 17 + samples.count * 12)
            e.bytes.append(Self.samplesType)
            guard let first = samples.first else { return e.bytes }
            e.be64(first.ref)
            e.be64(UInt64(bitPattern: first.t))
            for sample in samples {
                // Go computes int64(ref) − int64(firstRef) with wrap-around; so do we.
                e.varint(Int64(bitPattern: sample.ref &- first.ref))
                e.varint(sample.t &- first.t)
                e.be64(sample.v.bitPattern)
            }
            return e.bytes
        case let .tombstones(tombstones):
            var e = ByteEncoder(capacity: 1 + tombstones.count * 20)
            e.bytes.append(Self.tombstonesType)
            for (ref, intervals) in tombstones {
                for interval in intervals {
                    e.be64(ref)
                    e.varint(interval.lowerBound)
                    e.varint(interval.upperBound)
                }
            }
            return e.bytes
        case let .unknown(type):
            return [type]
        }
    }

    /// Decodes a record read from the WAL.
    ///
    /// Throws ``TSDBError/corrupt(file:offset:reason:)`` (file "WAL record", offset within the
    /// record) for an empty, truncated or overlong record; unknown types are not errors.
    /// Intervals with mint > maxt delete nothing and are dropped.
    public static func decode(_ bytes: [UInt8]) throws(TSDBError) -> WALRecord {
        try decode(bytes, file: "WAL record")
    }

    /// ``decode(_:)`` with errors naming `file` (for example the segment and record offset
    /// from ``WALReader``).
    public static func decode(_ bytes: [UInt8], file: String) throws(TSDBError) -> WALRecord {
        guard let type = bytes.first else {
            throw .corrupt(file: file, offset: 0, reason: "empty WAL record (no type byte)")
        }
        return try bytes.withUnsafeBufferPointer { buffer throws(TSDBError) -> WALRecord in
            var d = ByteDecoder(buffer, from: 1)
            do throws(ByteDecoder.Failure) {
                switch type {
                case seriesType: return .series(try decodeSeries(&d))
                case samplesType: return .samples(try decodeSamples(&d))
                case tombstonesType: return .tombstones(try decodeTombstones(&d))
                default: return .unknown(type: type)
                }
            } catch {
                let what = type == seriesType ? "series record" : type == samplesType ? "samples record" : "tombstones record"
                throw error.error(file: file, what: what)
            }
        }
    }

    private static func decodeSeries(_ d: inout ByteDecoder) throws(ByteDecoder.Failure) -> [(ref: UInt64, labels: Labels)] {
        var series: [(ref: UInt64, labels: Labels)] = []
        while d.remaining > 0 {
            let ref = try d.be64()
            let countAt = d.position
            let count = try d.uvarintInt()
            // Each label takes at least two bytes: bounds the allocation for corrupt counts.
            guard count <= d.remaining / 2 else { throw .truncated(at: countAt) }
            var packer = LabelsPacker(capacity: 16 * count)
            var previous: UnsafeBufferPointer<UInt8>? = nil
            var sorted = true
            var pairs: [(UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)] = []
            pairs.reserveCapacity(count)
            for _ in 0..<count {
                let name = try d.uvarintBytes()
                let value = try d.uvarintBytes()
                if let previous, ByteOrder.compare(previous, name) >= 0 { sorted = false }
                previous = name
                pairs.append((name, value))
            }
            let labels: Labels
            if sorted {
                for (name, value) in pairs { packer.append(name, value) }
                labels = Labels(packed: packer.bytes, count: count)
            } else {
                // Prometheus sorts on decode; `Labels(_:)` also keeps the last of duplicates.
                labels = Labels(pairs.map { Label(String(decoding: $0.0, as: UTF8.self), String(decoding: $0.1, as: UTF8.self)) })
            }
            series.append((ref, labels))
        }
        return series
    }

    private static func decodeSamples(_ d: inout ByteDecoder) throws(ByteDecoder.Failure) -> [(ref: UInt64, t: Int64, v: Double)] {
        var samples: [(ref: UInt64, t: Int64, v: Double)] = []
        guard d.remaining > 0 else { return samples }
        let firstRef = try d.be64()
        let firstT = Int64(bitPattern: try d.be64())
        samples.reserveCapacity(d.remaining / 10)
        while d.remaining > 0 {
            let refDelta = try d.varint()
            let tDelta = try d.varint()
            let bits = try d.be64()
            samples.append((firstRef &+ UInt64(bitPattern: refDelta), firstT &+ tDelta, Double(bitPattern: bits)))
        }
        return samples
    }

    private static func decodeTombstones(_ d: inout ByteDecoder) throws(ByteDecoder.Failure) -> [(ref: UInt64, intervals: [ClosedRange<Int64>])] {
        var tombstones: [(ref: UInt64, intervals: [ClosedRange<Int64>])] = []
        while d.remaining > 0 {
            let ref = try d.be64()
            let mint = try d.varint()
            let maxt = try d.varint()
            guard mint <= maxt else { continue }
            if let last = tombstones.last, last.ref == ref {
                tombstones[tombstones.count - 1].intervals.append(mint...maxt)
            } else {
                tombstones.append((ref, [mint...maxt]))
            }
        }
        return tombstones
    }

    // MARK: Hashable (tuples have no synthesized conformance)

    /// Records are equal when their entries are; sample values compare by bit pattern, so a
    /// record equals itself even with NaN values and staleness markers are told apart.
    public static func == (lhs: WALRecord, rhs: WALRecord) -> Bool {
        switch (lhs, rhs) {
        case let (.series(a), .series(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.ref == $1.ref && $0.labels == $1.labels }
        case let (.samples(a), .samples(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.ref == $1.ref && $0.t == $1.t && $0.v.bitPattern == $1.v.bitPattern }
        case let (.tombstones(a), .tombstones(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.ref == $1.ref && $0.intervals == $1.intervals }
        case let (.unknown(a), .unknown(b)):
            return a == b
        default:
            return false
        }
    }

    /// Hashes what ``==`` compares (sample values by bit pattern).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case let .series(series):
            hasher.combine(Self.seriesType)
            hasher.combine(series.count)
            for (ref, labels) in series {
                hasher.combine(ref)
                hasher.combine(labels)
            }
        case let .samples(samples):
            hasher.combine(Self.samplesType)
            hasher.combine(samples.count)
            for (ref, t, v) in samples {
                hasher.combine(ref)
                hasher.combine(t)
                hasher.combine(v.bitPattern)
            }
        case let .tombstones(tombstones):
            hasher.combine(Self.tombstonesType)
            hasher.combine(tombstones.count)
            for (ref, intervals) in tombstones {
                hasher.combine(ref)
                hasher.combine(intervals)
            }
        case let .unknown(type):
            hasher.combine(UInt8(0))
            hasher.combine(type)
        }
    }
}
