/// The encoding byte stored before every chunk in a block's `chunks/` segment files (and
/// in `chunks_head/`, there with bit 7 flagging out-of-order chunks).
///
/// The raw values are Prometheus's `chunkenc.Encoding` numbers, so they can be compared
/// with the byte read from disk. `init?(rawValue:)` returns nil for encodings this type
/// does not name (0, and the opt-in start-timestamp encodings 4–6); report those with
/// ``ChunkError/unsupportedEncoding(_:)``.
public enum ChunkEncoding: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// Gorilla-style float chunks: delta-of-delta timestamps, XOR-compressed values.
    case xor = 1
    /// Native (integer) histogram chunks.
    case histogram = 2
    /// Native float histogram chunks.
    case floatHistogram = 3

    public var description: String { Self.name(of: rawValue) }

    /// Prometheus's name for any encoding byte, including ones this type has no case for.
    public static func name(of raw: UInt8) -> String {
        switch raw {
        case 0: return "none"
        case 1: return "XOR"
        case 2: return "histogram"
        case 3: return "floathistogram"
        case 4: return "XOR2"
        case 5: return "histogramST"
        case 6: return "floathistogramST"
        default: return "unknown"
        }
    }
}

/// Why a chunk could not be decoded.
///
/// Chunk data comes from disk, so every malformed input is reported with one of these
/// instead of trapping: the caller (usually a block reader) adds the file and offset.
public enum ChunkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The chunk data is shorter than its fixed-size header (`headerSize` bytes).
    case missingHeader(byteCount: Int, headerSize: Int)
    /// The chunk's encoding byte names an encoding this reader does not decode.
    case unsupportedEncoding(UInt8)
    /// A ``BitReader`` was asked for bits beyond the end of its data.
    case endOfStream(bitOffset: Int, byteCount: Int)
    /// The bitstream ended inside sample `sampleIndex` (0-based), before the
    /// `sampleCount` samples that the chunk header announces.
    case truncated(sampleIndex: Int, sampleCount: Int, byteCount: Int)
    /// A varint at `byteOffset` of the data does not fit in 64 bits.
    case varintOverflow(byteOffset: Int)
    /// Sample `sampleIndex` encodes its value XOR with an impossible bit window
    /// (leading zeros plus significant bits exceed 64).
    case invalidValueWindow(sampleIndex: Int, leading: Int, significantBits: Int)

    public var description: String {
        switch self {
        case let .missingHeader(byteCount, headerSize):
            return "chunk data is \(byteCount) byte(s), shorter than its \(headerSize)-byte header: "
                + "the chunk is truncated or its reference points at the wrong offset"
        case let .unsupportedEncoding(raw):
            let name = ChunkEncoding.name(of: raw)
            return "unsupported chunk encoding \(raw) (\(name)): only XOR float chunks (encoding 1) can be decoded; "
                + "the data was written by a newer or differently configured Prometheus, or the chunk is corrupt"
        case let .endOfStream(bitOffset, byteCount):
            return "bitstream read past its end at bit \(bitOffset) of \(byteCount) byte(s): the data is truncated or corrupt"
        case let .truncated(sampleIndex, sampleCount, byteCount):
            return "XOR chunk is truncated: its header announces \(sampleCount) samples, but its \(byteCount) bytes "
                + "end inside sample \(sampleIndex + 1); the chunk file is damaged (verify its CRC)"
        case let .varintOverflow(byteOffset):
            return "varint at byte \(byteOffset) of the chunk overflows 64 bits: the chunk is corrupt"
        case let .invalidValueWindow(sampleIndex, leading, significantBits):
            return "XOR chunk is corrupt: sample \(sampleIndex + 1) encodes its value with \(leading) leading zero bits "
                + "and \(significantBits) significant bits, more than the 64 bits of a float"
        }
    }
}
