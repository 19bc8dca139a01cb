internal import CRE2

/// A regular expression with Go's `regexp` semantics (RE2 syntax, `.` not matching `\n`,
/// leftmost-first), for the template functions `match` and `reReplaceAll`.
final class GoRegexp: @unchecked Sendable {
    /// Go's `regexp.Compile` error text: `error parsing regexp: missing closing ): `(``.
    struct CompileError: Error {
        var message: String
    }

    let pattern: String
    private let re: OpaquePointer
    private let groups: Int

    init(_ pattern: String) throws(CompileError) {
        self.pattern = pattern
        var source = GoRegexp.perlNamedGroups(pattern)
        var message: UnsafeMutablePointer<CChar>? = nil
        var code: Int32 = 0
        var arg: UnsafeMutablePointer<CChar>? = nil
        let compiled: OpaquePointer? = source.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                cre2_compile_go(chars.baseAddress, chars.count, &message, &code, &arg)
            }
        }
        defer {
            if let message { cre2_free_error(message) }
            if let arg { cre2_free_error(arg) }
        }
        guard let compiled else {
            let fragment = arg.map { String(cString: $0) } ?? pattern
            let text = GoRegexp.goErrorCode(Int(code)) ?? (message.map { String(cString: $0) } ?? "invalid regular expression")
            throw CompileError(message: "error parsing regexp: \(text): `\(fragment)`")
        }
        re = compiled
        groups = Int(cre2_number_of_groups(compiled))
    }

    deinit {
        cre2_release(re)
    }

    /// Go (1.22+) accepts `(?<name>re)` as well as `(?P<name>re)`; older RE2 releases only the
    /// latter, so the former is rewritten (outside character classes and escapes).
    static func perlNamedGroups(_ pattern: String) -> String {
        let b = Array(pattern.utf8)
        guard b.count >= 4 else { return pattern }
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 4)
        var i = 0
        var inClass = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\") {
                out.append(c)
                if i + 1 < b.count { out.append(b[i + 1]) }
                i += 2
                continue
            }
            if inClass {
                if c == UInt8(ascii: "]") { inClass = false }
                out.append(c)
                i += 1
                continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
                out.append(c)
                i += 1
                // A ']' right after '[' or '[^' is a literal.
                if i < b.count && b[i] == UInt8(ascii: "^") { out.append(b[i]); i += 1 }
                if i < b.count && b[i] == UInt8(ascii: "]") { out.append(b[i]); i += 1 }
                continue
            }
            if c == UInt8(ascii: "("), i + 3 < b.count, b[i + 1] == UInt8(ascii: "?"), b[i + 2] == UInt8(ascii: "<"),
               b[i + 3] != UInt8(ascii: "="), b[i + 3] != UInt8(ascii: "!") {
                out += Array("(?P<".utf8)
                i += 3
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `regexp/syntax` error code text for an RE2 error code.
    private static func goErrorCode(_ code: Int) -> String? {
        switch code {
        case 1: "regexp/syntax: internal error"
        case 2: "invalid escape sequence"
        case 3: "invalid character class"
        case 4: "invalid character class range"
        case 5: "missing closing ]"
        case 6: "missing closing )"
        case 7: "unexpected )"
        case 8: "trailing backslash at end of expression"
        case 9: "missing argument to repetition operator"
        case 10: "invalid repeat count"
        case 11: "invalid nested repetition operator"
        case 12: "invalid or unsupported Perl syntax"
        case 13: "invalid UTF-8"
        case 14: "invalid named capture"
        case 15: "expression too large"
        default: nil
        }
    }

    /// The submatch offsets of the leftmost match at or after `start`, or nil.
    private func match(_ bytes: UnsafeBufferPointer<CChar>, from start: Int) -> [Int]? {
        var offsets = [Int](repeating: -1, count: 2 * (groups + 1))
        let found = offsets.withUnsafeMutableBufferPointer { o in
            o.withMemoryRebound(to: CLong.self) { p in
                cre2_match_at(re, bytes.baseAddress, bytes.count, start, p.baseAddress, Int32(groups))
            }
        }
        return found != 0 ? offsets : nil
    }

    /// `regexp.MatchString`: whether some part of `s` matches.
    func matches(_ s: String) -> Bool {
        var text = s
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { match($0, from: 0) != nil }
        }
    }

    /// `Regexp.ReplaceAllString`: every match replaced by `template` with `$1`, `${1}`,
    /// `$name`, `${name}` expanded and `$$` as `$`; an empty match right after a match is skipped.
    func replaceAll(in source: String, with template: String) -> String {
        var text = source
        let src = Array(source.utf8)
        var out: [UInt8] = []
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                var lastMatchEnd = 0
                var searchPos = 0
                while searchPos <= src.count {
                    guard let m = match(chars, from: searchPos) else { break }
                    out.append(contentsOf: src[lastMatchEnd..<m[0]])
                    if m[1] > lastMatchEnd || m[0] == 0 {
                        expand(template, src, m, into: &out)
                    }
                    lastMatchEnd = m[1]
                    // Advance past this match; always advance at least one character.
                    let width = searchPos < src.count ? UTF8Decoding.scalar(in: src, at: searchPos).1 : 0
                    if searchPos + width > m[1] {
                        searchPos += width
                    } else if searchPos + 1 > m[1] {
                        searchPos += 1
                    } else {
                        searchPos = m[1]
                    }
                }
                out.append(contentsOf: src[lastMatchEnd...])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `Regexp.expand`.
    private func expand(_ template: String, _ src: [UInt8], _ m: [Int], into out: inout [UInt8]) {
        var t = Array(template.utf8)[...]
        while let dollar = t.firstIndex(of: UInt8(ascii: "$")) {
            out.append(contentsOf: t[t.startIndex..<dollar])
            t = t[(dollar + 1)...]
            if t.first == UInt8(ascii: "$") {
                out.append(UInt8(ascii: "$"))
                t = t.dropFirst()
                continue
            }
            guard let (name, num, rest) = GoRegexp.extract(t) else {
                out.append(UInt8(ascii: "$")) // malformed: a literal $
                continue
            }
            t = rest
            var group = -1
            if num >= 0 {
                group = num
            } else {
                var nameText = name
                let index = nameText.withUTF8 { b in
                    b.withMemoryRebound(to: CChar.self) { cre2_group_index(re, $0.baseAddress, $0.count) }
                }
                group = Int(index)
            }
            if group >= 0, 2 * group + 1 < m.count, m[2 * group] >= 0 {
                out.append(contentsOf: src[m[2 * group]..<m[2 * group + 1]])
            }
        }
        out.append(contentsOf: t)
    }

    /// Go's `extract`: a group name or number after `$` (`name`, `{name}`); num is -1 for names.
    private static func extract(_ s: ArraySlice<UInt8>) -> (String, Int, ArraySlice<UInt8>)? {
        var str = s
        guard !str.isEmpty else { return nil }
        var brace = false
        if str.first == UInt8(ascii: "{") {
            brace = true
            str = str.dropFirst()
        }
        let bytes = Array(str)
        var i = 0
        while i < bytes.count {
            let (r, w) = UTF8Decoding.scalar(in: bytes, at: i)
            if !GoUnicode.isLetter(r) && !GoUnicode.isDigit(r) && r != "_" { break }
            i += w
        }
        if i == 0 { return nil }
        let name = String(decoding: bytes[0..<i], as: UTF8.self)
        if brace {
            if i >= bytes.count || bytes[i] != UInt8(ascii: "}") { return nil }
            i += 1
        }
        var num = 0
        for b in name.utf8 {
            if b < UInt8(ascii: "0") || b > UInt8(ascii: "9") || num >= 100_000_000 {
                num = -1
                break
            }
            num = num * 10 + Int(b - UInt8(ascii: "0"))
        }
        if name.utf8.first == UInt8(ascii: "0") && name.utf8.count > 1 { num = -1 }
        return (name, num, str.dropFirst(i))
    }

    /// Go's `regexp.MustCompile` panic text: ``regexp: Compile(`(`): error parsing regexp: …``.
    static func mustCompileMessage(_ pattern: String, _ error: CompileError) -> String {
        let quoted = GoQuote.canBackquote(pattern) ? "`" + pattern + "`" : GoQuote.quote(pattern)
        return "regexp: Compile(" + quoted + "): " + error.message
    }
}
