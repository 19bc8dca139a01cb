import Model

/// Selects series of the head within [mint, maxt].
struct HeadQuerier: Querier {
    let head: Head
    let mint: Timestamp
    let maxt: Timestamp

    func select(_ matchers: [LabelMatcher], hints: SelectHints?) throws -> any SeriesSet {
        let start = max(mint, hints?.start ?? mint), end = min(maxt, hints?.end ?? maxt)
        var series: [(Labels, [XORChunk])] = []
        for ref in try PostingsForMatchers.resolve(matchers, in: head) {
            guard let (labels, chunks) = head.series(ref, mint: start, maxt: end), !chunks.isEmpty else { continue }
            series.append((labels, chunks))
        }
        series.sort { $0.0 < $1.0 }
        return ArraySeriesSet(series.map { ChunksSeries(labels: $0.0, chunks: $0.1, mint: start, maxt: end) })
    }

    func labelNames(matching matchers: [LabelMatcher]) throws -> [String] {
        guard !matchers.isEmpty else { return head.labelNames() }
        return try PostingsForMatchers.labelNames(matching: matchers, in: head) { head.series($0, mint: mint, maxt: maxt)?.0 }
    }

    func labelValues(_ name: String, matching matchers: [LabelMatcher]) throws -> [String] {
        guard !matchers.isEmpty else { return head.labelValues(name) }
        return try PostingsForMatchers.labelValues(name, matching: matchers, in: head) { head.series($0, mint: mint, maxt: maxt)?.0 }
    }
}

/// A series from in-memory chunks, limited to [mint, maxt].
struct ChunksSeries: Series {
    let labels: Labels
    let chunks: [XORChunk]
    let mint: Timestamp
    let maxt: Timestamp

    func makeIterator() -> any SampleIterator {
        ChunksIterator(chunks: chunks, mint: mint, maxt: maxt)
    }
}

/// Decodes chunks one after another, keeping samples in [mint, maxt].
struct ChunksIterator: SampleIterator {
    let chunks: [XORChunk]
    let mint: Timestamp
    let maxt: Timestamp
    private var index = 0
    private var current: XORIterator?
    private var last: Sample?
    private var done = false

    init(chunks: [XORChunk], mint: Timestamp, maxt: Timestamp) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
    }

    mutating func next() throws -> Sample? {
        while !done {
            if current == nil {
                guard index < chunks.count else { break }
                current = chunks[index].makeIterator()
                index += 1
            }
            guard let sample = try current?.next() else {
                current = nil
                continue
            }
            if sample.timestamp < mint { continue }
            if sample.timestamp > maxt { break }
            last = sample
            return sample
        }
        done = true
        last = nil
        return nil
    }

    mutating func seek(to t: Timestamp) throws -> Sample? {
        if let last, last.timestamp >= t { return last }
        while let sample = try next() {
            if sample.timestamp >= t { return sample }
        }
        return nil
    }
}
