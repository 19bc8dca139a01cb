import CArchive
import Foundation

/// Decompresses an archive file on a thread of its own and hands the plain tar stream to
/// the tar reader through a few reusable buffers (no copies between the two), so that
/// decompression and extraction run on two cores at once, as a `zstd` process feeding
/// `tar` does. libarchive does the decompression: its "raw" format passes the filtered
/// bytes through.
final class BackgroundDecompressor: @unchecked Sendable {
    private static let bufferSize = 1 << 20
    private static let bufferCount = 4

    private let raw: OpaquePointer
    private let condition = NSCondition()
    private let finished = DispatchSemaphore(value: 0)
    /// Buffers ready to be filled, and filled ones (pointer, length) in stream order.
    private var free: [UnsafeMutableRawPointer] = []
    private var full: [(UnsafeMutableRawPointer, Int)] = []
    private var all: [UnsafeMutableRawPointer] = []
    /// The buffer the tar reader holds (valid until its next read).
    private var lent: UnsafeMutableRawPointer?
    private var ended = false
    private var cancelled = false
    private var failureText: String?
    private var compressedBytes: Int64 = 0

    /// Opens `path`; nil when the file is not compressed (nothing to gain) or cannot be
    /// opened this way (the caller then reads the file directly and reports any error).
    init?(path: String) {
        guard let raw = archive_read_new() else { return nil }
        archive_read_support_filter_all(raw)
        archive_read_support_format_raw(raw)
        var entry: OpaquePointer?
        guard archive_read_open_filename(raw, path, Self.bufferSize) == ARCHIVE_OK,
              archive_filter_code(raw, 0) != ARCHIVE_FILTER_NONE,
              archive_read_next_header(raw, &entry) == ARCHIVE_OK else {
            archive_read_free(raw)
            return nil
        }
        self.raw = raw
        all = (0..<Self.bufferCount).map { _ in UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 64) }
        free = all
        let thread = Thread { [self] in produce() }
        thread.name = "hindsight.snapshot.decompress"
        thread.start()
    }

    deinit {
        condition.withLock {
            cancelled = true
            condition.broadcast()
        }
        finished.wait()
        archive_read_free(raw)
        for buffer in all { buffer.deallocate() }
    }

    /// Why decompression stopped early (a truncated or corrupt compressed stream).
    var failure: String? { condition.withLock { failureText } }

    /// Bytes of the compressed file read so far.
    var bytesRead: Int64 { condition.withLock { compressedBytes } }

    /// Opens `archive` (a tar reader) on the decompressed stream.
    func open(_ archive: OpaquePointer) -> Int32 {
        archive_read_open(archive, Unmanaged.passUnretained(self).toOpaque(), nil, { _, context, pointer in
            guard let context, let pointer else { return -1 }
            let decompressor = Unmanaged<BackgroundDecompressor>.fromOpaque(context).takeUnretainedValue()
            return decompressor.next(pointer)
        }, nil)
    }

    /// The tar reader's read callback: returns the previous buffer, waits for the next.
    private func next(_ pointer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        condition.withLock {
            if let lent {
                free.append(lent)
                self.lent = nil
                condition.broadcast()
            }
            while full.isEmpty && !ended { condition.wait() }
            guard !full.isEmpty else { return failureText == nil ? 0 : -1 }
            let (buffer, count) = full.removeFirst()
            lent = buffer
            pointer.pointee = UnsafeRawPointer(buffer)
            return count
        }
    }

    private func produce() {
        defer {
            condition.withLock {
                ended = true
                condition.broadcast()
            }
            finished.signal()
        }
        while true {
            let buffer: UnsafeMutableRawPointer? = condition.withLock {
                while free.isEmpty && !cancelled { condition.wait() }
                return cancelled ? nil : free.removeLast()
            }
            guard let buffer else { return }
            let n = archive_read_data(raw, buffer, Self.bufferSize)
            let read = Int64(archive_filter_bytes(raw, -1))
            let done = condition.withLock { () -> Bool in
                compressedBytes = read
                if n > 0 {
                    full.append((buffer, n))
                } else {
                    free.append(buffer)
                    if n < 0 { failureText = libarchiveError(raw, otherwise: "cannot decompress") }
                }
                condition.broadcast()
                return n <= 0
            }
            if done { return }
        }
    }
}
