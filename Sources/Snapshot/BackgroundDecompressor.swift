import CArchive
import Foundation

/// Decompresses an archive file on a thread of its own and hands the plain tar stream to
/// a local socket, so that decompression and extraction run on two cores at once, as
/// `tar` and a `zstd` process do. libarchive does the decompression (its "raw" format
/// passes the filtered bytes through).
final class BackgroundDecompressor: @unchecked Sendable {
    /// The descriptor the tar reader reads the decompressed stream from.
    let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let raw: OpaquePointer
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var failureText: String?
    private var compressedBytes: Int64 = 0

    /// Opens `path`; nil when the file is not compressed (nothing to gain) or cannot be
    /// opened this way (the caller then reads the file directly and reports any error).
    init?(path: String) {
        guard let raw = archive_read_new() else { return nil }
        archive_read_support_filter_all(raw)
        archive_read_support_format_raw(raw)
        var entry: OpaquePointer?
        guard archive_read_open_filename(raw, path, 1 << 20) == ARCHIVE_OK,
              archive_filter_code(raw, 0) != ARCHIVE_FILTER_NONE,
              archive_read_next_header(raw, &entry) == ARCHIVE_OK else {
            archive_read_free(raw)
            return nil
        }
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else {
            archive_read_free(raw)
            return nil
        }
        self.raw = raw
        readDescriptor = pair[0]
        writeDescriptor = pair[1]
        let thread = Thread { [self] in pump() }
        thread.name = "hindsight.snapshot.decompress"
        thread.start()
    }

    /// Why decompression stopped early (a truncated or corrupt compressed stream).
    var failure: String? { lock.withLock { failureText } }

    /// Bytes of the compressed file read so far.
    var bytesRead: Int64 { lock.withLock { compressedBytes } }

    deinit {
        // Closing our end makes a blocked send fail, so the thread always finishes.
        close(readDescriptor)
        done.wait()
        archive_read_free(raw)
    }

    private func pump() {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer {
            buffer.deallocate()
            close(writeDescriptor)
            done.signal()
        }
        while true {
            let n = archive_read_data(raw, buffer, 1 << 20)
            if n == 0 { return }
            if n < 0 {
                let text = archive_error_string(raw).map { String(cString: $0) } ?? "cannot decompress"
                lock.withLock { failureText = text }
                return
            }
            let read = Int64(archive_filter_bytes(raw, -1))
            lock.withLock { compressedBytes = read }
            var sent = 0
            while sent < n {
                let m = send(writeDescriptor, buffer + sent, n - sent, Int32(MSG_NOSIGNAL))
                if m <= 0 { return }  // the reader is gone
                sent += m
            }
        }
    }
}
