import Model

/// What a full check of a block read: every series entry and every chunk, checksums
/// verified and float chunks decoded.
public struct BlockVerification: Sendable, Hashable {
    public var series = 0
    public var chunks = 0
    /// Samples in the float (XOR) chunks, all decoded.
    public var samples = 0
    /// Native-histogram chunks: their checksums are verified, their samples not decoded.
    public var histogramChunks = 0
}

extension Block {
    /// Reads the whole block as a reader that trusts nothing would: every series entry
    /// (checksum, sorted and unique label sets, chunk references in range), every chunk
    /// (checksum, decodable, samples in time order inside the chunk's and the block's
    /// range) and the statistics of `meta.json`. Throws the first problem found, naming
    /// the file and offset; a block that passes can be queried without surprises.
    public func verify() throws(TSDBError) -> BlockVerification {
        var result = BlockVerification()
        var previous: Labels?
        let indexFile = directory + "/index"
        for ref in try index.allPostings() {
            let (labels, metas) = try index.series(ref)
            if let previous, !(previous < labels) {
                throw .corrupt(file: indexFile, offset: Int(ref), reason: "series \(labels) is out of order or repeated (after \(previous))")
            }
            previous = labels
            result.series += 1
            var lastTime = Timestamp.min
            for meta in metas {
                guard meta.minTime <= meta.maxTime, meta.minTime >= self.meta.minTime, meta.maxTime <= self.meta.maxTime else {
                    throw .corrupt(file: indexFile, offset: Int(ref), reason: "chunk [\(meta.minTime), \(meta.maxTime)] of \(labels) lies outside the block's range [\(self.meta.minTime), \(self.meta.maxTime))")
                }
                result.chunks += 1
                let (encoding, data) = try chunks.chunk(meta.ref)
                guard encoding == ChunkEncoding.xor.rawValue else {
                    guard encoding == ChunkEncoding.histogram.rawValue || encoding == ChunkEncoding.floatHistogram.rawValue else {
                        throw .corrupt(file: chunks.directory, offset: Int(meta.ref & 0xFFFF_FFFF), reason: "chunk of \(labels) has unknown encoding \(encoding)")
                    }
                    result.histogramChunks += 1
                    continue
                }
                result.samples += try verifySamples(data, meta: meta, labels: labels, after: &lastTime)
            }
        }
        try checkStatistics(result)
        return result
    }

    /// Decodes one float chunk and checks its samples; returns how many it holds.
    private func verifySamples(_ data: [UInt8], meta: ChunkMeta, labels: Labels, after lastTime: inout Timestamp) throws(TSDBError) -> Int {
        let place = { (reason: String) -> TSDBError in
            .corrupt(file: self.chunks.directory, offset: Int(meta.ref & 0xFFFF_FFFF), reason: "chunk of \(labels): \(reason)")
        }
        let chunk: XORChunk
        do throws(ChunkError) { chunk = try XORChunk(bytes: data) } catch { throw place("\(error)") }
        var iterator = chunk.makeIterator()
        var count = 0
        while true {
            let next: Sample?
            do throws(ChunkError) { next = try iterator.next() } catch { throw place("\(error)") }
            guard let sample = next else { break }
            guard sample.timestamp > lastTime else { throw place("sample at \(sample.timestamp) is not after the previous one at \(lastTime)") }
            guard sample.timestamp >= meta.minTime, sample.timestamp <= meta.maxTime else {
                throw place("sample at \(sample.timestamp) lies outside the chunk's range [\(meta.minTime), \(meta.maxTime)]")
            }
            lastTime = sample.timestamp
            count += 1
        }
        guard count == chunk.sampleCount else { throw place("holds \(count) samples, its header says \(chunk.sampleCount)") }
        return count
    }

    /// `meta.json`'s counts, where given, must be what the block holds.
    private func checkStatistics(_ result: BlockVerification) throws(TSDBError) {
        guard let stats = meta.stats else { return }
        let file = directory + "/meta.json"
        if let series = stats.numSeries, series != UInt64(result.series) {
            throw .invalidMeta(file: file, reason: "stats.numSeries is \(series), the index holds \(result.series) series")
        }
        if let chunks = stats.numChunks, chunks != UInt64(result.chunks) {
            throw .invalidMeta(file: file, reason: "stats.numChunks is \(chunks), the index references \(result.chunks) chunks")
        }
        if result.histogramChunks == 0, let samples = stats.numSamples, samples != UInt64(result.samples) {
            throw .invalidMeta(file: file, reason: "stats.numSamples is \(samples), the chunks hold \(result.samples) samples")
        }
    }
}
