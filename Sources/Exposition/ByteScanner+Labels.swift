import Model

/// The labels of the line being parsed, as bytes: each label's name and (unescaped)
/// value are appended to one buffer and located by spans, so that no `String` is made
/// per label; ``ByteScanner/makeLabels(_:start:)`` sorts the spans and packs a ``Labels``.
/// A parser keeps one and reuses its storage line after line.
struct LabelScratch {
    struct Span {
        var nameStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int
    }

    var bytes: [UInt8] = []
    var spans: [Span] = []

    init() {
        bytes.reserveCapacity(512)
        spans.reserveCapacity(16)
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    /// Starts a label whose name is `name`; its value follows with ``appendValue``.
    mutating func beginLabel(name: UnsafeBufferPointer<UInt8>) -> Int {
        let nameStart = bytes.count
        bytes.append(contentsOf: name)
        return nameStart
    }

    mutating func endLabel(nameStart: Int, nameEnd: Int, valueStart: Int) {
        spans.append(Span(nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: bytes.count))
    }

    /// The value of the label `name` collected so far, if any.
    func value(named name: String) -> String? {
        bytes.withUnsafeBufferPointer { all in
            for span in spans where UTF8Bytes.equal(UnsafeBufferPointer(rebasing: all[span.nameStart..<span.nameEnd]), name) {
                return String(decoding: all[span.valueStart..<span.valueEnd], as: UTF8.self)
            }
            return nil
        }
    }

    /// Adds a whole label from two strings (the metric name, quoted names).
    mutating func add(_ name: String, _ value: String) {
        UTF8Bytes.with(name) { n in
            UTF8Bytes.with(value) { v in
                let start = beginLabel(name: n)
                let nameEnd = bytes.count
                bytes.append(contentsOf: v)
                endLabel(nameStart: start, nameEnd: nameEnd, valueStart: nameEnd)
            }
        }
    }
}

extension ByteScanner {
    /// How strictly a label set is read: the text format allows blanks between tokens
    /// and a trailing comma; OpenMetrics allows neither.
    struct LabelSetSyntax {
        var allowsBlanks: Bool
        var allowsTrailingComma: Bool

        static let textFormat = LabelSetSyntax(allowsBlanks: true, allowsTrailingComma: true)
        static let openMetrics = LabelSetSyntax(allowsBlanks: false, allowsTrailingComma: false)
    }

    /// Scans the series part of a sample line: `name`, `name{labels}` or, with Prometheus
    /// 3's quoted names, `{"name", labels}`, collecting the labels (with `__name__`) into
    /// `labels`. Returns the metric name (nil when none was given) and whether a label
    /// set was present.
    mutating func scanSeries(into labels: inout LabelScratch, syntax: LabelSetSyntax) throws(ExpositionError) -> (name: String?, hasLabelSet: Bool) {
        labels.reset()
        var name = scanLegacyName(allowColon: true)
        // `__name__` sorts before most label names: adding it first usually spares a sort.
        if let name { labels.add(LabelName.metricName, name) }
        if syntax.allowsBlanks {
            let afterName = position
            skipBlanks()
            if current != UInt8(ascii: "{") { position = afterName }
        }
        guard current == UInt8(ascii: "{") else { return (name, false) }
        var quotedName: String?
        try scanLabelSet(into: &labels, metricName: &quotedName, syntax: syntax, allowsMetricName: name == nil)
        if let quotedName {
            name = quotedName
            labels.add(LabelName.metricName, quotedName)
        }
        return (name, true)
    }

    /// Scans `{name="value",...}` at the cursor (on the `{`) into `scratch`.
    /// A quoted string standing alone (`{"my.metric", a="b"}`) is the metric name
    /// (Prometheus 3's UTF-8 names); it is stored in `metricName` when given.
    mutating func scanLabelSet(
        into scratch: inout LabelScratch, metricName: inout String?, syntax: LabelSetSyntax,
        allowsMetricName: Bool
    ) throws(ExpositionError) {
        position += 1  // '{'
        if syntax.allowsBlanks { skipBlanks() }
        if current == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            if syntax.allowsBlanks { skipBlanks() }
            let nameStart = position
            let scratchNameStart: Int
            if current == ByteScanner.quote {
                let quoted = try scanQuoted("label name")
                if syntax.allowsBlanks { skipBlanks() }
                if current == UInt8(ascii: "=") {
                    guard !quoted.isEmpty else {
                        throw error(.unexpected(found: "empty label name", expected: "a label name"), at: nameStart)
                    }
                    scratchNameStart = UTF8Bytes.with(quoted) { scratch.beginLabel(name: $0) }
                } else if allowsMetricName, metricName == nil,
                          current == UInt8(ascii: ",") || current == UInt8(ascii: "}") {
                    guard !quoted.isEmpty else {
                        throw error(.unexpected(found: "empty metric name", expected: "a metric name"), at: nameStart)
                    }
                    metricName = quoted
                    if try scanSeparator(syntax) { return }
                    continue
                } else {
                    throw error(.unexpected(found: describeCurrent(), expected: "'=' after label name \(quoteForMessage(quoted))"))
                }
            } else if let range = scanLegacyNameRange(allowColon: false) {
                scratchNameStart = scratch.beginLabel(name: slice(range))
            } else {
                throw error(.unexpected(found: describeCurrent(), expected: "a label name"))
            }
            let scratchNameEnd = scratch.bytes.count
            if syntax.allowsBlanks { skipBlanks() }
            guard current == UInt8(ascii: "=") else {
                let name = String(decoding: scratch.bytes[scratchNameStart..<scratchNameEnd], as: UTF8.self)
                throw error(.unexpected(found: describeCurrent(), expected: "'=' after label name \(quoteForMessage(name))"))
            }
            position += 1
            if syntax.allowsBlanks { skipBlanks() }
            guard current == ByteScanner.quote else {
                let name = String(decoding: scratch.bytes[scratchNameStart..<scratchNameEnd], as: UTF8.self)
                throw error(.unexpected(found: describeCurrent(), expected: "'\"' to open the value of label \(quoteForMessage(name))"))
            }
            try scanQuotedBytes("label value", into: &scratch.bytes)
            scratch.endLabel(nameStart: scratchNameStart, nameEnd: scratchNameEnd, valueStart: scratchNameEnd)
            if try scanSeparator(syntax) { return }
        }
    }

    /// After a label: consumes `,` (returning false: more labels follow) or `}` (returning true).
    private mutating func scanSeparator(_ syntax: LabelSetSyntax) throws(ExpositionError) -> Bool {
        if syntax.allowsBlanks { skipBlanks() }
        if current == UInt8(ascii: "}") {
            position += 1
            return true
        }
        guard current == UInt8(ascii: ",") else {
            throw error(.unexpected(found: describeCurrent(), expected: "',' or '}' after a label"))
        }
        position += 1
        if syntax.allowsBlanks { skipBlanks() }
        if current == UInt8(ascii: "}") {
            guard syntax.allowsTrailingComma else {
                throw error(.unexpected(found: "'}'", expected: "a label name after ','"))
            }
            position += 1
            return true
        }
        return false
    }

    /// Sorts the scratch labels by name, rejects duplicate names (`start` locates the
    /// error) and packs them into a `Labels` with one allocation.
    func makeLabels(_ scratch: inout LabelScratch, start: Int) throws(ExpositionError) -> Labels {
        let duplicate: Int? = scratch.bytes.withUnsafeBufferPointer { bytes in
            scratch.spans.withUnsafeMutableBufferPointer { spans -> Int? in
                @inline(__always) func name(_ s: LabelScratch.Span) -> UnsafeBufferPointer<UInt8> {
                    UnsafeBufferPointer(rebasing: bytes[s.nameStart..<s.nameEnd])
                }
                // Expositions usually list labels sorted (with __name__ first); check before sorting.
                var sorted = true
                var i = 1
                while i < spans.count {
                    if ByteOrder.compare(name(spans[i - 1]), name(spans[i])) >= 0 {
                        sorted = false
                        break
                    }
                    i += 1
                }
                guard !sorted else { return nil }
                // Insertion sort: label sets are small.
                for i in 1..<spans.count {
                    let item = spans[i]
                    var j = i - 1
                    while j >= 0, ByteOrder.compare(name(item), name(spans[j])) < 0 {
                        spans[j + 1] = spans[j]
                        j -= 1
                    }
                    spans[j + 1] = item
                }
                for i in 1..<spans.count where ByteOrder.compare(name(spans[i - 1]), name(spans[i])) == 0 {
                    return i
                }
                return nil
            }
        }
        if let duplicate {
            let span = scratch.spans[duplicate]
            throw error(.duplicateLabel(String(decoding: scratch.bytes[span.nameStart..<span.nameEnd], as: UTF8.self)), at: start)
        }
        var size = 0
        for span in scratch.spans {
            size += LabelsPacker.fieldSize(span.nameEnd - span.nameStart) + LabelsPacker.fieldSize(span.valueEnd - span.valueStart)
        }
        let packed = scratch.bytes.withUnsafeBufferPointer { bytes in
            [UInt8](unsafeUninitializedCapacity: size) { out, written in
                var k = 0
                @inline(__always) func field(_ from: Int, _ to: Int) {
                    var n = to - from
                    while n >= 0x80 {
                        out[k] = UInt8(truncatingIfNeeded: n) | 0x80
                        k += 1
                        n >>= 7
                    }
                    out[k] = UInt8(n)
                    k += 1
                    if to > from, let dst = out.baseAddress, let src = bytes.baseAddress {
                        (dst + k).initialize(from: src + from, count: to - from)
                    }
                    k += to - from
                }
                for span in scratch.spans {
                    field(span.nameStart, span.nameEnd)
                    field(span.valueStart, span.valueEnd)
                }
                written = k
            }
        }
        return Labels(packed: packed, count: scratch.spans.count)
    }
}
