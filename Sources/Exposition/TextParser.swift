import Model

/// A parser for the Prometheus text exposition format, version 0.0.4, with
/// Prometheus 3's additions (quoted UTF-8 metric and label names).
///
/// Leniency follows Prometheus's own parser: blanks between tokens, blank lines,
/// comments and a trailing comma in label sets are accepted; values use Go's float
/// syntax; timestamps are integer milliseconds.
public struct TextParser: ExpositionParser {
    private let bytes: [UInt8]
    private var offset = 0
    private var nextLine = 1
    private let scratch = LabelScratch()
    private let strings = StringTable()
    private let byteClasses = ByteClass.table
    public private(set) var line = 0

    /// Parses `bytes` (the whole exposition).
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public mutating func next() throws(ExpositionError) -> ExpositionEntry? {
        var position = offset, scannedLine = nextLine, entryLine = nextLine
        let scratch = self.scratch, strings = self.strings.slots, byteClasses = self.byteClasses
        do throws(ExpositionError) {
            let entry = try bytes.withUnsafeBufferPointer { buffer throws(ExpositionError) -> ExpositionEntry? in
                var scanner = ByteScanner(buffer: buffer, position: position, lineStart: position,
                                          line: scannedLine, strings: strings, byteClasses: byteClasses)
                let entry = try TextParser.parseEntry(&scanner, labels: scratch, entryLine: &entryLine)
                position = scanner.position
                scannedLine = scanner.line
                return entry
            }
            offset = position
            nextLine = scannedLine
            line = entryLine
            return entry
        } catch {
            offset = bytes.count
            line = error.line
            throw error
        }
    }

    private static func parseEntry(
        _ s: inout ByteScanner, labels: LabelScratch, entryLine: inout Int
    ) throws(ExpositionError) -> ExpositionEntry? {
        while true {
            s.skipBlanks()
            guard let b = s.current else { return nil }
            if b == ByteScanner.newline {
                s.consumeNewline()
                continue
            }
            entryLine = s.line
            if b == 0 { throw s.error(.nullByte) }
            if b == UInt8(ascii: "#") { return try parseComment(&s, labels: labels) }
            return try parseSample(&s, labels: labels)
        }
    }

    /// `# HELP name text`, `# TYPE name type`, or any other comment. A legacy family name
    /// becomes the name the next lines are compared with (see ``ByteScanner/scanMetricName(_:)``):
    /// `# TYPE` and the family's first sample usually repeat it.
    private static func parseComment(_ s: inout ByteScanner, labels: LabelScratch) throws(ExpositionError) -> ExpositionEntry {
        s.position += 1
        let afterHash = s.position
        s.skipBlanks()
        let isHelp = s.hasPrefix("HELP"), isType = s.hasPrefix("TYPE")
        let keywordEnd = s.position + 4
        guard s.position > afterHash, isHelp || isType,
              let sep = s.byte(at: keywordEnd), sep == ByteScanner.space || sep == ByteScanner.tab else {
            s.skipToEndOfLine()
            return .comment
        }
        s.position = keywordEnd
        s.skipBlanks()
        let name: String
        if s.current == ByteScanner.quote {
            name = try s.scanQuoted("metric name")
        } else if let legacy = s.scanMetricName(labels) {
            name = legacy.name
        } else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a metric name after \(isHelp ? "HELP" : "TYPE")"))
        }
        if let b = s.current, b != ByteScanner.newline, b != ByteScanner.space, b != ByteScanner.tab {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a blank after the metric name"))
        }
        s.skipBlanks()
        let textStart = s.position
        s.skipToEndOfLine()
        let textEnd = s.position
        if isHelp {
            let text = try s.unescape(textStart, textEnd, [.backslash, .newline])
            consumeLineEnd(&s)
            return .help(family: name, text: text)
        }
        var end = textEnd
        while end > textStart, s.buffer[end - 1] == ByteScanner.space || s.buffer[end - 1] == ByteScanner.tab { end -= 1 }
        let word = try s.makeString(textStart, end)
        guard let type = MetricType(textFormat: word) else {
            throw s.error(.invalidMetricType(word), at: textStart)
        }
        consumeLineEnd(&s)
        return .type(family: name, type)
    }

    @inline(__always)
    private static func consumeLineEnd(_ s: inout ByteScanner) {
        if s.current == ByteScanner.newline { s.consumeNewline() }
    }

    /// `name{labels} value [timestamp]`
    private static func parseSample(_ s: inout ByteScanner, labels: LabelScratch) throws(ExpositionError) -> ExpositionEntry {
        let start = s.position
        let series = try s.scanSeries(into: labels, syntax: .textFormat)
        let name: String
        if let given = series.name {
            name = given
        } else {
            name = try nameFromLabels(&s, labels: labels, hasLabelSet: series.hasLabelSet, start: start)
        }
        let sampleLabels = try s.makeLabels(labels, start: start)
        guard let b = s.current, b == ByteScanner.space || b == ByteScanner.tab else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a blank and a value after the metric"))
        }
        s.skipBlanks()
        let valueRange = s.scanToken(tabEnds: true)
        if valueRange.isEmpty {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a value after the metric"))
        }
        guard let value = GoFloat.parse(s.slice(valueRange)) else {
            throw s.error(.invalidValue(String(decoding: s.slice(valueRange), as: UTF8.self)), at: valueRange.lowerBound)
        }
        s.skipBlanks()
        var timestamp: Timestamp?
        if let b = s.current, b != ByteScanner.newline {
            let tsRange = s.scanToken(tabEnds: true)
            guard let ts = parseInteger(s.slice(tsRange)) else {
                throw s.error(.invalidTimestamp(String(decoding: s.slice(tsRange), as: UTF8.self)), at: tsRange.lowerBound)
            }
            timestamp = ts
            s.skipBlanks()
            if let b = s.current, b != ByteScanner.newline {
                throw s.error(.unexpected(found: s.describeCurrent(), expected: "the end of the line after the timestamp"))
            }
        }
        consumeLineEnd(&s)
        return .sample(ExpositionSample(name: name, labels: sampleLabels, value: value, timestamp: timestamp))
    }

    /// `{__name__="x"}`: the name given as a label (or the error when there is none).
    @inline(never)
    private static func nameFromLabels(
        _ s: inout ByteScanner, labels: LabelScratch, hasLabelSet: Bool, start: Int
    ) throws(ExpositionError) -> String {
        guard hasLabelSet else {
            throw s.error(.unexpected(found: s.describeCurrent(), expected: "a metric name, '{', '#' or a blank line"))
        }
        guard let fromLabel = labels.value(named: LabelName.metricName) else {
            throw s.error(.unexpected(found: "a label set without a metric name", expected: "a metric name"), at: start)
        }
        return fromLabel
    }

    /// A base-10 Int64 with an optional sign; nil on overflow or any other byte.
    static func parseInteger(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < s.count else { return nil }
        var value: Int64 = 0
        while i < s.count {
            let b = s[i]
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(b - 0x30)) : m.addingReportingOverflow(Int64(b - 0x30))
            if o1 || o2 { return nil }
            value = a
            i += 1
        }
        return value
    }
}
