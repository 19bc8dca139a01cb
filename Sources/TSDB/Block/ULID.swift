import Model

/// A ULID, the name of every block: 48 bits of milliseconds and 80 bits of entropy in
/// Crockford's base32, so names sort by creation time.
public struct ULID: Sendable, Hashable, CustomStringConvertible {
    public let time: UInt64
    public let entropy: (UInt16, UInt64)

    public init(time: Timestamp, entropy: (UInt16, UInt64)) {
        self.time = UInt64(max(0, time)) & 0xFFFF_FFFF_FFFF
        self.entropy = entropy
    }

    /// A ULID at `time` with random entropy from `generator`.
    public init<G: RandomNumberGenerator>(time: Timestamp, using generator: inout G) {
        self.init(time: time, entropy: (UInt16.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator)))
    }

    public static func == (a: ULID, b: ULID) -> Bool { a.time == b.time && a.entropy == b.entropy }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(time)
        hasher.combine(entropy.0)
        hasher.combine(entropy.1)
    }

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The 26-character text form.
    public var description: String {
        // 128 bits: time (48) | entropy high (16) | entropy low (64), written as 26 base32 digits (130 bits, top 2 zero).
        let high = time << 16 | UInt64(entropy.0)  // bits 127…64
        let low = entropy.1                            // bits 63…0
        var out = [UInt8](repeating: 0, count: 26)
        for i in 0..<26 {
            let shift = 125 - 5 * i  // bit position of this digit's lowest bit, from bit 0
            var digit: UInt64
            if shift >= 64 {
                digit = high >> UInt64(shift - 64)
            } else if shift > 59 {
                digit = (high << UInt64(64 - shift)) | (low >> UInt64(shift))
            } else {
                digit = low >> UInt64(shift)
            }
            out[i] = ULID.alphabet[Int(digit & 0x1F)]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
