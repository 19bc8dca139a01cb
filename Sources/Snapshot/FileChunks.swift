import Foundation

/// Reads the first `size` bytes of the open file `fd` (from its start) in chunks of up to
/// 1 MiB, handing each to `body`; a file shorter than `size` (changed while being read)
/// or a read error is reported for `name`.
func forEachChunk(
    of fd: Int32, size: Int64, name: String, _ body: (UnsafeRawBufferPointer) throws(SnapshotError) -> Void
) throws(SnapshotError) {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    var offset: Int64 = 0
    while offset < size {
        let n = pread(fd, buffer.baseAddress, Int(min(Int64(buffer.count), size - offset)), off_t(offset))
        guard n > 0 else {
            let reason = n == 0 ? "the file is shorter than its \(size) bytes (it changed while being read)" : String(cString: strerror(errno))
            throw .io(path: name, reason: "cannot read: \(reason)")
        }
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        offset += Int64(n)
    }
}
