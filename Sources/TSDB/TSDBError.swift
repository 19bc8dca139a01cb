/// Errors from reading and writing TSDB data, each naming the file (and, for corrupt
/// data, the byte offset) so a user can find the broken part.
public enum TSDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Data that does not follow the format: bad magic, bad checksum, out-of-range reference, …
    case corrupt(file: String, offset: Int, reason: String)
    /// A file that cannot be read or written.
    case io(path: String, reason: String)
    /// A `meta.json` that cannot be used.
    case invalidMeta(file: String, reason: String)
    /// A format version this reader does not know.
    case unsupportedVersion(file: String, version: Int)

    public var description: String {
        switch self {
        case let .corrupt(file, offset, reason): return "\(file): corrupt at offset \(offset): \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .invalidMeta(file, reason): return "\(file): invalid block metadata: \(reason)"
        case let .unsupportedVersion(file, version): return "\(file): unsupported format version \(version)"
        }
    }
}

extension ByteDecoder.Failure {
    /// As a ``TSDBError`` for `file`, with offsets made absolute by `base`.
    func error(file: String, base: Int = 0, what: String) -> TSDBError {
        switch self {
        case let .truncated(at): return .corrupt(file: file, offset: base + at, reason: "\(what) is truncated")
        case let .overflow(at): return .corrupt(file: file, offset: base + at, reason: "\(what) has a varint that overflows")
        }
    }
}
