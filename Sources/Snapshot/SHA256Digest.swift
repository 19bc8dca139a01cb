import CCrypto

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

    /// The SHA-256 of `bytes`, as hex.
    static func hex(of bytes: [UInt8]) -> String {
        let digest = SHA256Digest()
        digest.update(bytes)
        return digest.finalize()
    }
}
