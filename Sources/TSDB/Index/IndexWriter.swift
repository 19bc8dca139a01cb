import Model

/// Writes a block's `index` file in format version 2, as Prometheus does: symbols,
/// 16-byte-aligned series entries, postings lists (the all-series list first), the
/// postings offset table and the table of contents.
struct IndexWriter {
    struct SeriesEntry {
        let labels: Labels
        let chunks: [ChunkMeta]
    }

    /// The index bytes for `series`, which must be sorted by labels with unique label sets.
    static func build(_ series: [SeriesEntry]) -> [UInt8] {
        var e = ByteEncoder(capacity: 1 << 16)
        e.be32(IndexReader.magic)
        e.bytes.append(2)

        // Symbols: every name and value, sorted by bytes.
        var symbolSet = Set<String>()
        for s in series { for label in s.labels { symbolSet.insert(label.name); symbolSet.insert(label.value) } }
        let symbols = symbolSet.sorted { ByteOrder.less($0, $1) }
        var ordinal: [String: UInt64] = [:]
        for (i, symbol) in symbols.enumerated() { ordinal[symbol] = UInt64(i) }
        let symbolsOffset = e.count
        section(&e) { e in
            e.be32(UInt32(symbols.count))
            for symbol in symbols { e.uvarintString(symbol) }
        }

        // Series, each 16-byte aligned; the reference is offset / 16.
        let seriesOffset: Int
        var refs: [UInt32] = []
        refs.reserveCapacity(series.count)
        e.pad(to: 16)
        seriesOffset = e.count
        for s in series {
            e.pad(to: 16)
            refs.append(UInt32(e.count / 16))
            var body = ByteEncoder()
            body.uvarint(UInt64(s.labels.count))
            for label in s.labels {
                body.uvarint(ordinal[label.name] ?? 0)
                body.uvarint(ordinal[label.value] ?? 0)
            }
            body.uvarint(UInt64(s.chunks.count))
            var previous: ChunkMeta?
            for chunk in s.chunks {
                if let p = previous {
                    body.uvarint(UInt64(bitPattern: chunk.minTime &- p.maxTime))
                    body.uvarint(UInt64(bitPattern: chunk.maxTime &- chunk.minTime))
                    body.varint(Int64(bitPattern: chunk.ref &- p.ref))
                } else {
                    body.varint(chunk.minTime)
                    body.uvarint(UInt64(bitPattern: chunk.maxTime &- chunk.minTime))
                    body.uvarint(chunk.ref)
                }
                previous = chunk
            }
            e.uvarint(UInt64(body.count))
            let start = e.count
            e.append(body.bytes)
            e.crc32(of: start..<e.count)
        }

        // Postings: the all-series list under ("", ""), then one list per label pair.
        var postings: [String: [String: [UInt32]]] = [:]
        for (i, s) in series.enumerated() {
            for label in s.labels { postings[label.name, default: [:]][label.value, default: []].append(refs[i]) }
        }
        e.pad(to: 4)
        let postingsOffset = e.count
        var offsets: [(name: String, value: String, offset: Int)] = []
        func writeList(_ name: String, _ value: String, _ list: [UInt32]) {
            e.pad(to: 4)
            offsets.append((name, value, e.count))
            section(&e) { e in
                e.be32(UInt32(list.count))
                for ref in list { e.be32(ref) }
            }
        }
        writeList("", "", refs)
        for name in postings.keys.sorted(by: { ByteOrder.less($0, $1) }) {
            let values = postings[name] ?? [:]
            for value in values.keys.sorted(by: { ByteOrder.less($0, $1) }) {
                writeList(name, value, values[value] ?? [])
            }
        }

        // Postings offset table.
        let postingsTableOffset = e.count
        section(&e) { e in
            e.be32(UInt32(offsets.count))
            for entry in offsets {
                e.uvarint(2)
                e.uvarintString(entry.name)
                e.uvarintString(entry.value)
                e.uvarint(UInt64(entry.offset))
            }
        }

        // Table of contents; the deprecated label index slots point where Prometheus points them.
        let tocStart = e.count
        for offset in [symbolsOffset, seriesOffset, postingsOffset, postingsTableOffset, postingsOffset, postingsTableOffset] {
            e.be64(UInt64(offset))
        }
        e.crc32(of: tocStart..<e.count)
        return e.bytes
    }

    /// `len u32 | body | crc u32`.
    private static func section(_ e: inout ByteEncoder, _ body: (inout ByteEncoder) -> Void) {
        let lengthAt = e.count
        e.be32(0)
        let start = e.count
        body(&e)
        let length = UInt32(e.count - start)
        e.bytes[lengthAt] = UInt8(truncatingIfNeeded: length >> 24)
        e.bytes[lengthAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
        e.bytes[lengthAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
        e.bytes[lengthAt + 3] = UInt8(truncatingIfNeeded: length)
        e.crc32(of: start..<e.count)
    }
}
