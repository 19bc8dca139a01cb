#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `printf`-style number formatting through the C library, for the few messages whose Go
/// format verbs (`%f`, `%.2g`) print finite values exactly as C does.
enum CFormat {
    /// `%.<decimals>f` of a finite value.
    static func fixed(_ value: Double, decimals: Int) -> String {
        format("%.\(decimals)f", value)
    }

    /// `%.<precision>g` of a finite value (Go's `%g` with a precision prints the same digits,
    /// exponent style and trimmed zeros).
    static func general(_ value: Double, precision: Int) -> String {
        format("%.\(precision)g", value)
    }

    private static func format(_ pattern: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 400)
        let count = withVaList([value]) { args in
            buffer.withUnsafeMutableBufferPointer { out in
                vsnprintf(out.baseAddress, out.count, pattern, args)
            }
        }
        guard count >= 0 else { return "" }
        return String(decoding: buffer.prefix(Swift.min(Int(count), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
