import Model

/// What a check of a block read: every series entry and every chunk, checksums verified
/// (and, for a deep check, float chunks decoded).
public struct BlockVerification: Sendable, Hashable {
    public var series = 0
    public var chunks = 0
    /// Samples in the float (XOR) chunks: decoded by a deep check, else from chunk headers.
    public var samples = 0
    /// Native-histogram chunks: their checksums are verified, their samples not decoded.
    public var histogramChunks = 0
}

extension Block {
    /// Reads the whole block as a reader that trusts nothing would: every series entry
    /// (checksum, sorted and unique label sets, chunks in time order inside the block's
    /// range), every chunk (checksum, known encoding, sample count) and the statistics of
    /// `meta.json`. A deep check (`decodingSamples`) also decodes every float sample and
    /// checks their order and ranges; checksums already catch damage in transit, so the
    /// deep check guards against a faulty writer. Throws the first problem found, naming
    /// the file and offset.
    public func verify(decodingSamples: Bool = false) throws(TSDBError) -> BlockVerification {
        var result = BlockVerification()
        var previous: Labels?
        let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 512)
        defer { buffer.deallocate() }
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
                guard meta.minTime <= meta.maxTime, meta.minTime >= self.meta.minTime, meta.maxTime <= self.meta.maxTime,
                      meta.minTime > lastTime else {
                    throw .corrupt(file: indexFile, offset: Int(ref), reason: "chunk [\(meta.minTime), \(meta.maxTime)] of \(labels) overlaps the previous chunk or lies outside the block's range [\(self.meta.minTime), \(self.meta.maxTime))")
                }
                result.chunks += 1
                let offset = Int(meta.ref & 0xFFFF_FFFF)
                if decodingSamples {
                    let (encoding, data) = try chunks.chunk(meta.ref)
                    guard encoding == ChunkEncoding.xor.rawValue else {
                        try countHistogramChunk(encoding, labels: labels, offset: offset, into: &result)
                        lastTime = meta.maxTime
                        continue
                    }
                    result.samples += try verifySamples(data, meta: meta, labels: labels, after: &lastTime, buffer: buffer)
                } else {
                    let (encoding, count) = try chunks.chunkSummary(meta.ref)
                    guard encoding == ChunkEncoding.xor.rawValue else {
                        try countHistogramChunk(encoding, labels: labels, offset: offset, into: &result)
                        lastTime = meta.maxTime
                        continue
                    }
                    result.samples += count
                    lastTime = meta.maxTime
                }
            }
        }
        try checkStatistics(result)
        return result
    }

    /// Native-histogram chunks are checksummed, not decoded; any other encoding is damage.
    private func countHistogramChunk(_ encoding: UInt8, labels: Labels, offset: Int, into result: inout BlockVerification) throws(TSDBError) {
        guard encoding == ChunkEncoding.histogram.rawValue || encoding == ChunkEncoding.floatHistogram.rawValue else {
            throw .corrupt(file: chunks.directory, offset: offset, reason: "chunk of \(labels) has unknown encoding \(encoding)")
        }
        result.histogramChunks += 1
    }

    /// Decodes one float chunk (in batches, into `buffer`) and checks its samples; returns
    /// how many it holds.
    private func verifySamples(
        _ data: [UInt8], meta: ChunkMeta, labels: Labels, after lastTime: inout Timestamp, buffer: UnsafeMutableBufferPointer<Sample>
    ) throws(TSDBError) -> Int {
        let place = { (reason: String) -> TSDBError in
            .corrupt(file: self.chunks.directory, offset: Int(meta.ref & 0xFFFF_FFFF), reason: "chunk of \(labels): \(reason)")
        }
        let chunk: XORChunk
        do throws(ChunkError) { chunk = try XORChunk(bytes: data) } catch { throw place("\(error)") }
        var iterator = chunk.makeIterator()
        var count = 0
        while true {
            let n: Int
            do throws(ChunkError) { n = try iterator.next(into: buffer) } catch { throw place("\(error)") }
            guard n > 0 else { break }
            for sample in UnsafeBufferPointer(rebasing: buffer[0..<n]) {
                guard sample.timestamp > lastTime else { throw place("sample at \(sample.timestamp) is not after the previous one at \(lastTime)") }
                lastTime = sample.timestamp
            }
            guard buffer[0].timestamp >= meta.minTime, buffer[n - 1].timestamp <= meta.maxTime else {
                throw place("samples [\(buffer[0].timestamp), \(buffer[n - 1].timestamp)] lie outside the chunk's range [\(meta.minTime), \(meta.maxTime)]")
            }
            count += n
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
