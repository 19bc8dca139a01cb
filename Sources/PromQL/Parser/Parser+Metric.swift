import Model

/// Series notation: `metric{a="b", "c.d"="e"}`, `{__name__="m"}`, a bare name, or nothing.
extension Parser {
    mutating func parseMetricDescription() throws(ParseError) -> Labels {
        var name: String?
        switch current.kind {
        case .identifier, .metricIdentifier:
            name = advance().text
        case .keyword(let k) where k.canNameMetric:
            name = advance().text
        default:
            break
        }
        var labels: [Label] = []
        if current.kind == .leftBrace { labels = try parseLabelSet() }
        guard current.kind == .eof else { throw unexpected() }
        if let name { labels.append(Label(LabelName.metricName, name)) }
        return Labels(labels)
    }

    private mutating func parseLabelSet() throws(ParseError) -> [Label] {
        let context = "label set"
        advance()
        var labels: [Label] = []
        if current.kind == .rightBrace {
            advance()
            return labels
        }
        while true {
            let label = current
            switch label.kind {
            case .identifier, .string:
                advance()
                let name = label.kind == .string ? GoQuoting.unquote(label.text) : label.text
                if current.kind == .assign {
                    advance()
                    guard current.kind == .string else { throw unexpected(context, expected: "string") }
                    labels.append(Label(name, GoQuoting.unquote(advance().text)))
                } else if label.kind == .string {
                    labels.append(Label(LabelName.metricName, name))
                } else {
                    throw unexpected(context, expected: "\"=\"")
                }
            default:
                throw unexpected(context, expected: "identifier or \"}\"")
            }
            if try endOfBraceList(context) { return labels }
        }
    }
}
