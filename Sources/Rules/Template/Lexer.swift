/// The kinds of token Go's text/template scanner produces.
enum TokenKind: Sendable, Equatable {
    case error           // value is the error text
    case bool
    case char            // printable ASCII character; grab bag for comma etc.
    case charConstant
    case comment
    case complex
    case assign          // '='
    case declare         // ':='
    case eof
    case field           // '.Alphanumeric'
    case identifier
    case leftDelim
    case leftParen
    case number
    case pipe
    case rawString
    case rightDelim
    case rightParen
    case space
    case string
    case text
    case variable        // '$', '$x'
    // Keywords (Go orders them after all other kinds; `isKeyword` reproduces that).
    case block, breakKeyword, continueKeyword, dot, define, elseKeyword, end, ifKeyword, nilKeyword
    case range, template, with

    var isKeyword: Bool {
        switch self {
        case .block, .breakKeyword, .continueKeyword, .dot, .define, .elseKeyword, .end, .ifKeyword,
             .nilKeyword, .range, .template, .with:
            true
        default:
            false
        }
    }
}

/// One token: its kind, byte offset in the whole input, text, and 1-based line.
struct Token: Sendable {
    var kind: TokenKind
    var pos: Int
    var value: String
    var line: Int

    /// How Go's parser names a token in "unexpected …" messages.
    var goDescription: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return value
        default:
            if kind.isKeyword { return "<\(value)>" }
            let scalars = Array(value.unicodeScalars)
            if scalars.count > 10 {
                var head = ""
                head.unicodeScalars.append(contentsOf: scalars[0..<10])
                return GoQuote.quote(head) + "..."
            }
            return GoQuote.quote(value)
        }
    }
}

/// Go's text/template scanner, producing one token per call with the same positions, trim
/// handling and error texts as `text/template/parse/lex.go`.
struct Lexer {
    private let input: [UInt8]
    private var pos = 0
    private var start = 0
    private var insideAction = false
    private var parenDepth = 0
    private var finished = false
    /// Offsets of the newlines in the input, to compute line numbers.
    private let newlineOffsets: [Int]

    private static let leftDelim: [UInt8] = Array("{{".utf8)
    private static let rightDelim: [UInt8] = Array("}}".utf8)
    private static let leftComment: [UInt8] = Array("/*".utf8)
    private static let rightComment: [UInt8] = Array("*/".utf8)
    private static let trimMarkerLength = 2

    init(_ input: [UInt8]) {
        self.input = input
        var offsets: [Int] = []
        for (i, b) in input.enumerated() where b == UInt8(ascii: "\n") { offsets.append(i) }
        newlineOffsets = offsets
    }

    /// 1 + the number of newlines before `offset`.
    func line(at offset: Int) -> Int {
        var lo = 0, hi = newlineOffsets.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if newlineOffsets[mid] < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo + 1
    }

    // MARK: Scanning helpers

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: input[from..<to], as: UTF8.self)
    }

    private func hasPrefix(_ prefix: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + prefix.count <= input.count else { return false }
        for i in 0..<prefix.count where input[offset + i] != prefix[i] { return false }
        return true
    }

    private func indexOf(_ needle: [UInt8], from: Int) -> Int? {
        guard needle.count <= input.count else { return nil }
        var i = from
        while i + needle.count <= input.count {
            if input[i] == needle[0] && hasPrefix(needle, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// Decodes the scalar at `offset`; nil at the end. Invalid UTF-8 decodes as U+FFFD, width 1.
    private func scalar(at offset: Int) -> (Unicode.Scalar, Int)? {
        guard offset < input.count else { return nil }
        return UTF8Decoding.scalar(in: input, at: offset)
    }

    private mutating func next() -> Unicode.Scalar? {
        guard let (s, w) = scalar(at: pos) else { return nil }
        pos += w
        return s
    }

    private func peek() -> Unicode.Scalar? { scalar(at: pos)?.0 }

    /// Steps back one scalar (only after `next` returned one).
    private mutating func backup() {
        guard pos > 0 else { return }
        var p = pos - 1
        while p > 0 && (input[p] & 0xC0) == 0x80 && pos - p < 4 { p -= 1 }
        if let (_, w) = scalar(at: p), p + w == pos { pos = p } else { pos -= 1 }
    }

    private mutating func acceptRun(_ valid: String) {
        while let s = peek(), valid.unicodeScalars.contains(s) { _ = next() }
    }

    private func token(_ kind: TokenKind, _ from: Int, _ to: Int) -> Token {
        Token(kind: kind, pos: from, value: text(from, to), line: line(at: from))
    }

    private mutating func emit(_ kind: TokenKind) -> Token {
        let t = token(kind, start, pos)
        start = pos
        return t
    }

    private mutating func fail(_ message: String) -> Token {
        finished = true
        return Token(kind: .error, pos: start, value: message, line: line(at: start))
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n")
    }

    private static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\r" || s == "\n"
    }

    static func isAlphaNumeric(_ s: Unicode.Scalar) -> Bool {
        s == "_" || GoUnicode.isLetter(s) || GoUnicode.isDigit(s)
    }

    private func hasLeftTrimMarker(at offset: Int) -> Bool {
        offset + 1 < input.count && input[offset] == UInt8(ascii: "-") && Lexer.isSpace(input[offset + 1])
    }

    private func hasRightTrimMarker(at offset: Int) -> Bool {
        offset >= 0 && offset + 1 < input.count && Lexer.isSpace(input[offset]) && input[offset + 1] == UInt8(ascii: "-")
    }

    /// Whether the input at `pos` is a right delimiter, possibly preceded by a trim marker.
    private func atRightDelim() -> (delim: Bool, trim: Bool) {
        if hasRightTrimMarker(at: pos) && hasPrefix(Lexer.rightDelim, at: pos + Lexer.trimMarkerLength) {
            return (true, true)
        }
        if hasPrefix(Lexer.rightDelim, at: pos) { return (true, false) }
        return (false, false)
    }

    private func leftTrimLength(from offset: Int) -> Int {
        var i = offset
        while i < input.count && Lexer.isSpace(input[i]) { i += 1 }
        return i - offset
    }

    private func rightTrimLength(_ from: Int, _ to: Int) -> Int {
        var i = to
        while i > from && Lexer.isSpace(input[i - 1]) { i -= 1 }
        return to - i
    }

    // MARK: States

    /// The next token; after an error or EOF, EOF forever.
    mutating func nextToken() -> Token {
        if finished { return Token(kind: .eof, pos: pos, value: "EOF", line: line(at: start)) }
        if insideAction { return lexInsideAction() }
        return lexText()
    }

    private mutating func lexText() -> Token {
        while true {
            if let x = indexOf(Lexer.leftDelim, from: pos) {
                if x > pos || x > start {
                    pos = x
                    var trim = 0
                    if hasLeftTrimMarker(at: pos + Lexer.leftDelim.count) {
                        trim = rightTrimLength(start, pos)
                    }
                    let item = token(.text, start, pos - trim)
                    start = pos
                    if pos - trim > item.pos { return item }
                }
                if let t = lexLeftDelim() { return t }
                continue // a comment was skipped
            }
            pos = input.count
            if pos > start { return emit(.text) }
            finished = true
            return emit(.eof)
        }
    }

    /// Scans `{{` (known to be present); returns nil after skipping a comment.
    private mutating func lexLeftDelim() -> Token? {
        pos += Lexer.leftDelim.count
        let trim = hasLeftTrimMarker(at: pos)
        let afterMarker = trim ? Lexer.trimMarkerLength : 0
        if hasPrefix(Lexer.leftComment, at: pos + afterMarker) {
            pos += afterMarker
            start = pos
            return lexComment()
        }
        let item = token(.leftDelim, start, pos)
        insideAction = true
        pos += afterMarker
        start = pos
        parenDepth = 0
        return item
    }

    private mutating func lexComment() -> Token? {
        pos += Lexer.leftComment.count
        guard let x = indexOf(Lexer.rightComment, from: pos) else { return fail("unclosed comment") }
        pos = x + Lexer.rightComment.count
        let (delim, trim) = atRightDelim()
        guard delim else { return fail("comment ends before closing delimiter") }
        if trim { pos += Lexer.trimMarkerLength }
        pos += Lexer.rightDelim.count
        if trim { pos += leftTrimLength(from: pos) }
        start = pos
        return nil
    }

    private mutating func lexRightDelim() -> Token {
        let (_, trim) = atRightDelim()
        if trim {
            pos += Lexer.trimMarkerLength
            start = pos
        }
        pos += Lexer.rightDelim.count
        let item = token(.rightDelim, start, pos)
        start = pos
        if trim {
            pos += leftTrimLength(from: pos)
            start = pos
        }
        insideAction = false
        return item
    }

    private mutating func lexInsideAction() -> Token {
        let (delim, _) = atRightDelim()
        if delim {
            if parenDepth == 0 { return lexRightDelim() }
            return fail("unclosed left paren")
        }
        guard let r = next() else { return fail("unclosed action") }
        switch r {
        case " ", "\t", "\r", "\n":
            backup()
            return lexSpace()
        case "=":
            return emit(.assign)
        case ":":
            guard next() == "=" else { return fail("expected :=") }
            return emit(.declare)
        case "|":
            return emit(.pipe)
        case "\"":
            return lexQuote()
        case "`":
            return lexRawQuote()
        case "$":
            return lexVariable()
        case "'":
            return lexChar()
        case "(":
            parenDepth += 1
            return emit(.leftParen)
        case ")":
            parenDepth -= 1
            if parenDepth < 0 { return fail("unexpected right paren") }
            return emit(.rightParen)
        default:
            break
        }
        if r == "." {
            if pos < input.count {
                let c = input[pos]
                if c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { return lexFieldOrVariable(.field) }
            }
            backup()
            return lexNumber()
        }
        if r == "+" || r == "-" || ("0"..."9").contains(r) {
            backup()
            return lexNumber()
        }
        if Lexer.isAlphaNumeric(r) {
            backup()
            return lexIdentifier()
        }
        if r.value < 0x80 && r.value >= 0x20 && r.value < 0x7F {
            return emit(.char)
        }
        return fail("unrecognized character in action: \(GoQuote.unicodeDescription(r))")
    }

    private mutating func lexSpace() -> Token {
        var count = 0
        while let s = peek(), Lexer.isSpace(s) {
            _ = next()
            count += 1
        }
        // A trim-marked right delimiter starts with a space: leave that space for it.
        if hasRightTrimMarker(at: pos - 1) && hasPrefix(Lexer.rightDelim, at: pos - 1 + Lexer.trimMarkerLength) {
            pos -= 1
            if count == 1 { return lexRightDelim() }
        }
        return emit(.space)
    }

    private mutating func lexIdentifier() -> Token {
        while let s = peek(), Lexer.isAlphaNumeric(s) { _ = next() }
        let word = text(start, pos)
        if !atTerminator() { return fail("bad character \(GoQuote.unicodeDescription(peek()))") }
        switch word {
        case "block": return emit(.block)
        case "break": return emit(.breakKeyword)
        case "continue": return emit(.continueKeyword)
        case "define": return emit(.define)
        case "else": return emit(.elseKeyword)
        case "end": return emit(.end)
        case "if": return emit(.ifKeyword)
        case "range": return emit(.range)
        case "nil": return emit(.nilKeyword)
        case "template": return emit(.template)
        case "with": return emit(.with)
        case "true", "false": return emit(.bool)
        default: return emit(.identifier)
        }
    }

    private mutating func lexVariable() -> Token {
        if atTerminator() { return emit(.variable) }
        return lexFieldOrVariable(.variable)
    }

    /// Scans `.Alphanumeric` or `$Alphanumeric`; the `.` or `$` has been scanned.
    private mutating func lexFieldOrVariable(_ kind: TokenKind) -> Token {
        if atTerminator() {
            return emit(kind == .variable ? .variable : .dot)
        }
        while let s = peek(), Lexer.isAlphaNumeric(s) { _ = next() }
        if !atTerminator() { return fail("bad character \(GoQuote.unicodeDescription(peek()))") }
        return emit(kind)
    }

    /// Whether the next character may follow an identifier.
    private func atTerminator() -> Bool {
        guard let r = peek() else { return true }
        if Lexer.isSpace(r) { return true }
        switch r {
        case ".", ",", "|", ":", ")", "(": return true
        default: return hasPrefix(Lexer.rightDelim, at: pos)
        }
    }

    private mutating func lexChar() -> Token {
        while true {
            guard let r = next() else { return fail("unterminated character constant") }
            switch r {
            case "\\":
                if let e = next(), e != "\n" { continue }
                return fail("unterminated character constant")
            case "\n":
                return fail("unterminated character constant")
            case "'":
                return emit(.charConstant)
            default:
                continue
            }
        }
    }

    private mutating func lexNumber() -> Token {
        if !scanNumber() { return fail("bad number syntax: \(GoQuote.quote(text(start, pos)))") }
        if let sign = peek(), sign == "+" || sign == "-" {
            // Complex: 1+2i. No spaces, must end in 'i'.
            if !scanNumber() || input[pos - 1] != UInt8(ascii: "i") {
                return fail("bad number syntax: \(GoQuote.quote(text(start, pos)))")
            }
            return emit(.complex)
        }
        return emit(.number)
    }

    private mutating func acceptOne(_ valid: String) -> Bool {
        if let s = peek(), valid.unicodeScalars.contains(s) {
            _ = next()
            return true
        }
        return false
    }

    private mutating func scanNumber() -> Bool {
        _ = acceptOne("+-")
        var digits = "0123456789_"
        if acceptOne("0") {
            if acceptOne("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if acceptOne("oO") {
                digits = "01234567_"
            } else if acceptOne("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if acceptOne(".") { acceptRun(digits) }
        if digits.count == 11 && acceptOne("eE") {
            _ = acceptOne("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && acceptOne("pP") {
            _ = acceptOne("+-")
            acceptRun("0123456789_")
        }
        _ = acceptOne("i")
        if let s = peek(), Lexer.isAlphaNumeric(s) {
            _ = next()
            return false
        }
        return true
    }

    private mutating func lexQuote() -> Token {
        while true {
            guard let r = next() else { return fail("unterminated quoted string") }
            switch r {
            case "\\":
                if let e = next(), e != "\n" { continue }
                return fail("unterminated quoted string")
            case "\n":
                return fail("unterminated quoted string")
            case "\"":
                return emit(.string)
            default:
                continue
            }
        }
    }

    private mutating func lexRawQuote() -> Token {
        while true {
            guard let r = next() else { return fail("unterminated raw quoted string") }
            if r == "`" { return emit(.rawString) }
        }
    }
}

/// UTF-8 decoding with Go's conventions (invalid bytes decode as U+FFFD of width 1).
enum UTF8Decoding {
    static func scalar(in bytes: [UInt8], at i: Int) -> (Unicode.Scalar, Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        func cont(_ k: Int) -> UInt32? {
            guard i + k < bytes.count, bytes[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(bytes[i + k] & 0x3F)
        }
        let replacement = (Unicode.Scalar(0xFFFD)!, 1)
        if b0 >= 0xC2 && b0 <= 0xDF {
            guard let c1 = cont(1) else { return replacement }
            return (Unicode.Scalar((UInt32(b0 & 0x1F) << 6) | c1)!, 2)
        }
        if b0 >= 0xE0 && b0 <= 0xEF {
            guard let c1 = cont(1), let c2 = cont(2) else { return replacement }
            let v = (UInt32(b0 & 0x0F) << 12) | (c1 << 6) | c2
            guard v >= 0x800, let s = Unicode.Scalar(v) else { return replacement }
            return (s, 3)
        }
        if b0 >= 0xF0 && b0 <= 0xF4 {
            guard let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) else { return replacement }
            let v = (UInt32(b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            guard v >= 0x10000, v <= 0x10FFFF, let s = Unicode.Scalar(v) else { return replacement }
            return (s, 4)
        }
        return replacement
    }
}
