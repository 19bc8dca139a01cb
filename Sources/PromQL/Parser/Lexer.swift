import Model

/// Splits a PromQL query into tokens, over its UTF-8 bytes.
///
/// Like Prometheus's lexer it is modal: inside `{…}` words are plain label names and
/// operators are matchers; inside `[…]` only duration expressions are allowed. The
/// mode follows the characters alone, so the whole query can be lexed up front. The
/// first lexer error ends the stream with an `.error` token whose text is the message,
/// positioned where Prometheus reports it.
struct Lexer {
    private let input: [UInt8]
    private var pos = 0
    /// Where the current token starts.
    private var start = 0

    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var gotColon = false
    /// Whether a token was read since `[` (a `:` needs a range before it).
    private var bracketHasContent = false
    /// Whether a number was read since `[` (Prometheus then lexes the rest of the
    /// brackets in its statement mode, which words end-of-input errors differently).
    private var bracketSawNumber = false

    init(_ query: String) {
        input = Array(query.utf8)
    }

    /// Every token up to and including the final `.eof` or `.error`; comments are dropped.
    static func tokenize(_ query: String) -> [Token] {
        var lexer = Lexer(query)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .eof || token.kind == .error { return tokens }
        }
    }

    // MARK: Characters

    private static let eof: Unicode.Scalar? = nil

    /// The scalar at `pos` and its width; an invalid byte decodes as U+FFFD of width 1.
    private func peekScalar() -> (Unicode.Scalar, Int)? {
        guard pos < input.count else { return nil }
        let b0 = input[pos]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        var width = 0
        var value: UInt32 = 0
        if b0 & 0xE0 == 0xC0 { width = 2; value = UInt32(b0 & 0x1F) }
        else if b0 & 0xF0 == 0xE0 { width = 3; value = UInt32(b0 & 0x0F) }
        else if b0 & 0xF8 == 0xF0 { width = 4; value = UInt32(b0 & 0x07) }
        else { return ("\u{FFFD}", 1) }
        guard pos + width <= input.count else { return ("\u{FFFD}", 1) }
        for k in 1..<width {
            let b = input[pos + k]
            guard b & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", width)
    }

    private func peekByte() -> UInt8? { pos < input.count ? input[pos] : nil }

    /// Consumes the next byte when it is in `set`.
    @discardableResult
    private mutating func accept(_ set: String) -> Bool {
        guard let b = peekByte(), set.utf8.contains(b) else { return false }
        pos += 1
        return true
    }

    private func peekIs(_ set: String) -> Bool {
        guard let b = peekByte() else { return false }
        return set.utf8.contains(b)
    }

    private mutating func acceptRun(_ set: String) {
        while accept(set) {}
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    static func isAlpha(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "_") || (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A)
    }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isAlphaNumeric(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: input[from..<min(to, input.count)], as: UTF8.self)
    }

    // MARK: Emitting

    private mutating func emit(_ kind: TokenKind) -> Token {
        let token = Token(kind: kind, start: start, end: pos, text: text(start, pos))
        start = pos
        return token
    }

    /// A lexer error: positioned from the current token start to the end of the input.
    private mutating func error(_ message: String) -> Token {
        Token(kind: .error, start: start, end: input.count, text: message)
    }

    // MARK: Scanning

    mutating func next() -> Token {
        while true {
            if braceOpen {
                if let token = nextInsideBraces() { return token }
            } else if bracketOpen {
                if let token = nextInsideBrackets() { return token }
            } else if let token = nextStatement() {
                return token
            }
        }
    }

    /// Skips a comment or spaces (returning nil) or reads one token outside braces and brackets.
    private mutating func nextStatement() -> Token? {
        start = pos
        guard let b = peekByte() else {
            if parenDepth != 0 { return error("unclosed left parenthesis") }
            return emit(.eof)
        }
        if b == UInt8(ascii: "#") {
            skipComment()
            return nil
        }
        if Lexer.isSpace(b) {
            skipSpaces()
            return nil
        }
        pos += 1
        switch b {
        case UInt8(ascii: ","): return emit(.comma)
        case UInt8(ascii: "*"): return emit(.mul)
        case UInt8(ascii: "/"): return emit(.div)
        case UInt8(ascii: "%"): return emit(.mod)
        case UInt8(ascii: "+"): return emit(.add)
        case UInt8(ascii: "-"): return emit(.sub)
        case UInt8(ascii: "^"): return emit(.pow)
        case UInt8(ascii: "@"): return emit(.at)
        case UInt8(ascii: "="):
            if accept("=") { return emit(.eqlc) }
            if peekByte() == UInt8(ascii: "~") {
                return error("unexpected character after '=': '~'")
            }
            return emit(.assign)
        case UInt8(ascii: "!"):
            if accept("=") { return emit(.neq) }
            return error("unexpected character after '!': " + GoQuoting.quoteRune(peekScalar()?.0))
        case UInt8(ascii: "<"):
            return emit(accept("=") ? .lte : .lss)
        case UInt8(ascii: ">"):
            return emit(accept("=") ? .gte : .gtr)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return lexString(quote: b)
        case UInt8(ascii: "`"):
            return lexRawString()
        case UInt8(ascii: "("):
            parenDepth += 1
            return emit(.leftParen)
        case UInt8(ascii: ")"):
            let token = emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return error("unexpected right parenthesis ')'") }
            return token
        case UInt8(ascii: "{"):
            braceOpen = true
            return emit(.leftBrace)
        case UInt8(ascii: "}"):
            pos -= 1
            return error("unexpected character: '}'")
        case UInt8(ascii: "["):
            let token = emit(.leftBracket)
            bracketOpen = true
            gotColon = false
            bracketHasContent = false
            bracketSawNumber = false
            return token
        case UInt8(ascii: "]"):
            pos -= 1
            return error("unexpected right bracket ']'")
        default:
            if Lexer.isDigit(b) || (b == UInt8(ascii: ".") && peekByte().map(Lexer.isDigit) == true) {
                pos -= 1
                return lexNumberOrDuration()
            }
            if Lexer.isAlpha(b) || b == UInt8(ascii: ":") {
                pos -= 1
                return lexKeywordOrIdentifier()
            }
            pos -= 1
            let scalar = peekScalar()?.0
            return error("unexpected character: " + GoQuoting.quoteRune(scalar))
        }
    }

    private mutating func nextInsideBraces() -> Token? {
        start = pos
        guard let b = peekByte() else { return error("unexpected end of input inside braces") }
        if b == UInt8(ascii: "#") {
            skipComment()
            return nil
        }
        if Lexer.isSpace(b) {
            skipSpaces()
            return nil
        }
        pos += 1
        switch b {
        case UInt8(ascii: ","): return emit(.comma)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return lexString(quote: b)
        case UInt8(ascii: "`"): return lexRawString()
        case UInt8(ascii: "="):
            return emit(accept("~") ? .eqlRegex : .assign)
        case UInt8(ascii: "!"):
            if accept("~") { return emit(.neqRegex) }
            if accept("=") { return emit(.neq) }
            return error("unexpected character after '!' inside braces: " + GoQuoting.quoteRune(peekScalar()?.0))
        case UInt8(ascii: "{"):
            return error("unexpected left brace '{'")
        case UInt8(ascii: "}"):
            braceOpen = false
            return emit(.rightBrace)
        default:
            if Lexer.isAlpha(b) {
                while let c = peekByte(), Lexer.isAlphaNumeric(c) { pos += 1 }
                return emit(.identifier)
            }
            pos -= 1
            return error("unexpected character inside braces: " + GoQuoting.quoteRune(peekScalar()?.0))
        }
    }

    /// Inside `[…]`: numbers, durations, `step()`, `range()`, `min_of(…)`, `max_of(…)`,
    /// arithmetic, parentheses, one `:`.
    private mutating func nextInsideBrackets() -> Token? {
        start = pos
        guard let b = peekByte() else {
            guard bracketSawNumber else { return error("unexpected end of input in duration expression") }
            return error(parenDepth != 0 ? "unclosed left parenthesis" : "unclosed left bracket")
        }
        if Lexer.isSpace(b) {
            skipSpaces()
            return nil
        }
        pos += 1
        let hadContent = bracketHasContent
        bracketHasContent = true
        switch b {
        case UInt8(ascii: "]"):
            bracketOpen = false
            gotColon = false
            return emit(.rightBracket)
        case UInt8(ascii: ":"):
            if !hadContent { return error("unexpected colon before duration in duration expression") }
            if gotColon { return error("unexpected repeated colon in duration expression") }
            gotColon = true
            return emit(.colon)
        case UInt8(ascii: "("):
            parenDepth += 1
            return emit(.leftParen)
        case UInt8(ascii: ")"):
            let token = emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return error("unexpected right parenthesis ')'") }
            return token
        case UInt8(ascii: "+"): return emit(.add)
        case UInt8(ascii: "-"): return emit(.sub)
        case UInt8(ascii: "*"): return emit(.mul)
        case UInt8(ascii: "/"): return emit(.div)
        case UInt8(ascii: "%"): return emit(.mod)
        case UInt8(ascii: "^"): return emit(.pow)
        case UInt8(ascii: ","): return emit(.comma)
        default:
            if Lexer.isDigit(b) || (b == UInt8(ascii: ".") && peekByte().map(Lexer.isDigit) == true) {
                pos -= 1
                bracketSawNumber = true
                return lexNumberOrDuration()
            }
            if Lexer.isAlpha(b) {
                while let c = peekByte(), Lexer.isAlpha(c) { pos += 1 }
                switch text(start, pos).lowercased() {
                case "step": return emit(.keyword(.step))
                case "range": return emit(.keyword(.range))
                case "min_of", "max_of", "min", "max": return emit(.identifier)
                default: pos = start
                }
            } else {
                pos -= 1
            }
            let character = GoQuoting.quoteRune(peekScalar()?.0)
            guard bracketSawNumber else { return error("unexpected character in duration expression: " + character) }
            // After a number Prometheus lexes the rest of the brackets in its statement
            // mode, which words these errors differently and reads strings and comments.
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                pos += 1
                return lexString(quote: b)
            case UInt8(ascii: "`"):
                pos += 1
                return lexRawString()
            case UInt8(ascii: "#"):
                skipComment()
                bracketHasContent = hadContent
                return nil
            case UInt8(ascii: "["):
                return error("unexpected left bracket '['")
            default:
                if Lexer.isAlpha(b) { return error("unexpected character: \(character), expected ':'") }
                return error("unexpected character: " + character)
            }
        }
    }

    private mutating func skipSpaces() {
        while let b = peekByte(), Lexer.isSpace(b) { pos += 1 }
    }

    private mutating func skipComment() {
        while let b = peekByte(), b != 0x0A, b != 0x0D { pos += 1 }
    }

    // MARK: Words

    private mutating func lexKeywordOrIdentifier() -> Token {
        while let b = peekByte(), Lexer.isAlphaNumeric(b) || b == UInt8(ascii: ":") { pos += 1 }
        let word = text(start, pos)
        let lower = word.lowercased()
        if lower == "inf" || lower == "nan" { return emit(.number) }
        if let keyword = Keyword.lookup(lower) { return emit(.keyword(keyword)) }
        return emit(word.utf8.contains(UInt8(ascii: ":")) ? .metricIdentifier : .identifier)
    }

    // MARK: Numbers

    private mutating func lexNumberOrDuration() -> Token {
        if scanNumber() { return emit(.number) }
        if acceptRemainingDuration() { return emit(.duration) }
        return error("bad number or duration syntax: " + GoString.quote(text(start, pos)))
    }

    /// The rest of a duration after its first number: a unit, then more number-unit pairs.
    /// Bad unit combinations are left for the duration parser to reject.
    private mutating func acceptRemainingDuration() -> Bool {
        guard accept("smhdwy") else { return false }
        accept("s")
        while accept("0123456789") {
            acceptRun("0123456789")
            guard accept("smhdw") else { return false }
            accept("s")
        }
        // The next character must not continue a word.
        if let b = peekByte(), Lexer.isAlphaNumeric(b) {
            pos += 1
            return false
        }
        return true
    }

    /// Scans a decimal, hexadecimal or octal number with optional fraction, exponent and
    /// `_` digit separators, as Prometheus's lexer does; the parser rejects malformed ones.
    private mutating func scanNumber() -> Bool {
        let initial = pos
        var digits = "0123456789"
        var hex = false
        if accept("0") && accept("xX") {
            accept("_")
            digits = "0123456789abcdefABCDEF"
            hex = true
        }
        accept(".")
        accept(digits)
        var dotConsumed = false
        var exponentConsumed = false
        while peekIs(digits + "._eE") {
            if peekIs(".") && dotConsumed {
                accept(".")
                return false
            }
            if peekIs("eE") && exponentConsumed {
                accept("eE")
                return false
            }
            if accept(".") {
                dotConsumed = true
                if accept("_.") { return false }
                if hex { return false }
                continue
            }
            if accept("eE") {
                exponentConsumed = true
                accept("+-")
                if accept("._eE") || peekByte() == nil { return false }
                continue
            }
            if accept("_") {
                if accept("._eE") || peekByte() == nil { return false }
                continue
            }
            acceptRun(digits)
        }
        if pos == initial { return false }
        if let b = peekByte(), Lexer.isAlphaNumeric(b) { return false }
        return true
    }

    // MARK: Strings

    private mutating func lexString(quote: UInt8) -> Token {
        while true {
            guard let (scalar, width) = peekScalar() else { return error("unterminated quoted string") }
            pos += width
            if scalar == "\u{FFFD}" { return error("invalid UTF-8 rune") }
            if scalar == "\n" { return error("unterminated quoted string") }
            if scalar.value == UInt32(quote) { return emit(.string) }
            if scalar == "\\", let message = scanEscape(quote: quote) { return error(message) }
        }
    }

    /// Validates one escape sequence after `\`; returns an error message when it is bad.
    private mutating func scanEscape(quote: UInt8) -> String? {
        guard let (first, width) = peekScalar() else { return "escape sequence not terminated" }
        pos += width
        var count = 0
        var base: UInt32 = 0
        var maxValue: UInt32 = 0
        var current: Unicode.Scalar? = first
        switch first {
        case "a", "b", "f", "n", "r", "t", "v", "\\":
            return nil
        case "0", "1", "2", "3", "4", "5", "6", "7":
            (count, base, maxValue) = (3, 8, 255)
        case "x", "u", "U":
            (count, base, maxValue) = first == "x" ? (2, 16, 255) : (first == "u" ? 4 : 8, 16, 0x10FFFF)
            current = nextScalar()
        default:
            if first.value == UInt32(quote) { return nil }
            return "unknown escape sequence " + GoQuoting.unicodeFormat(first)
        }
        var value: UInt32 = 0
        while count > 0 {
            guard let c = current else { return "escape sequence not terminated" }
            guard c.isASCII, let d = GoQuoting.digitValue(UInt8(c.value)), d < base else {
                return "illegal character " + GoQuoting.unicodeFormat(c) + " in escape sequence"
            }
            value = value &* base &+ d
            count -= 1
            if count > 0 { current = nextScalar() }
        }
        if value > maxValue || (0xD800..<0xE000).contains(value) {
            return "escape sequence is an invalid Unicode code point"
        }
        return nil
    }

    private mutating func nextScalar() -> Unicode.Scalar? {
        guard let (scalar, width) = peekScalar() else { return nil }
        pos += width
        return scalar
    }

    private mutating func lexRawString() -> Token {
        while true {
            guard let (scalar, width) = peekScalar() else { return error("unterminated raw string") }
            pos += width
            if scalar == "\u{FFFD}" { return error("invalid UTF-8 rune") }
            if scalar == "`" { return emit(.string) }
        }
    }
}
