import CCrypto
import Foundation

/// A running SHA-256 over the bytes of one file (OpenSSL's EVP digest, which uses the CPU's
/// SHA instructions where it has them). Reference type: it owns an OpenSSL context.
final class SHA256Digest {
    private let context: OpaquePointer

    init() {
        // Allocation failure here means the process is out of memory: nothing to recover.
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL cannot allocate a digest context") }
        self.context = context
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest as 64 lowercase hex digits; the digest must not be updated afterwards.
    func finalize() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest.prefix(Int(length)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The SHA-256 of the file at `path`, as hex (read through a memory map: the file was
    /// just written, so its pages are in the page cache and nothing is copied); `entry`
    /// names it in errors. With `durable`, the file is also fsynced.
    static func hex(ofFileAt path: String, entry: String, durable: Bool = false) throws(SnapshotError) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: entry, reason: "cannot reopen the staged file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: entry, reason: "cannot stat the staged file: \(String(cString: strerror(errno)))") }
        let digest = SHA256Digest()
        let size = Int(info.st_size)
        if size > 0 {
            guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), map != MAP_FAILED else {
                throw .io(path: entry, reason: "cannot map the staged file: \(String(cString: strerror(errno)))")
            }
            defer { munmap(map, size) }
            digest.update(UnsafeRawBufferPointer(start: map, count: size))
        }
        if durable, fsync(fd) != 0 { throw .io(path: entry, reason: "fsync failed: \(String(cString: strerror(errno)))") }
        return digest.finalize()
    }

    /// The SHA-256 of `bytes`, as hex.
    static func hex(of bytes: [UInt8]) -> String {
        let digest = SHA256Digest()
        digest.update(bytes)
        return digest.finalize()
    }
}
