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

    /// Scans `{name="value",...}` at the cursor (on the `{`), appending to `labels`.
    /// A quoted string standing alone (`{"my.metric", a="b"}`) is the metric name
    /// (Prometheus 3's UTF-8 names); it is stored in `metricName` when given.
    mutating func scanLabelSet(
        into labels: inout [Label], metricName: inout String?, syntax: LabelSetSyntax,
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
            let name: String
            if current == ByteScanner.quote {
                let quoted = try scanQuoted("label name")
                if syntax.allowsBlanks { skipBlanks() }
                if current == UInt8(ascii: "=") {
                    guard !quoted.isEmpty else {
                        throw error(.unexpected(found: "empty label name", expected: "a label name"), at: nameStart)
                    }
                    name = quoted
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
            } else if let legacy = scanLegacyName(allowColon: false) {
                name = legacy
            } else {
                throw error(.unexpected(found: describeCurrent(), expected: "a label name"))
            }
            if syntax.allowsBlanks { skipBlanks() }
            guard current == UInt8(ascii: "=") else {
                throw error(.unexpected(found: describeCurrent(), expected: "'=' after label name \(quoteForMessage(name))"))
            }
            position += 1
            if syntax.allowsBlanks { skipBlanks() }
            guard current == ByteScanner.quote else {
                throw error(.unexpected(found: describeCurrent(), expected: "'\"' to open the value of label \(quoteForMessage(name))"))
            }
            let value = try scanQuoted("label value")
            labels.append(Label(name, value))
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

    /// Sorts the collected labels (plus the metric name) into a `Labels`, rejecting
    /// duplicate names. `start` locates the error.
    func makeLabels(_ labels: inout [Label], start: Int) throws(ExpositionError) -> Labels {
        // Expositions usually list labels sorted; check before sorting (insertion sort:
        // label sets are small and nearly sorted).
        let sorted = labels.withUnsafeBufferPointer { buffer in
            for i in buffer.indices.dropFirst() where !ByteOrder.less(buffer[i - 1].name, buffer[i].name) {
                return false
            }
            return true
        }
        if !sorted {
            for i in 1..<labels.count {
                let item = labels[i]
                var j = i - 1
                while j >= 0, ByteOrder.less(item.name, labels[j].name) {
                    labels[j + 1] = labels[j]
                    j -= 1
                }
                labels[j + 1] = item
            }
            for i in 1..<labels.count where labels[i].name == labels[i - 1].name {
                throw error(.duplicateLabel(labels[i].name), at: start)
            }
        }
        return Labels(sortedUnique: labels)
    }
}
