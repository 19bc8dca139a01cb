import Model

/// Prometheus's series notation, shared by promqltest scripts and `promtool test rules`:
/// `metric{label="value"} 1 2+3x4 _ _x3 stale {{schema:0 sum:1 count:1}}x2`.
///
/// Expansion follows Prometheus's series-description grammar: `a+bxn` is `a` then `n`
/// further values, each the previous plus `b` (accumulated, so rounding matches);
/// `a-bxn` subtracts; `axn` repeats `a` `n+1` times; `_` is a missing point and `_xn` is
/// `n` missing points; `stale` is a staleness marker. Native histogram literals `{{…}}`
/// (with the same `xn`, `+`, `-` forms) are kept as text.
public enum SeriesNotation {
    /// Why a series line does not parse; `column` is 1-based, in bytes from the start of the text.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public var column: Int
        public var message: String

        public init(column: Int, message: String) {
            self.column = column
            self.message = message
        }

        public var description: String { "column \(column): \(message)" }
    }

    /// The labels and expanded values of a whole series line.
    public static func parseLine(_ text: String) throws(Error) -> (labels: Labels, values: [SeriesValue]) {
        let bytes = Array(text.utf8)
        let end = try metricEnd(bytes)
        let labels = try parseMetric(String(decoding: bytes[0..<end], as: UTF8.self))
        if end < bytes.count, !isSpace(bytes[end]) {
            if bytes[end...].starts(with: Array("@st".utf8)) {
                throw Error(column: end + 1, message: "start-timestamp (@st) lines are not supported")
            }
            throw Error(column: end + 1, message: "expected a space between the series and its values, found \(describe(bytes[end]))")
        }
        let values = try expand(bytes, from: end)
        return (labels, values)
    }

    /// The labels of `metric`, `metric{a="b", …}`, `{a="b"}`, `{}` or `{"utf8.name", "a.b"="c"}`.
    public static func parseMetric(_ text: String) throws(Error) -> Labels {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count, isIdentifier(bytes[i], first: i == 0) { i += 1 }
        let name = String(decoding: bytes[0..<i], as: UTF8.self)
        var j = i
        while j < bytes.count, isSpace(bytes[j]) { j += 1 }
        if j == bytes.count {
            guard !name.isEmpty else { throw Error(column: 1, message: "expected a metric name or a label set") }
            return Labels([Label(LabelName.metricName, name)])
        }
        guard bytes[j] == UInt8(ascii: "{") else {
            throw Error(column: j + 1, message: "expected '{' or a space after the metric name, found \(describe(bytes[j]))")
        }
        // `{}` and `name{}` need no matchers, which the selector parser insists on.
        var k = j + 1
        while k < bytes.count, isSpace(bytes[k]) { k += 1 }
        if k < bytes.count, bytes[k] == UInt8(ascii: "}") {
            var rest = k + 1
            while rest < bytes.count, isSpace(bytes[rest]) { rest += 1 }
            guard rest == bytes.count else { throw Error(column: rest + 1, message: "unexpected \(describe(bytes[rest])) after the label set") }
            return name.isEmpty ? Labels.empty : Labels([Label(LabelName.metricName, name)])
        }
        let matchers: [LabelMatcher]
        do {
            matchers = try SeriesSelector.parse(text)
        } catch {
            throw Error(column: error.position, message: error.message)
        }
        var labels: [Label] = []
        var seen = Set<String>()
        for matcher in matchers {
            guard matcher.type == .equal else {
                throw Error(column: j + 1, message: "a series needs label values (name=\"value\"), not the matcher \(matcher)")
            }
            guard seen.insert(matcher.name).inserted else {
                throw Error(column: j + 1, message: "label \(GoString.quote(matcher.name)) given twice")
            }
            // An empty value is the same as no label, in storage and in results.
            if !matcher.value.isEmpty { labels.append(Label(matcher.name, matcher.value)) }
        }
        return Labels(labels)
    }

    /// The expanded values of `text` (the part after the series).
    public static func expand(_ text: String) throws(Error) -> [SeriesValue] {
        try expand(Array(text.utf8), from: 0)
    }

    /// A number as Go's `strconv.ParseInt(s, 0, 64)` then `strconv.ParseFloat(s, 64)` read it
    /// (the bare scalar line under an eval): `1`, `-2.5e3`, `0x1f`, `017` (octal), `+Inf`, `NaN`.
    public static func parseNumber(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            bytes.removeFirst()
            // Go's ParseFloat takes the sign itself; "+Inf" and "-NaN" are fine.
        }
        if let integer = goInteger(bytes) { return negative ? -integer : integer }
        guard let value = GoFloat.parse(String(decoding: bytes, as: UTF8.self)) else { return nil }
        return negative ? -value : value
    }

    // MARK: Scanning

    /// The end of the metric part: an identifier, then an optional `{…}` (quotes respected).
    static func metricEnd(_ bytes: [UInt8]) throws(Error) -> Int {
        var i = 0
        while i < bytes.count, isIdentifier(bytes[i], first: i == 0) { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
            i += 1
            while i < bytes.count, bytes[i] != UInt8(ascii: "}") {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "`") {
                    let open = i
                    i += 1
                    while i < bytes.count, bytes[i] != c {
                        if c != UInt8(ascii: "`"), bytes[i] == UInt8(ascii: "\\") { i += 1 }
                        i += 1
                    }
                    guard i < bytes.count else { throw Error(column: open + 1, message: "unterminated quoted string") }
                }
                i += 1
            }
            guard i < bytes.count else { throw Error(column: bytes.count + 1, message: "unterminated label set: missing '}'") }
            i += 1
        }
        if i == 0 {
            throw Error(column: 1, message: bytes.isEmpty ? "expected a series" : "expected a metric name or a label set, found \(describe(bytes[0]))")
        }
        return i
    }

    static func expand(_ bytes: [UInt8], from start: Int) throws(Error) -> [SeriesValue] {
        var values: [SeriesValue] = []
        var i = start
        while true {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            if i == bytes.count { break }
            let tokenStart = i
            if bytes[i...].starts(with: [UInt8(ascii: "{"), UInt8(ascii: "{")]) {
                i = try histogramItem(bytes, at: i, into: &values)
            } else {
                while i < bytes.count, !isSpace(bytes[i]) { i += 1 }
                try floatItem(bytes[tokenStart..<i], column: tokenStart + 1, into: &values)
            }
        }
        return values
    }

    /// `{{…}}`, `{{…}}xN`, `{{…}}+{{…}}xN` or `{{…}}-{{…}}xN`; returns the index after it.
    private static func histogramItem(_ bytes: [UInt8], at start: Int, into values: inout [SeriesValue]) throws(Error) -> Int {
        func literal(_ from: Int) throws(Error) -> Int {
            var i = from + 2
            while i + 1 < bytes.count, !(bytes[i] == UInt8(ascii: "}") && bytes[i + 1] == UInt8(ascii: "}")) { i += 1 }
            guard i + 1 < bytes.count else { throw Error(column: from + 1, message: "unterminated native histogram: missing '}}'") }
            return i + 2
        }
        var i = try literal(start)
        let first = String(decoding: bytes[start..<i], as: UTF8.self)
        var text = first
        var needsCount = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            guard bytes[(i + 1)...].starts(with: [UInt8(ascii: "{"), UInt8(ascii: "{")]) else {
                throw Error(column: i + 2, message: "expected a native histogram after '\(Character(UnicodeScalar(bytes[i])))'")
            }
            let end = try literal(i + 1)
            text = String(decoding: bytes[start..<end], as: UTF8.self)
            i = end
            needsCount = true
        }
        var count = 1
        if i < bytes.count, bytes[i] == UInt8(ascii: "x") {
            let digitsStart = i + 1
            i += 1
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            guard let n = Int(String(decoding: bytes[digitsStart..<i], as: UTF8.self)) else {
                throw Error(column: digitsStart + 1, message: "expected a repetition count after 'x'")
            }
            count = n + 1
        } else if needsCount {
            throw Error(column: i + 1, message: "expected 'x<count>' after the histogram increment")
        }
        if i < bytes.count, !isSpace(bytes[i]) {
            throw Error(column: i + 1, message: "unexpected \(describe(bytes[i])) after a native histogram")
        }
        values.append(contentsOf: repeatElement(.histogram(count == 1 ? first : text), count: count))
        return i
    }

    /// `_`, `_xN`, `stale`, `a`, `axN`, `a+bxN`, `a-bxN`.
    private static func floatItem(_ token: ArraySlice<UInt8>, column: Int, into values: inout [SeriesValue]) throws(Error) {
        let text = String(decoding: token, as: UTF8.self)
        if text == "_" { values.append(.omitted); return }
        if text.hasPrefix("_x") {
            guard let n = Int(text.dropFirst(2)), n >= 0 else {
                throw Error(column: column + 2, message: "invalid repetition in series values: \(GoString.quote(text))")
            }
            values.append(contentsOf: repeatElement(.omitted, count: n))
            return
        }
        if text == "stale" { values.append(.float(StaleMarker.value)); return }
        var i = token.startIndex
        let (base, afterBase) = try number(token, at: i, column: column, signed: true)
        i = afterBase
        if i == token.endIndex { values.append(.float(base)); return }
        var increment = 0.0
        if token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-") {
            let negative = token[i] == UInt8(ascii: "-")
            let (step, afterStep) = try number(token, at: i + 1, column: column, signed: false)
            increment = negative ? -step : step
            i = afterStep
            guard i < token.endIndex, token[i] == UInt8(ascii: "x") else {
                throw Error(column: column + (i - token.startIndex), message: "expected 'x<count>' after the increment in \(GoString.quote(text))")
            }
        }
        guard token[i] == UInt8(ascii: "x") else {
            throw Error(column: column + (i - token.startIndex), message: "unexpected \(describe(token[i])) in series value \(GoString.quote(text))")
        }
        let digits = token[(i + 1)...]
        guard !digits.isEmpty, digits.allSatisfy(isDigit), let n = Int(String(decoding: digits, as: UTF8.self)) else {
            throw Error(column: column + (i + 1 - token.startIndex), message: "invalid repetition in series values: \(GoString.quote(text))")
        }
        var value = base
        values.reserveCapacity(values.count + n + 1)
        for _ in 0...n {
            values.append(.float(value))
            value += increment
        }
    }

    /// A number at `start`: decimal (a leading `0` means octal, as Go reads it), `Inf`/`Infinity`/`NaN` in any case, with an
    /// optional sign when `signed`. Returns the value and the index after it.
    private static func number(_ token: ArraySlice<UInt8>, at start: Int, column: Int, signed: Bool) throws(Error) -> (Double, Int) {
        var i = start
        var negative = false
        if signed, i < token.endIndex, token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-") {
            negative = token[i] == UInt8(ascii: "-")
            i += 1
        }
        let lexemeStart = i
        func lower(_ k: Int) -> UInt8 { k < token.endIndex ? token[k] | 0x20 : 0 }
        func matchesWord(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard lexemeStart + w.count <= token.endIndex else { return false }
            for (n, c) in w.enumerated() where lower(lexemeStart + n) != c { return false }
            return true
        }
        if matchesWord("infinity") {
            i += 8
        } else if matchesWord("inf") || matchesWord("nan") {
            i += 3
        } else {
            // No hexadecimal here: Prometheus disallows it in series values, where `0x5`
            // means "0, repeated 5 more times".
            while i < token.endIndex, isDigit(token[i]) { i += 1 }
            if i < token.endIndex, token[i] == UInt8(ascii: ".") {
                i += 1
                while i < token.endIndex, isDigit(token[i]) { i += 1 }
            }
            if lower(i) == UInt8(ascii: "e") {
                var k = i + 1
                if k < token.endIndex, token[k] == UInt8(ascii: "+") || token[k] == UInt8(ascii: "-") { k += 1 }
                if k < token.endIndex, isDigit(token[k]) {
                    while k < token.endIndex, isDigit(token[k]) { k += 1 }
                    i = k
                }
            }
        }
        let lexeme = Array(token[lexemeStart..<i])
        let value = goInteger(lexeme) ?? GoFloat.parse(String(decoding: lexeme, as: UTF8.self))
        guard let value, !lexeme.isEmpty else {
            let what = String(decoding: token, as: UTF8.self)
            throw Error(column: column + (lexemeStart - token.startIndex), message: "expected a number, '_' or 'stale' in series values, found \(GoString.quote(what))")
        }
        return (negative ? -value : value, i)
    }

    /// Go's `strconv.ParseInt(s, 0, 64)` for an unsigned text: `0x`, `0o`, `0b` prefixes and a
    /// leading `0` for octal. nil when not such an integer (or out of range).
    static func goInteger(_ bytes: [UInt8]) -> Double? {
        guard !bytes.isEmpty else { return nil }
        var digits = bytes[...]
        var radix = 10
        if bytes.count > 1, bytes[0] == UInt8(ascii: "0") {
            switch bytes[1] | 0x20 {
            case UInt8(ascii: "x"): radix = 16; digits = bytes[2...]
            case UInt8(ascii: "o"): radix = 8; digits = bytes[2...]
            case UInt8(ascii: "b"): radix = 2; digits = bytes[2...]
            default: radix = 8; digits = bytes[1...]
            }
        }
        guard !digits.isEmpty, let value = Int64(String(decoding: digits, as: UTF8.self), radix: radix) else { return nil }
        return Double(value)
    }

    // MARK: Characters

    static func isSpace(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    static func isIdentifier(_ c: UInt8, first: Bool) -> Bool {
        let l = c | 0x20
        if l >= UInt8(ascii: "a") && l <= UInt8(ascii: "z") { return true }
        if c == UInt8(ascii: "_") || c == UInt8(ascii: ":") { return true }
        return !first && isDigit(c)
    }

    static func describe(_ c: UInt8) -> String {
        c < 0x80 ? "'\(Character(UnicodeScalar(c)))'" : "a non-ASCII character"
    }
}

/// One point of an expanded series notation.
public enum SeriesValue: Sendable, Hashable, CustomStringConvertible {
    /// `_`: no sample at this step.
    case omitted
    /// A float; `stale` is ``StaleMarker/value``.
    case float(Double)
    /// A native histogram literal, `{{schema:0 sum:1 count:1}}`, kept as written (our
    /// storage holds floats only; evals touching histograms are skipped).
    case histogram(String)

    public var isHistogram: Bool {
        if case .histogram = self { true } else { false }
    }

    public static func == (a: SeriesValue, b: SeriesValue) -> Bool {
        switch (a, b) {
        case (.omitted, .omitted): true
        case (.float(let x), .float(let y)): x.bitPattern == y.bitPattern || (x == y)
        case (.histogram(let x), .histogram(let y)): x == y
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .omitted: hasher.combine(0)
        case .float(let v): hasher.combine(1); hasher.combine(v == 0 ? 0 : v.bitPattern)
        case .histogram(let h): hasher.combine(2); hasher.combine(h)
        }
    }

    public var description: String {
        switch self {
        case .omitted: "_"
        case .float(let v): StaleMarker.isStale(v) ? "stale" : GoFloat.format(v)
        case .histogram(let h): h
        }
    }
}
