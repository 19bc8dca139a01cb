import Model

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
    @inline(__always)
    mutating func scanSeries(into labels: LabelScratch, syntax: LabelSetSyntax) throws(ExpositionError) -> (name: String?, hasLabelSet: Bool) {
        labels.reset()
        var name: String?
        if let metric = scanMetricName(labels) {
            // `__name__` sorts before most label names: adding it first usually spares a sort.
            labels.addMetricName(slice(metric.range))
            name = metric.name
        }
        if syntax.allowsBlanks {
            let afterName = position
            skipBlanks()
            if current != UInt8(ascii: "{") { position = afterName }
        }
        guard current == UInt8(ascii: "{") else { return (name, false) }
        var quotedName: String?
        try scanLabelSet(into: labels, metricName: &quotedName, syntax: syntax, allowsMetricName: name == nil)
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
        into scratch: LabelScratch, metricName: inout String?, syntax: LabelSetSyntax,
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
            var scratchNameStart: Int
            if current == ByteScanner.quote {
                let quoted = try scanQuoted("label name")
                if syntax.allowsBlanks { skipBlanks() }
                if current == UInt8(ascii: "=") {
                    guard !quoted.isEmpty else {
                        throw error(.unexpected(found: "empty label name", expected: "a label name"), at: nameStart)
                    }
                    scratchNameStart = scratch.beginField()
                    UTF8Bytes.with(quoted) { if let p = $0.baseAddress { scratch.append(p, $0.count) } }
                    scratchNameStart = scratch.endField(scratchNameStart)
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
            } else if let range = scanLegacyNameRange(allowColon: false), let base = buffer.baseAddress {
                scratchNameStart = scratch.beginField()
                scratch.append(base + range.lowerBound, range.count)
                scratchNameStart = scratch.endField(scratchNameStart)
            } else {
                throw error(.unexpected(found: describeCurrent(), expected: "a label name"))
            }
            let scratchNameEnd = scratch.count
            if syntax.allowsBlanks { skipBlanks() }
            guard current == UInt8(ascii: "=") else {
                let name = String(decoding: UnsafeBufferPointer(start: scratch.base + scratchNameStart, count: scratchNameEnd - scratchNameStart), as: UTF8.self)
                throw error(.unexpected(found: describeCurrent(), expected: "'=' after label name \(quoteForMessage(name))"))
            }
            position += 1
            if syntax.allowsBlanks { skipBlanks() }
            guard current == ByteScanner.quote else {
                let name = String(decoding: UnsafeBufferPointer(start: scratch.base + scratchNameStart, count: scratchNameEnd - scratchNameStart), as: UTF8.self)
                throw error(.unexpected(found: describeCurrent(), expected: "'\"' to open the value of label \(quoteForMessage(name))"))
            }
            var valueStart = scratch.beginField()
            try scanQuotedBytes("label value", into: scratch)
            valueStart = scratch.endField(valueStart)
            scratch.addSpan(nameStart: scratchNameStart, nameEnd: scratchNameEnd, valueStart: valueStart)
            if try scanSeparator(syntax) { return }
        }
    }

    /// After a label: consumes `,` (returning false: more labels follow) or `}` (returning true).
    @inline(__always)
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
    @inline(__always)
    func makeLabels(_ scratch: LabelScratch, start: Int) throws(ExpositionError) -> Labels {
        if scratch.isSortedUnique {
            // Already in the final layout. (`Array(buffer)` is specialised; the
            // uninitialised-capacity initialiser is not, and looks up generic metadata.)
            let packed = Array(UnsafeBufferPointer(start: scratch.base, count: scratch.count))
            return Labels(packed: packed, count: scratch.spanCount)
        }
        return try makeSortedLabels(scratch, start: start)
    }

    @inline(never)
    private func makeSortedLabels(_ scratch: LabelScratch, start: Int) throws(ExpositionError) -> Labels {
        if let duplicate = scratch.sortSpans() {
            let name = String(decoding: scratch.name(scratch.spans[duplicate]), as: UTF8.self)
            throw error(.duplicateLabel(name), at: start)
        }
        let used = scratch.count
        let range = scratch.repack()
        let packed = Array(UnsafeBufferPointer(start: scratch.base + range.lowerBound, count: range.count))
        scratch.count = used
        return Labels(packed: packed, count: scratch.spanCount)
    }
}
