import Model

/// Vector selectors and the modifiers that turn or pin them: `[range]`, `[range:step]`,
/// `offset`, `@`.
extension Parser {
    /// `name`, `name{…}` or `{…}`; `nameToken` was already consumed.
    mutating func parseVectorSelector(nameToken: Token?) throws(ParseError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        var start = nameToken?.start ?? current.start
        var end = nameToken?.end ?? current.end
        if current.kind == .leftBrace {
            if nameToken == nil { start = current.start }
            matchers = try parseLabelMatchers()
            end = lastEnd
        }
        var name: String?
        if let nameToken {
            name = nameToken.text
            matchers.append(.equal(LabelName.metricName, nameToken.text))
        }
        return VectorSelector(name: name, matchers: matchers, position: PositionRange(start: start, end: end))
    }

    /// `{ matcher, … }`, a trailing comma allowed.
    mutating func parseLabelMatchers() throws(ParseError) -> [LabelMatcher] {
        let context = "label matching"
        try expect(.leftBrace)
        var matchers: [LabelMatcher] = []
        if current.kind == .rightBrace {
            advance()
            return matchers
        }
        while true {
            let label = current
            switch label.kind {
            case .identifier, .string:
                advance()
                let name = label.kind == .string ? GoQuoting.unquote(label.text) : label.text
                let type: MatchType?
                switch current.kind {
                case .assign: type = .equal
                case .neq: type = .notEqual
                case .eqlRegex: type = .regexMatch
                case .neqRegex: type = .regexNoMatch
                default: type = nil
                }
                guard let type else {
                    guard label.kind == .string else {
                        throw unexpected(context, expected: "label matching operator")
                    }
                    // A lone quoted name selects the metric: `{"my.metric"}`.
                    matchers.append(.equal(LabelName.metricName, name))
                    break
                }
                advance()
                let value = current
                guard value.kind == .string else { throw unexpected(context, expected: "string") }
                advance()
                do {
                    matchers.append(try LabelMatcher(type, name, GoQuoting.unquote(value.text)))
                } catch {
                    record(error.description, PositionRange(start: label.start, end: value.end))
                }
            default:
                throw unexpected(context, expected: "identifier or \"}\"")
            }
            if try endOfBraceList(context) { return matchers }
        }
    }

    // MARK: Ranges and subqueries

    /// `[range]` on a vector selector, or `[range:step]` / `[range:]` on any expression.
    mutating func parseRangeOrSubquery(_ expr: Expr) throws(ParseError) -> Expr {
        let open = advance()
        let anyDuration = "number, duration, step(), or range()"
        let range = try parsePositiveDuration("subquery or range selector", expected: anyDuration)
        switch current.kind {
        case .rightBracket:
            let close = advance()
            let bracketRange = PositionRange(start: open.start, end: close.end)
            guard case .vectorSelector(let vs) = expr else {
                record("ranges only allowed for vector selectors", bracketRange)
                return expr
            }
            if vs.offset != 0 || vs.offsetExpr != nil {
                record("no offset modifiers allowed before range", bracketRange)
            } else if vs.at != nil {
                record("no @ modifiers allowed before range", bracketRange)
            }
            return .matrixSelector(MatrixSelector(
                vectorSelector: vs, range: range.milliseconds, rangeExpr: range.expr,
                position: PositionRange(start: expr.position.start, end: close.end)))
        case .colon:
            advance()
            var step = DurationTerm.zero
            if current.kind != .rightBracket {
                step = try parsePositiveDuration("subquery selector", expected: "number, duration, step(), range(), or \"]\"")
            }
            let close = try expect(.rightBracket, "subquery selector", expected: "\"]\"")
            return .subquery(SubqueryExpr(
                expr: expr, range: range.milliseconds, rangeExpr: range.expr,
                step: step.milliseconds, stepExpr: step.expr,
                position: PositionRange(start: expr.position.start, end: close.end)))
        default:
            throw unexpected("subquery or range", expected: "\":\" or \"]\"")
        }
    }

    // MARK: offset and @

    mutating func parseOffset(_ expr: Expr) throws(ParseError) -> Expr {
        advance()
        let offset = try parseOffsetDuration()
        let end = lastEnd
        let twice = "offset may not be set multiple times"
        func set(_ ms: inout Int64, _ msExpr: inout DurationExpr?) -> Bool {
            if ms != 0 || msExpr != nil { return false }
            ms = offset.milliseconds
            msExpr = offset.expr
            return true
        }
        switch expr {
        case .vectorSelector(var vs):
            if !set(&vs.offset, &vs.offsetExpr) { record(twice, expr.position) }
            vs.position.end = end
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if !set(&ms.vectorSelector.offset, &ms.vectorSelector.offsetExpr) { record(twice, expr.position) }
            ms.position.end = end
            return .matrixSelector(ms)
        case .subquery(var sq):
            if !set(&sq.offset, &sq.offsetExpr) { record(twice, expr.position) }
            sq.position.end = end
            return .subquery(sq)
        default:
            record("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", expr.position)
            return expr
        }
    }

    mutating func parseAt(_ expr: Expr) throws(ParseError) -> Expr {
        advance()
        let modifier: AtModifier
        if isKeyword(current, .start) || isKeyword(current, .end) {
            let which = advance()
            try expect(.leftParen, "@", expected: "timestamp")
            try expect(.rightParen, "@", expected: "timestamp")
            modifier = isKeyword(which, .start) ? .start : .end
        } else {
            let seconds = try signedNumber("@", expected: "timestamp")
            if !seconds.isFinite || seconds >= 9.223372036854775807e18 || seconds <= -9.223372036854775808e18 {
                record("timestamp out of bounds for @ modifier: \(GoFormat.fixed6(seconds))", expr.position)
            }
            modifier = .timestamp(SafeInt.clamped((seconds * 1000).rounded(.toNearestOrAwayFromZero)))
        }
        let end = lastEnd
        let twice = "@ <timestamp> may not be set multiple times"
        switch expr {
        case .vectorSelector(var vs):
            if vs.at != nil { record(twice, expr.position); return expr }
            vs.at = modifier
            vs.position.end = end
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.vectorSelector.at != nil { record(twice, expr.position); return expr }
            ms.vectorSelector.at = modifier
            ms.position.end = end
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.at != nil { record(twice, expr.position); return expr }
            sq.at = modifier
            sq.position.end = end
            return .subquery(sq)
        default:
            record("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", expr.position)
            return expr
        }
    }

    /// After an item of a `{…}` list: consumes `,` (and a `}` right after it) or `}`, and
    /// says whether the list ended.
    mutating func endOfBraceList(_ context: String) throws(ParseError) -> Bool {
        switch current.kind {
        case .comma:
            advance()
            guard current.kind == .rightBrace else { return false }
            advance()
            return true
        case .rightBrace:
            advance()
            return true
        default:
            throw unexpected(context, expected: "\",\" or \"}\"")
        }
    }
}
