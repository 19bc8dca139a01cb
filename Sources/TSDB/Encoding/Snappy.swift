internal import CSnappy

/// Snappy block-format compression, as Prometheus uses for WAL records.
enum Snappy {
    /// The decompressed bytes, or nil when `input` is not valid snappy data.
    static func decompress(_ input: [UInt8]) -> [UInt8]? {
        input.withUnsafeBufferPointer { source -> [UInt8]? in
            guard let base = source.baseAddress else { return [] }
            let raw = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            var length = 0
            guard snappy_uncompressed_length(raw, source.count, &length) == SNAPPY_OK,
                  length <= 1 << 30 else { return nil }
            var output = [UInt8](repeating: 0, count: length)
            let status = output.withUnsafeMutableBufferPointer { out -> snappy_status in
                var produced = length
                let status = out.baseAddress.map { snappy_uncompress(raw, source.count, UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self), &produced) } ?? SNAPPY_OK
                return produced == length ? status : SNAPPY_INVALID_INPUT
            }
            return status == SNAPPY_OK ? output : nil
        }
    }

    /// The compressed form of `input`.
    static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { source -> [UInt8] in
            var length = snappy_max_compressed_length(source.count)
            var output = [UInt8](repeating: 0, count: length)
            let raw = source.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let status = output.withUnsafeMutableBufferPointer { out in
                snappy_compress(raw, source.count, UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self), &length)
            }
            guard status == SNAPPY_OK else { return [] }
            output.removeSubrange(length...)
            return output
        }
    }
}
