import Model

/// `label_replace` and `label_join`. They only rewrite labels; values pass through. The
/// engine rejects a step whose results share a label set.
enum LabelFunctions {
    /// `label_replace(v, dst, replacement, src, regex)`: where `regex` matches the whole value
    /// of `src` (RE2, `^(?s:regex)$`), sets `dst` to `replacement` with `$1`, `${name}`, …
    /// expanded (an empty result removes `dst`). Fails for an invalid regex or destination.
    static func replace(
        _ vector: Vector, destination: String, replacement: String, source: String, regex pattern: String, at time: Int64
    ) throws(QueryError) -> Vector {
        let regex: RE2Regex
        do {
            regex = try RE2Regex("^(?s:" + pattern + ")$")
        } catch {
            throw .execution("invalid regular expression in label_replace(): \(pattern)")
        }
        guard isValidLabelName(destination) else {
            throw .execution("invalid destination label name in label_replace(): \(destination)")
        }
        var captures: CaptureExtractor?
        var out: Vector = []
        out.reserveCapacity(vector.count)
        for var sample in vector {
            sample.timestamp = time
            let value = sample.labels.value(of: source)
            if regex.fullMatch(value) {
                let expanded: String
                if replacement.utf8.contains(UInt8(ascii: "$")) {
                    if captures == nil { captures = CaptureExtractor(pattern: pattern) }
                    expanded = TemplateExpansion.expand(replacement, groups: captures!.groups(in: value))
                } else {
                    expanded = replacement
                }
                sample.labels = sample.labels.setting(destination, to: expanded)
                if destination == LabelName.metricName { sample.dropName = false }
            }
            out.append(sample)
        }
        return out
    }

    /// `label_join(v, dst, separator, src...)`: sets `dst` to the values of the `src` labels
    /// (missing ones empty) joined by `separator` (an empty result removes `dst`).
    static func join(
        _ vector: Vector, destination: String, separator: String, sources: [String], at time: Int64
    ) throws(QueryError) -> Vector {
        for source in sources where !isValidLabelName(source) {
            throw .execution("invalid source label name in label_join(): \(source)")
        }
        guard isValidLabelName(destination) else {
            throw .execution("invalid destination label name in label_join(): \(destination)")
        }
        var out: Vector = []
        out.reserveCapacity(vector.count)
        for var sample in vector {
            sample.timestamp = time
            var joined = ""
            for (i, source) in sources.enumerated() {
                if i > 0 { joined += separator }
                joined += sample.labels.value(of: source)
            }
            sample.labels = sample.labels.setting(destination, to: joined)
            if destination == LabelName.metricName { sample.dropName = false }
            out.append(sample)
        }
        return out
    }

    /// Prometheus 3's UTF-8 label name rule: any non-empty valid UTF-8. Swift strings are
    /// always valid UTF-8, so a U+FFFD replacement character (which is what invalid bytes
    /// such as `"\xff"` in a query decode to) is taken as the invalid input it stands for.
    static func isValidLabelName(_ name: String) -> Bool {
        MetricNames.isValidLabelName(name) && !name.unicodeScalars.contains("\u{FFFD}")
    }
}

/// The capture groups of a pattern that RE2 has already matched against a value.
///
/// RE2 (through the Model's shim) answers only whether a value matches; the group contents
/// come from the standard library's regex engine, which for RE2's syntax and leftmost-first
/// semantics picks the same groups. Should it not accept the pattern, the groups are empty.
struct CaptureExtractor {
    private let regex: Regex<AnyRegexOutput>?

    init(pattern: String) {
        regex = try? Regex("(?s:" + pattern + ")")
            .matchingSemantics(.unicodeScalar)
            .asciiOnlyCharacterClasses()
    }

    /// Group 0 (the whole value) and each capture group with its name, nil where a group
    /// did not participate.
    func groups(in value: String) -> [TemplateExpansion.Group] {
        guard let regex, let match = try? regex.wholeMatch(in: value) else {
            return [TemplateExpansion.Group(name: nil, value: value)]
        }
        return match.output.map { TemplateExpansion.Group(name: $0.name, value: $0.substring.map(String.init)) }
    }
}

/// Go's `regexp.Expand` template syntax: `$1`, `${1}`, `$name`, `${name}`, `$$` for a dollar.
enum TemplateExpansion {
    struct Group {
        var name: String?
        /// nil when the group did not participate in the match.
        var value: String?
    }

    static func expand(_ template: String, groups: [Group]) -> String {
        var out = ""
        var rest = Substring(template)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                out += "$"
                rest = rest.dropFirst()
                continue
            }
            guard let (name, remainder) = extractName(rest) else {
                // Malformed reference: the `$` is kept as text.
                out += "$"
                continue
            }
            rest = remainder
            if let number = groupNumber(name) {
                if number < groups.count, let value = groups[number].value { out += value }
            } else if let group = groups.first(where: { $0.name == String(name) && $0.value != nil }) {
                out += group.value!
            }
        }
        out += rest
        return out
    }

    /// The name of a `name` or `{name}` reference at the start of `text` (letters, digits,
    /// `_`), and the text after it; nil when malformed.
    private static func extractName(_ text: Substring) -> (Substring, Substring)? {
        var scalars = text.unicodeScalars[...]
        let braced = scalars.first == "{"
        if braced { scalars = scalars.dropFirst() }
        let start = scalars.startIndex
        var end = start
        while end < scalars.endIndex, isNameScalar(scalars[end]) {
            end = scalars.index(after: end)
        }
        guard end > start else { return nil }
        let name = Substring(scalars[start..<end])
        var after = end
        if braced {
            guard after < scalars.endIndex, scalars[after] == "}" else { return nil }
            after = scalars.index(after: after)
        }
        return (name, Substring(scalars[after...]))
    }

    /// Go's `unicode.IsLetter || unicode.IsDigit || '_'`.
    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            return true
        default:
            return false
        }
    }

    /// The group number of an all-ASCII-digit name without a leading zero (below 10⁸).
    private static func groupNumber(_ name: Substring) -> Int? {
        var number = 0
        for byte in name.utf8 {
            guard byte >= 0x30 && byte <= 0x39, number < 100_000_000 else { return nil }
            number = number * 10 + Int(byte - 0x30)
        }
        if name.utf8.first == 0x30 && name.utf8.count > 1 { return nil }
        return number
    }
}
