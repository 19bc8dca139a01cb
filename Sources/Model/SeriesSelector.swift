/// A series selector as written on command lines and in the HTTP API's `match[]`:
/// `metric`, `metric{label="value", …}` or `{…}`, with `=`, `!=`, `=~`, `!~` and
/// Prometheus 3's quoted UTF-8 names (`{"my.metric", "a.b"="c"}`).
///
/// Strings may be quoted with `"`, `'` (Go escapes) or backquotes (raw), as in PromQL.
public enum SeriesSelector {
    /// Why a selector does not parse; `position` is the 1-based character column.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let position: Int
        public let message: String
        public var description: String { "1:\(position): \(message)" }
    }

    /// The matchers of `text`; the metric name becomes a `__name__="…"` matcher.
    public static func parse(_ text: String) throws(ParseError) -> [LabelMatcher] {
        var p = Scanner(Array(text.unicodeScalars))
        p.skipSpaces()
        var matchers: [LabelMatcher] = []
        if let name = p.identifier(allowColon: true) {
            matchers.append(.equal(LabelName.metricName, name))
        }
        p.skipSpaces()
        if p.peek == "{" {
            p.index += 1
            p.skipSpaces()
            while p.peek != "}" {
                let start = p.index
                let name: String
                if let quote = p.peek, quote == "\"" || quote == "'" || quote == "`" {
                    let quoted = try p.string()
                    p.skipSpaces()
                    if p.peek == "," || p.peek == "}" {
                        guard !matchers.contains(where: { $0.name == LabelName.metricName }) else {
                            throw ParseError(position: start + 1, message: "metric name given twice")
                        }
                        matchers.append(.equal(LabelName.metricName, quoted))
                        if p.peek == "," { p.index += 1; p.skipSpaces() }
                        continue
                    }
                    name = quoted
                } else if let identifier = p.identifier(allowColon: false) {
                    name = identifier
                } else {
                    throw p.error("expected a label name or '}', found \(p.describePeek())")
                }
                p.skipSpaces()
                let type: MatchType
                if p.consume("=~") { type = .regexMatch }
                else if p.consume("!~") { type = .regexNoMatch }
                else if p.consume("!=") { type = .notEqual }
                else if p.consume("=") { type = .equal }
                else { throw p.error("expected a match operator (=, !=, =~, !~) after \(GoString.quote(name)), found \(p.describePeek())") }
                p.skipSpaces()
                let valueStart = p.index
                guard let quote = p.peek, quote == "\"" || quote == "'" || quote == "`" else {
                    throw p.error("expected a quoted label value, found \(p.describePeek())")
                }
                let value = try p.string()
                do {
                    matchers.append(try LabelMatcher(type, name, value))
                } catch {
                    throw ParseError(position: valueStart + 1, message: error.description)
                }
                p.skipSpaces()
                if p.peek == "," {
                    p.index += 1
                    p.skipSpaces()
                } else if p.peek != "}" {
                    throw p.error("expected ',' or '}', found \(p.describePeek())")
                }
            }
            p.index += 1
        }
        p.skipSpaces()
        if p.peek != nil { throw p.error("unexpected \(p.describePeek()) after the selector") }
        if matchers.isEmpty { throw ParseError(position: 1, message: "a selector needs a metric name or at least one matcher") }
        return matchers
    }

    private struct Scanner {
        let chars: [Unicode.Scalar]
        var index = 0

        init(_ chars: [Unicode.Scalar]) { self.chars = chars }

        var peek: Unicode.Scalar? { index < chars.count ? chars[index] : nil }

        mutating func skipSpaces() {
            while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1 }
        }

        mutating func consume(_ token: String) -> Bool {
            let scalars = Array(token.unicodeScalars)
            guard index + scalars.count <= chars.count, Array(chars[index..<(index + scalars.count)]) == scalars else { return false }
            index += scalars.count
            return true
        }

        mutating func identifier(allowColon: Bool) -> String? {
            func isStart(_ c: Unicode.Scalar) -> Bool {
                (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || (allowColon && c == ":")
            }
            guard let first = peek, isStart(first) else { return nil }
            var out = String(first)
            index += 1
            while let c = peek, isStart(c) || (c >= "0" && c <= "9") {
                out.unicodeScalars.append(c)
                index += 1
            }
            return out
        }

        func describePeek() -> String {
            guard let c = peek else { return "end of input" }
            return "'\(c)'"
        }

        func error(_ message: String) -> ParseError { ParseError(position: index + 1, message: message) }

        /// A quoted string at the cursor, unescaped as PromQL does.
        mutating func string() throws(ParseError) -> String {
            let start = index
            guard let quote = peek else { throw error("expected a string") }
            index += 1
            var out = String.UnicodeScalarView()
            while true {
                guard let c = peek else { throw ParseError(position: start + 1, message: "unterminated quoted string") }
                index += 1
                if c == quote { break }
                if quote == "`" {
                    out.append(c)
                    continue
                }
                if c == "\n" { throw ParseError(position: start + 1, message: "unterminated quoted string") }
                guard c == "\\" else {
                    out.append(c)
                    continue
                }
                guard let e = peek else { throw ParseError(position: start + 1, message: "unterminated quoted string") }
                index += 1
                switch e {
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "v": out.append("\u{0B}")
                case "\\": out.append("\\")
                case "\"", "'": out.append(e)
                case "x", "u", "U":
                    let digits = e == "x" ? 2 : (e == "u" ? 4 : 8)
                    guard index + digits <= chars.count,
                          let value = UInt32(String(String.UnicodeScalarView(chars[index..<(index + digits)])), radix: 16),
                          let scalar = Unicode.Scalar(value) else {
                        throw ParseError(position: index, message: "invalid escape sequence \\\(e)")
                    }
                    out.append(scalar)
                    index += digits
                default:
                    if e >= "0" && e <= "7", index + 2 <= chars.count,
                       let value = UInt32(String(String.UnicodeScalarView(chars[(index - 1)..<(index + 2)])), radix: 8),
                       value < 256, let scalar = Unicode.Scalar(value) {
                        out.append(scalar)
                        index += 2
                    } else {
                        throw ParseError(position: index, message: "unknown escape sequence \\\(e)")
                    }
                }
            }
            return String(out)
        }
    }
}
