import Model

/// A parser for OpenMetrics 1.0 text, with Prometheus 3's quoted UTF-8 names.
///
/// This is the format's syntax, checked as strictly as the specification writes it
/// (single spaces, no blank lines, `# EOF` last). The data-model rules (ordering,
/// histogram structure, value ranges) are checked by ``OpenMetricsValidator``, which
/// `hindsight check metrics` runs on top; scraping, like Prometheus, needs only the syntax.
public struct OpenMetricsParser: ExpositionParser {
    private let bytes: [UInt8]
    private var offset = 0
    private var nextLine = 1
    private var finished = false
    private let scratch = LabelScratch()
    private let strings = StringTable()
    private let byteClasses = ByteClass.table
    public private(set) var line = 0

    /// The most characters an exemplar's label names and values may have together.
    public static let maxExemplarLabelCharacters = 128

    /// Whether the input is a piece of a larger exposition that continues elsewhere:
    /// its end is not an error, and `# EOF` is expected in a later piece.
    private let isFragment: Bool
    /// Set once `# EOF` was read.
    public private(set) var sawEOF = false

    /// Parses a piece of a larger exposition, cut at a line boundary, whose first line is
    /// `firstLine` of the whole: the end of the piece is not an error (see ``ExpositionStream``).
    public init(fragment bytes: [UInt8], firstLine: Int) {
        self.bytes = bytes
        self.isFragment = true
        self.nextLine = firstLine
    }

    public init(_ bytes: [UInt8]) {
        self.isFragment = false
        self.bytes = bytes
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public mutating func next() throws(ExpositionError) -> ExpositionEntry? {
        if finished { return nil }
        let bytes = self.bytes, strings = self.strings
        var scanner = ByteScanner(buffer: UnsafeBufferPointer(start: nil, count: 0), position: offset,
                                  lineStart: offset, line: nextLine, strings: strings.slots, byteClasses: byteClasses)
        do throws(ExpositionError) {
            let fragment = isFragment
            var eof = false
            let entry = try bytes.withUnsafeBufferPointer { buffer throws(ExpositionError) -> ExpositionEntry? in
                scanner = ByteScanner(buffer: buffer, position: scanner.position, lineStart: scanner.lineStart,
                                      line: scanner.line, strings: strings.slots, byteClasses: byteClasses)
                if fragment && scanner.isAtEnd { return nil }
                let entry = try OpenMetricsParser.parseLine(&scanner, labels: scratch)
                eof = entry == nil
                return entry
            }
            if eof { sawEOF = true }
            line = nextLine
            offset = scanner.position
            nextLine = scanner.line
            if entry == nil { finished = true }
            return entry
        } catch {
            offset = bytes.count
            finished = true
            line = error.line
            throw error
        }
    }

    /// One line; nil at `# EOF`.
    private static func parseLine(_ s: inout ByteScanner, labels: LabelScratch) throws(ExpositionError) -> ExpositionEntry? {
        guard let b = s.current else { throw s.error(.missingEOF) }
        if b == ByteScanner.newline {
            throw s.error(.unexpected(found: "an empty line", expected: "a metric or '#'; OpenMetrics does not allow blank lines"))
        }
        if b == UInt8(ascii: "#") { return try parseDescriptor(&s) }
        return try parseSample(&s, labels: labels)
    }

    /// Requires the newline that ends a line and moves past it.
    private static func endLine(_ s: inout ByteScanner, after what: String) throws(ExpositionError) {
        guard s.current == ByteScanner.newline else {
            if s.isAtEnd { throw s.error(.unexpected(found: "end of input", expected: "a newline after \(what)")) }
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "the end of the line after \(what)"))
        }
        s.consumeNewline()
    }

    /// `# HELP`, `# TYPE`, `# UNIT` or `# EOF`.
    private static func parseDescriptor(_ s: inout ByteScanner) throws(ExpositionError) -> ExpositionEntry? {
        let expectedKeyword = "\"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"; OpenMetrics has no other comments"
        guard s.byte(at: s.position + 1) == ByteScanner.space else {
            throw s.error(.unexpected(found: s.describe(at: s.position + 1), expected: expectedKeyword), at: s.position + 1)
        }
        s.position += 2
        if s.hasPrefix("EOF") {
            s.position += 3
            if s.isAtEnd { return nil }
            if s.current == ByteScanner.newline && s.position + 1 == s.buffer.count { return nil }
            if s.current == ByteScanner.newline { s.consumeNewline() }
            throw s.error(.contentAfterEOF)
        }
        enum Keyword { case help, type, unit }
        let keyword: Keyword
        if s.hasPrefix("HELP ") { keyword = .help }
        else if s.hasPrefix("TYPE ") { keyword = .type }
        else if s.hasPrefix("UNIT ") { keyword = .unit }
        else { throw s.error(.unexpected(found: s.describeCurrent(), expected: expectedKeyword)) }
        s.position += 5
        let name = try scanMetricName(&s, context: "a metric family name")
        guard s.current == ByteScanner.space else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a space after the metric family name"))
        }
        s.position += 1
        let textStart = s.position
        s.skipToEndOfLine()
        let textEnd = s.position
        switch keyword {
        case .help:
            let text = try s.unescape(textStart, textEnd, .all)
            try endLine(&s, after: "HELP")
            return .help(family: name, text: text)
        case .type:
            let word = try s.makeString(textStart, textEnd)
            guard let type = MetricType(openMetrics: word) else {
                throw s.error(.invalidMetricType(word), at: textStart)
            }
            try endLine(&s, after: "TYPE")
            return .type(family: name, type)
        case .unit:
            for i in textStart..<textEnd where !ByteScanner.isNameByte(s.buffer[i], allowColon: true) {
                throw s.error(.unexpected(found: s.describe(at: i), expected: "a unit made of letters, digits, '_' and ':'"), at: i)
            }
            let unit = s.makeASCIIString(textStart, textEnd)
            try endLine(&s, after: "UNIT")
            return .unit(family: name, unit: unit)
        }
    }

    private static func scanMetricName(_ s: inout ByteScanner, context: String) throws(ExpositionError) -> String {
        if s.current == ByteScanner.quote {
            let start = s.position
            let name = try s.scanQuoted("metric name")
            if name.isEmpty { throw s.error(.unexpected(found: "an empty name", expected: context), at: start) }
            return name
        }
        guard let name = s.scanLegacyName(allowColon: true) else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: context))
        }
        return name
    }

    /// `name{labels} value [timestamp] [# {labels} value [timestamp]]`
    private static func parseSample(_ s: inout ByteScanner, labels: LabelScratch) throws(ExpositionError) -> ExpositionEntry {
        let start = s.position
        let name = try s.scanSeries(into: labels, syntax: .openMetrics).name
        guard let name else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a metric name"), at: start)
        }
        let sampleLabels = try s.makeLabels(labels, start: start)
        guard s.current == ByteScanner.space else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a space and a value after the metric"))
        }
        s.position += 1
        let value = try scanValue(&s, what: "a value")
        var timestamp: Timestamp?
        var exemplar: Exemplar?
        if s.current == ByteScanner.space {
            s.position += 1
            if s.current != UInt8(ascii: "#") {
                timestamp = try scanTimestamp(&s)
            }
            if s.current == ByteScanner.space {
                s.position += 1
                guard s.current == UInt8(ascii: "#") else {
                    throw s.error(.unexpected(found: s.describeCurrent(), expected: "'#' to start an exemplar"))
                }
            }
            if s.current == UInt8(ascii: "#") {
                exemplar = try scanExemplar(&s, labels: labels)
            }
        }
        try endLine(&s, after: "the sample")
        var sample = ExpositionSample(name: name, labels: sampleLabels, value: value, timestamp: timestamp)
        if let exemplar { sample.exemplar = exemplar }
        return .sample(sample)
    }

    /// A float token ending at a space or newline.
    private static func scanValue(_ s: inout ByteScanner, what: String) throws(ExpositionError) -> Double {
        let range = s.scanToken(tabEnds: false)
        if range.isEmpty {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: what))
        }
        guard let value = GoFloat.parse(s.slice(range)) else {
            throw s.error(.invalidValue(String(decoding: s.slice(range), as: UTF8.self)), at: range.lowerBound)
        }
        return value
    }

    /// A timestamp in seconds (a float, not NaN or infinite), as milliseconds.
    private static func scanTimestamp(_ s: inout ByteScanner) throws(ExpositionError) -> Timestamp {
        let range = s.scanToken(tabEnds: false)
        if range.isEmpty {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a timestamp"))
        }
        guard let seconds = GoFloat.parse(s.slice(range)), seconds.isFinite else {
            throw s.error(.invalidTimestamp(String(decoding: s.slice(range), as: UTF8.self)), at: range.lowerBound)
        }
        return millisecondsTruncating(seconds)
    }

    /// Seconds to milliseconds the way Prometheus converts them (truncating toward zero),
    /// saturating where Go's conversion would overflow.
    static func millisecondsTruncating(_ seconds: Double) -> Timestamp {
        let ms = (seconds * 1000).rounded(.towardZero)
        if ms >= 9.223372036854775e18 { return .max }
        if ms <= -9.223372036854775e18 { return .min }
        return Timestamp(ms)
    }

    /// `# {labels} value [timestamp]` at the cursor (on the `#`).
    private static func scanExemplar(_ s: inout ByteScanner, labels: LabelScratch) throws(ExpositionError) -> Exemplar {
        guard s.byte(at: s.position + 1) == ByteScanner.space else {
            throw s.error(.unexpected(found: s.describe(at: s.position + 1), expected: "a space after '#' of an exemplar"), at: s.position + 1)
        }
        s.position += 2
        guard s.current == UInt8(ascii: "{") else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "'{' to open the exemplar's labels"))
        }
        let start = s.position
        labels.reset()
        var noName: String?
        try s.scanLabelSet(into: labels, metricName: &noName, syntax: .openMetrics, allowsMetricName: false)
        // Characters, not bytes: count the bytes that start a UTF-8 sequence.
        let characters = labels.characterCount
        if characters > maxExemplarLabelCharacters {
            throw s.error(.exemplarTooLong(characters: characters), at: start)
        }
        let exemplarLabels = try s.makeLabels(labels, start: start)
        guard s.current == ByteScanner.space else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a space and the exemplar's value"))
        }
        s.position += 1
        let value = try scanValue(&s, what: "the exemplar's value")
        var timestamp: Timestamp?
        if s.current == ByteScanner.space {
            s.position += 1
            timestamp = try scanTimestamp(&s)
        }
        return Exemplar(labels: exemplarLabels, value: value, timestamp: timestamp)
    }
}
