#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Model

/// What each byte can be, for the scanning loops: one table load a byte.
enum ByteClass {
    /// `[a-zA-Z0-9_]`: a byte of a legacy label name.
    static let labelName: UInt8 = 1
    /// `:`, which legacy metric names also allow.
    static let colon: UInt8 = 2
    /// `[a-zA-Z_]`: a byte that starts a legacy name.
    static let nameStart: UInt8 = 4
    /// Bytes that end the plain run of a quoted string: `"`, `\\`, newline, and non-ASCII.
    static let quotedSpecial: UInt8 = 8

    /// 256 entries, never freed, never written after initialisation.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        for b in 0..<256 {
            let c = UInt8(b)
            let letter = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
            let digit = c >= 0x30 && c <= 0x39
            var v: UInt8 = 0
            if letter || digit { v |= labelName }
            if letter { v |= nameStart }
            if c == 0x3A { v |= colon }
            if c == 0x22 || c == 0x5C || c == 0x0A || c >= 0x80 { v |= quotedSpecial }
            t[b] = v
        }
        return UnsafePointer(t)
    }()
}

/// A cursor over the bytes of an exposition, shared by both parsers: it tracks the
/// line, scans names, quoted strings and value tokens, and builds located errors.
///
/// It lives only inside one `next()` call, over a buffer the parser owns.
struct ByteScanner {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    var lineStart: Int
    var line: Int
    /// Where names and label values are reused from, across lines (the parser that
    /// makes the scanner owns the table).
    let strings: StringTable.Slots
    /// ``ByteClass/table``, which the parser reads once: reading the global costs a
    /// `swift_once` call each time.
    let byteClasses: UnsafePointer<UInt8>

    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    @inline(__always) var isAtEnd: Bool { position >= buffer.count }

    @inline(__always) var current: UInt8? { position < buffer.count ? buffer[position] : nil }

    @inline(__always) func byte(at offset: Int) -> UInt8? {
        offset < buffer.count ? buffer[offset] : nil
    }

    /// Whether the input at the cursor starts with `word`.
    @inline(__always)
    func hasPrefix(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard buffer.count - position >= n else { return false }
        let w = word.utf8Start
        for k in 0..<n where buffer[position + k] != w[k] { return false }
        return true
    }

    @inline(__always)
    mutating func skipBlanks() {
        while position < buffer.count, buffer[position] == ByteScanner.space || buffer[position] == ByteScanner.tab {
            position += 1
        }
    }

    /// Consumes a newline and starts the next line.
    @inline(__always)
    mutating func consumeNewline() {
        position += 1
        line += 1
        lineStart = position
    }

    /// Skips to the end of the line (not consuming the newline).
    mutating func skipToEndOfLine() {
        guard position < buffer.count, let base = buffer.baseAddress else { return }
        if let found = memchr(base + position, Int32(ByteScanner.newline), buffer.count - position) {
            position = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
        } else {
            position = buffer.count
        }
    }

    // MARK: Names

    /// Bit masks of the bytes allowed in legacy names: bytes 0–63 and 64–127.
    private static let nameLow: UInt64 = 0x03FF_0000_0000_0000  // 0-9
    private static let nameHigh: UInt64 = 0x07FF_FFFE_87FF_FFFE  // A-Z, _, a-z
    private static let colonBit: UInt64 = 1 << 58               // ':'

    @inline(__always) static func isNameStart(_ b: UInt8, allowColon: Bool) -> Bool {
        if b < 64 { return allowColon && b == 0x3a }
        return b < 128 && (nameHigh >> UInt64(b & 63)) & 1 == 1
    }

    @inline(__always) static func isNameByte(_ b: UInt8, allowColon: Bool) -> Bool {
        if b < 64 { return ((allowColon ? nameLow | colonBit : nameLow) >> UInt64(b)) & 1 == 1 }
        return b < 128 && (nameHigh >> UInt64(b & 63)) & 1 == 1
    }

    /// Scans a legacy name (`[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics, no `:` for labels).
    /// Returns nil, without moving, when no name starts here.
    mutating func scanLegacyName(allowColon: Bool) -> String? {
        guard let range = scanLegacyNameRange(allowColon: allowColon) else { return nil }
        return makeASCIIString(range.lowerBound, range.upperBound)
    }

    /// Like ``scanLegacyName(allowColon:)``, but only the byte range.
    @inline(__always)
    mutating func scanLegacyNameRange(allowColon: Bool) -> Range<Int>? {
        let n = buffer.count
        guard position < n, let base = buffer.baseAddress else { return nil }
        let table = byteClasses
        let first = table[Int(base[position])]
        guard first & ByteClass.nameStart != 0 || (allowColon && first & ByteClass.colon != 0) else { return nil }
        let mask = allowColon ? ByteClass.labelName | ByteClass.colon : ByteClass.labelName
        let start = position
        var i = position &+ 1
        while i < n, table[Int(base[i])] & mask != 0 { i &+= 1 }
        position = i
        return start..<i
    }

    /// A String from a range known to be ASCII.
    @inline(__always) func makeASCIIString(_ start: Int, _ end: Int) -> String {
        strings.string(UnsafeBufferPointer(rebasing: buffer[start..<end]))
    }

    /// Scans a legacy metric name at the cursor and returns its range and String; nil,
    /// without moving, when no name starts here. Consecutive lines usually share a name (a
    /// family's `# HELP`, `# TYPE` and samples): when the previous line's is at the cursor,
    /// comparing its bytes a word at a time spares the byte-by-byte scan, and its String is reused.
    @inline(__always)
    mutating func scanMetricName(_ scratch: LabelScratch) -> (range: Range<Int>, name: String)? {
        if let range = repeatedMetricName(scratch) {
            position = range.upperBound
            scratch.lastNameOffset = range.lowerBound
            return (range, scratch.lastName)
        }
        guard let range = scanLegacyNameRange(allowColon: true) else { return nil }
        let name = makeASCIIString(range.lowerBound, range.upperBound)
        scratch.lastName = name
        scratch.lastNameOffset = range.lowerBound
        scratch.lastNameLength = range.count
        return (range, name)
    }

    /// Where the previous line's metric name is at the cursor, followed by a byte that
    /// cannot continue a name; nil when it is not.
    @inline(__always)
    private func repeatedMetricName(_ scratch: LabelScratch) -> Range<Int>? {
        let n = scratch.lastNameLength
        let end = position &+ n
        guard n > 0, end < buffer.count, let base = buffer.baseAddress,
              byteClasses[Int(base[end])] & (ByteClass.labelName | ByteClass.colon) == 0,
              ByteScanner.equalBytes(base + position, base + scratch.lastNameOffset, n) else { return nil }
        return position..<end
    }

    /// Byte equality of two short runs, without a library call.
    @inline(__always) static func equalBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i &+ 8 <= n {
            if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i &+= 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i &+= 1
        }
        return true
    }

    /// A String from a range that must be valid UTF-8.
    func makeString(_ start: Int, _ end: Int) throws(ExpositionError) -> String {
        let slice = UnsafeBufferPointer(rebasing: buffer[start..<end])
        if !ByteScanner.isASCII(slice) {
            guard UTF8Validation.isValid(slice) else { throw error(.invalidUTF8, at: start) }
        }
        return strings.string(slice)
    }

    /// A String from bytes that must be valid UTF-8 (an error at `offset` otherwise), made
    /// directly rather than through the string table: for text seen once, such as HELP.
    func makeUncachedString(_ bytes: UnsafeBufferPointer<UInt8>, errorAt offset: Int) throws(ExpositionError) -> String {
        guard ByteScanner.isASCII(bytes) || UTF8Validation.isValid(bytes) else { throw error(.invalidUTF8, at: offset) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base), n = bytes.count
        var i = 0
        var high: UInt64 = 0
        while i &+ 8 <= n {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        while i < n {
            high |= UInt64(base[i])
            i &+= 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    // MARK: Quoted strings

    /// Which backslash escapes a quoted string or HELP text resolves. Others stay as written.
    struct Escapes: OptionSet {
        let rawValue: UInt8
        static let backslash = Escapes(rawValue: 1)
        static let newline = Escapes(rawValue: 2)
        static let quote = Escapes(rawValue: 4)
        static let all: Escapes = [.backslash, .newline, .quote]
    }

    /// Scans a double-quoted string at the cursor (which must be on the opening quote),
    /// resolving `\\`, `\"` and `\n`. `what` names the string in errors.
    mutating func scanQuoted(_ what: String) throws(ExpositionError) -> String {
        let (start, end, hasEscape) = try scanQuotedRange(what)
        if !hasEscape { return try makeString(start, end) }
        return try unescape(start, end, .all)
    }

    /// Like ``scanQuoted(_:)``, but appends the unescaped bytes to `out` (checked to be UTF-8).
    @inline(__always)
    mutating func scanQuotedBytes(_ what: String, into out: LabelScratch) throws(ExpositionError) {
        // Fast path: plain ASCII up to the closing quote.
        if let base = buffer.baseAddress {
            let start = position &+ 1
            let i = plainRunEnd(from: start)
            if i < buffer.count, base[i] == ByteScanner.quote {
                out.append(base + start, i &- start)
                position = i &+ 1
                return
            }
        }
        try scanQuotedBytesSlowly(what, into: out)
    }

    /// Where the plain run of a quoted string that starts at `start` ends: the offset of the
    /// first ``ByteClass/quotedSpecial`` byte, or the end of the buffer. Eight bytes at a time.
    @inline(__always)
    private func plainRunEnd(from start: Int) -> Int {
        let n = buffer.count
        guard let base = buffer.baseAddress else { return n }
        var i = start
        while i &+ 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let special = ByteScanner.quotedSpecialBytes(word)
            if special != 0 { return i &+ special.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < n, byteClasses[Int(base[i])] & ByteClass.quotedSpecial == 0 { i &+= 1 }
        return i
    }

    /// The high bit of each byte of `word` (little-endian) that is `"`, `\`, a newline or
    /// non-ASCII. Exact up to the first such byte, which is all that is used: a byte after
    /// it may be marked falsely (the borrow of the zero-byte test).
    @inline(__always)
    static func quotedSpecialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        return zeroBytes(word ^ (ones &* UInt64(ByteScanner.quote)))
            | zeroBytes(word ^ (ones &* UInt64(ByteScanner.backslash)))
            | zeroBytes(word ^ (ones &* UInt64(ByteScanner.newline)))
            | (word & highs)
    }

    @inline(never)
    private mutating func scanQuotedBytesSlowly(_ what: String, into out: LabelScratch) throws(ExpositionError) {
        let (start, end, hasEscape) = try scanQuotedRange(what)
        let first = out.count
        var ascii = true
        if !hasEscape {
            let text = slice(start..<end)
            if let p = text.baseAddress { out.append(p, text.count) }
            for b in text where b >= 0x80 {
                ascii = false
                break
            }
        } else {
            var i = start
            while i < end {
                let b = buffer[i]
                if b >= 0x80 { ascii = false }
                if b == ByteScanner.backslash, i + 1 < end {
                    let n = buffer[i + 1]
                    if n == ByteScanner.backslash || n == ByteScanner.quote {
                        out.append(n); i += 2; continue
                    }
                    if n == UInt8(ascii: "n") {
                        out.append(ByteScanner.newline); i += 2; continue
                    }
                }
                out.append(b)
                i += 1
            }
        }
        if !ascii {
            let valid = UTF8Validation.isValid(UnsafeBufferPointer(start: out.base + first, count: out.count - first))
            if !valid { throw error(.invalidUTF8, at: start) }
        }
    }

    /// Finds the end of the quoted string at the cursor and moves past it: the range of
    /// its contents and whether it has escapes.
    private mutating func scanQuotedRange(_ what: String) throws(ExpositionError) -> (Int, Int, Bool) {
        position += 1
        let start = position
        var hasEscape = false
        guard let base = buffer.baseAddress else {
            throw error(.unexpected(found: describeCurrent(), expected: "closing '\"' of \(what)"))
        }
        let n = buffer.count
        while true {
            guard position < n, base[position] != ByteScanner.newline else {
                throw error(.unexpected(found: describeCurrent(), expected: "closing '\"' of \(what)"))
            }
            let b = base[position]
            if b == ByteScanner.quote { break }
            if b == ByteScanner.backslash {
                hasEscape = true
                position += 1
                guard position < n, base[position] != ByteScanner.newline else {
                    throw error(.unexpected(found: describeCurrent(), expected: "closing '\"' of \(what)"))
                }
            }
            position += 1
        }
        let end = position
        position += 1  // closing quote
        return (start, end, hasEscape)
    }

    /// Resolves the escapes in `start..<end`.
    func unescape(_ start: Int, _ end: Int, _ escapes: Escapes) throws(ExpositionError) -> String {
        if end <= start || memchr(buffer.baseAddress! + start, Int32(ByteScanner.backslash), end - start) == nil {
            return try makeUncachedString(slice(start..<end), errorAt: start)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(end - start)
        var i = start
        while i < end {
            let b = buffer[i]
            if b == ByteScanner.backslash, i + 1 < end {
                let n = buffer[i + 1]
                if n == ByteScanner.backslash && escapes.contains(.backslash) {
                    bytes.append(ByteScanner.backslash); i += 2; continue
                }
                if n == UInt8(ascii: "n") && escapes.contains(.newline) {
                    bytes.append(ByteScanner.newline); i += 2; continue
                }
                if n == ByteScanner.quote && escapes.contains(.quote) {
                    bytes.append(ByteScanner.quote); i += 2; continue
                }
            }
            bytes.append(b)
            i += 1
        }
        return try bytes.withUnsafeBufferPointer { unescaped throws(ExpositionError) in
            try makeUncachedString(unescaped, errorAt: start)
        }
    }

    // MARK: Tokens

    /// The range of a token that runs until a space, tab (when `tabEnds`), newline or the end.
    @inline(__always)
    mutating func scanToken(tabEnds: Bool) -> Range<Int> {
        let start = position
        while position < buffer.count {
            let b = buffer[position]
            if b == ByteScanner.space || b == ByteScanner.newline || (tabEnds && b == ByteScanner.tab) { break }
            position += 1
        }
        return start..<position
    }

    @inline(__always) func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[range])
    }

    // MARK: Errors

    /// How the byte at the cursor reads in an error message.
    func describeCurrent() -> String { describe(at: position) }

    func describe(at offset: Int) -> String {
        guard offset < buffer.count else { return "end of input" }
        let b = buffer[offset]
        switch b {
        case ByteScanner.newline: return "end of line"
        case ByteScanner.space: return "' '"
        case ByteScanner.tab: return "tab"
        case 0: return "NUL byte"
        default:
            if b < 0x20 || b == 0x7f { return "byte 0x" + String(b, radix: 16) }
            if b < 0x80 { return "'" + String(UnicodeScalar(b)) + "'" }
            // Show the whole character when it decodes.
            var end = offset + 1
            while end < buffer.count, end < offset + 4, buffer[end] & 0xC0 == 0x80 { end += 1 }
            if let s = String(validating: slice(offset..<end), as: UTF8.self) { return "'" + s + "'" }
            return "byte 0x" + String(b, radix: 16)
        }
    }

    /// A located error; `offset` defaults to the cursor.
    func error(_ reason: ExpositionError.Reason, at offset: Int? = nil) -> ExpositionError {
        let at = min(offset ?? position, buffer.count)
        // Column in characters: count the bytes that start a UTF-8 sequence.
        var column = 1
        var i = lineStart
        while i < at {
            if buffer[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return ExpositionError(line: line, column: column, reason: reason)
    }
}
