/// A fully anchored regular-expression matcher with fast paths, like Prometheus's
/// `FastRegexMatcher`.
///
/// Every pattern is compiled with RE2 (so invalid patterns always report RE2's error), and
/// the pattern text is analysed for common shapes that can be answered without running a
/// regex engine:
///
/// | pattern               | strategy                              |
/// |-----------------------|---------------------------------------|
/// | `.*`                  | matches everything                    |
/// | `.+`                  | matches any non-empty string          |
/// | `foo`, `foo\.bar`     | byte equality                         |
/// | `a|b|c`, `(?:a|b)`    | set membership                        |
/// | `pre(a|b)post`        | set membership of the expanded literals |
/// | `foo.*`, `(a|b).*`    | literal prefix                        |
/// | `.*foo`               | literal suffix                        |
/// | `.*foo.*`             | substring (also with `.+` on either side) |
///
/// Everything else (character classes, repeats, `(?i)`, anchors, …) is answered by RE2 full
/// match. Every fast path gives exactly RE2's answer: comparisons are on UTF-8 bytes (Go and
/// RE2 semantics), never on Swift's canonical-equivalence `String` comparison.
public struct RegexMatcher: Sendable {
    /// The pattern as given.
    public let pattern: String
    let strategy: Strategy

    /// Which side of a literal core allows arbitrary text.
    enum Side: Sendable, Equatable {
        /// Nothing.
        case none
        /// `.*`: any text, possibly empty.
        case any
        /// `.+`: any non-empty text.
        case nonEmpty
    }

    enum Strategy: Sendable {
        case any
        case nonEmpty
        case equal([UInt8])
        /// A few literals, compared in turn.
        case anyOf([[UInt8]])
        /// Many literals, hashed (and the ordered list, for ``setMatches``).
        case set(Set<UTF8Key>, ordered: [[UInt8]])
        /// `side (lit1|lit2|…) side` with at least one non-`none` side.
        case affix(leading: Side, literals: [[UInt8]], trailing: Side)
        case re2(RE2Regex)
    }

    /// How the matcher answers, for tests and diagnostics.
    enum Kind: String, Sendable {
        case any, nonEmpty, equal, set, prefix, suffix, contains, re2
    }

    /// Set lookups switch from a linear scan to hashing above this many literals.
    static let linearSetLimit = 8
    /// Expanding `pre(a|b|…)post` is bounded; larger alternations go to RE2.
    static let maxSetSize = 4096

    /// Compiles `pattern` with RE2 (always, for validation) and picks the fastest strategy
    /// that is equivalent to RE2 full match.
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        let regex = try RE2Regex(pattern)
        if let fast = RegexMatcher.fastStrategy(for: pattern) {
            strategy = fast
        } else {
            strategy = .re2(regex)
        }
    }

    /// Whether the whole of `s` matches the pattern.
    public func matches(_ s: String) -> Bool {
        switch strategy {
        case .any:
            return true
        case .nonEmpty:
            return !s.isEmpty
        case .equal(let literal):
            return UTF8Bytes.equal(s, literal)
        case .anyOf(let literals):
            var text = s
            return text.withUTF8 { t in
                for literal in literals where literal.withUnsafeBufferPointer({ UTF8Bytes.equal(t, $0) }) { return true }
                return false
            }
        case .set(let set, _):
            return set.contains(UTF8Key(s))
        case .affix(let leading, let literals, let trailing):
            var text = s
            return text.withUTF8 { t in
                for literal in literals where Bytes.affixMatch(t, leading, literal, trailing) { return true }
                return false
            }
        case .re2(let regex):
            return regex.fullMatch(s)
        }
    }

    /// The finite set of strings this pattern can match (a literal, or an alternation of
    /// literals, possibly with a shared literal prefix/suffix), in pattern order without
    /// duplicates; nil when the set is not finite or not known (e.g. `(?i)` patterns), as
    /// Prometheus's `SetMatches()`. Lets storage look up series by value instead of scanning.
    public var setMatches: [String]? {
        switch strategy {
        case .equal(let literal): return [String(decoding: literal, as: UTF8.self)]
        case .anyOf(let literals): return literals.map { String(decoding: $0, as: UTF8.self) }
        case .set(_, let ordered): return ordered.map { String(decoding: $0, as: UTF8.self) }
        default: return nil
        }
    }

    /// The strategy in use.
    var kind: Kind {
        switch strategy {
        case .any: return .any
        case .nonEmpty: return .nonEmpty
        case .equal: return .equal
        case .anyOf, .set: return .set
        case .affix(let leading, _, let trailing):
            switch (leading, trailing) {
            case (.none, _): return .prefix
            case (_, .none): return .suffix
            default: return .contains
            }
        case .re2: return .re2
        }
    }

    // MARK: Analysis

    /// The fast strategy for `pattern`, or nil when only RE2 can answer.
    /// The caller has already checked that RE2 accepts the pattern.
    static func fastStrategy(for pattern: String) -> Strategy? {
        guard let parsed = parse(pattern) else { return nil }
        let literals = parsed.literals
        let hasEmpty = literals.contains { $0.isEmpty }
        if hasEmpty && (parsed.leading == .nonEmpty || parsed.trailing == .nonEmpty) {
            // `.+` next to a possibly empty literal: byte counts no longer tell character
            // counts apart (`.+.+` needs two characters), so only the simplest shapes stay fast.
            if literals.count == 1, parsed.leading != parsed.trailing {
                return .nonEmpty  // `.+`, `.+.*`, `.*.+`
            }
            return nil
        }
        if literals == [[]] {
            // Only `.*` sides (or none) around an empty literal.
            return parsed.leading == .none && parsed.trailing == .none ? .equal([]) : .any
        }
        if parsed.leading == .none && parsed.trailing == .none {
            if literals.count == 1 { return .equal(literals[0]) }
            if literals.count <= linearSetLimit { return .anyOf(literals) }
            return .set(Set(literals.map { UTF8Key(String(decoding: $0, as: UTF8.self)) }), ordered: literals)
        }
        if hasEmpty {
            // `.*` beside an empty alternative matches everything.
            return .any
        }
        return .affix(leading: parsed.leading, literals: literals, trailing: parsed.trailing)
    }

    /// A pattern of the shape `side literals side`.
    struct Parsed {
        var leading: Side
        /// Distinct literals (byte-wise), in pattern order; never empty.
        var literals: [[UInt8]]
        var trailing: Side
    }

    private enum Token: Equatable {
        /// One literal character (its UTF-8 bytes).
        case literal([UInt8])
        case dotStar
        case dotPlus
        /// `(` or `(?:`
        case open
        case close
        case bar
    }

    /// Parses `[.*|.+] core [.*|.+]` where core is a concatenation of literal characters with
    /// at most one group of alternated literals (`(a|b)` or `(?:a|b)`), or, when there are no
    /// sides, a top-level alternation of literals. Anything else returns nil.
    static func parse(_ pattern: String) -> Parsed? {
        guard var tokens = tokenize(Array(pattern.utf8)) else { return nil }
        var leading = Side.none
        var trailing = Side.none
        if let first = tokens.first, let side = side(first) {
            leading = side
            tokens.removeFirst()
        }
        if let last = tokens.last, let side = side(last) {
            trailing = side
            tokens.removeLast()
        }

        var prefix: [UInt8] = []
        var suffix: [UInt8] = []
        var group: [[UInt8]]? = nil
        var topLevel: [[UInt8]] = [[]]  // alternatives outside any group
        var i = 0
        while i < tokens.count {
            switch tokens[i] {
            case .literal(let bytes):
                if group == nil {
                    topLevel[topLevel.count - 1] += bytes
                } else {
                    suffix += bytes
                }
                i += 1
            case .bar:
                guard group == nil else { return nil }
                topLevel.append([])
                i += 1
            case .open:
                guard group == nil, topLevel.count == 1 else { return nil }
                prefix = topLevel[0]
                var alternatives: [[UInt8]] = [[]]
                i += 1
                var closed = false
                while i < tokens.count, !closed {
                    switch tokens[i] {
                    case .literal(let bytes): alternatives[alternatives.count - 1] += bytes
                    case .bar: alternatives.append([])
                    case .close: closed = true
                    default: return nil
                    }
                    i += 1
                }
                guard closed else { return nil }
                group = alternatives
            case .close, .dotStar, .dotPlus:
                return nil
            }
        }

        var literals: [[UInt8]]
        if let group {
            // A bar after the group was rejected above (`group == nil` guard).
            literals = group.map { prefix + $0 + suffix }
        } else {
            literals = topLevel
            if literals.count > 1 && (leading != .none || trailing != .none) {
                // `.*a|b` is `(.*a)|b`, not a prefix/suffix shape.
                return nil
            }
        }
        guard literals.count <= maxSetSize else { return nil }
        return Parsed(leading: leading, literals: dedupe(literals), trailing: trailing)
    }

    private static func side(_ token: Token) -> Side? {
        switch token {
        case .dotStar: return .any
        case .dotPlus: return .nonEmpty
        default: return nil
        }
    }

    private static func dedupe(_ literals: [[UInt8]]) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        var out: [[UInt8]] = []
        for literal in literals where seen.insert(literal).inserted { out.append(literal) }
        return out
    }

    private static func isASCIIPunctuation(_ b: UInt8) -> Bool {
        (b >= 0x21 && b <= 0x2f) || (b >= 0x3a && b <= 0x40) || (b >= 0x5b && b <= 0x60) || (b >= 0x7b && b <= 0x7e)
    }

    private static func isQuantifier(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "*") || b == UInt8(ascii: "+") || b == UInt8(ascii: "?") || b == UInt8(ascii: "{")
    }

    /// Splits the pattern into the few tokens the fast paths understand; nil as soon as
    /// anything else appears (classes, anchors, repeats of literals or groups, flags, escapes
    /// other than escaped ASCII punctuation, …).
    private static func tokenize(_ p: [UInt8]) -> [Token]? {
        var tokens: [Token] = []
        var i = 0
        /// The byte after a literal or `)` must not be a quantifier (`ab*`, `(a|b)+`).
        func quantified(_ next: Int) -> Bool { next < p.count && isQuantifier(p[next]) }
        while i < p.count {
            let b = p[i]
            switch b {
            case UInt8(ascii: "\\"):
                guard i + 1 < p.count, isASCIIPunctuation(p[i + 1]), !quantified(i + 2) else { return nil }
                tokens.append(.literal([p[i + 1]]))
                i += 2
            case UInt8(ascii: "."):
                guard i + 1 < p.count else { return nil }
                let op = p[i + 1]
                guard op == UInt8(ascii: "*") || op == UInt8(ascii: "+"), !quantified(i + 2) else { return nil }
                tokens.append(op == UInt8(ascii: "*") ? .dotStar : .dotPlus)
                i += 2
            case UInt8(ascii: "("):
                if i + 1 < p.count && p[i + 1] == UInt8(ascii: "?") {
                    guard i + 2 < p.count, p[i + 2] == UInt8(ascii: ":") else { return nil }
                    i += 3
                } else {
                    i += 1
                }
                tokens.append(.open)
            case UInt8(ascii: ")"):
                guard !quantified(i + 1) else { return nil }
                tokens.append(.close)
                i += 1
            case UInt8(ascii: "|"):
                tokens.append(.bar)
                i += 1
            case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"),
                 UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "^"), UInt8(ascii: "$"):
                return nil
            default:
                // One whole UTF-8 character: a lead byte and its continuation bytes.
                var end = i + 1
                while end < p.count && p[end] & 0xC0 == 0x80 { end += 1 }
                guard !quantified(end) else { return nil }
                tokens.append(.literal(Array(p[i..<end])))
                i = end
            }
        }
        return tokens
    }
}

/// A string hashed and compared by its UTF-8 bytes (Swift's `String` hashes and compares by
/// canonical equivalence, so `"é"` and `"e\u{301}"` would collide; Go and RE2 see bytes).
struct UTF8Key: Hashable, Sendable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool { UTF8Bytes.equal(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Matching of a literal with arbitrary text around it, on UTF-8 bytes.
enum Bytes {
    /// Whether `literal` occurs in `t` with at least `leading` characters before it and
    /// `trailing` after it. Byte positions are character boundaries here because both `t`
    /// and the non-empty `literal` are valid UTF-8 (a literal starts with a lead byte).
    static func affixMatch(
        _ t: UnsafeBufferPointer<UInt8>, _ leading: RegexMatcher.Side, _ literal: [UInt8], _ trailing: RegexMatcher.Side
    ) -> Bool {
        let n = t.count, m = literal.count
        let minBefore = leading == .nonEmpty ? 1 : 0
        let minAfter = trailing == .nonEmpty ? 1 : 0
        guard n >= m + minBefore + minAfter else { return false }
        return literal.withUnsafeBufferPointer { l in
            func occurs(at start: Int) -> Bool {
                var k = 0
                while k < m {
                    if t[start + k] != l[k] { return false }
                    k += 1
                }
                return true
            }
            switch (leading, trailing) {
            case (.none, .none):
                return n == m && occurs(at: 0)
            case (.none, _):
                return occurs(at: 0)
            case (_, .none):
                return occurs(at: n - m)
            default:
                var start = minBefore
                let last = n - m - minAfter
                while start <= last {
                    if occurs(at: start) { return true }
                    start += 1
                }
                return false
            }
        }
    }
}
