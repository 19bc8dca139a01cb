import Model

/// Expressions: binary operators by precedence climbing, unary signs, primaries and the
/// postfix modifiers (`[…]`, `offset`, `@`) that bind tighter than any operator.
extension Parser {
    /// The binary operator a token stands for, if any.
    func binaryOperator(_ token: Token) -> BinaryOp? {
        switch token.kind {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .mod: .mod
        case .pow: .pow
        case .eqlc: .eql
        case .neq: .neq
        case .lss: .lss
        case .lte: .lte
        case .gtr: .gtr
        case .gte: .gte
        case .keyword(let k): k.binaryOp
        default: nil
        }
    }

    /// An expression whose binary operators bind at least as tightly as `minPrecedence`.
    mutating func parseExpr(_ minPrecedence: Int = 0) throws(ParseError) -> Expr {
        try enter()
        // Each operator folded into the left operand deepens the tree by one: count it, so
        // that the tree's depth (which the checker, printer and engine recurse over) is bounded.
        var levels = 1
        defer { depth -= levels }
        var lhs = try parseUnary()
        while let op = binaryOperator(current), op.precedence >= minPrecedence {
            try enter()
            levels += 1
            advance()
            let modifiers = try parseBinaryModifiers()
            let rhs = try parseExpr(op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = .binary(BinaryExpr(
                op: op, lhs: lhs, rhs: rhs, matching: modifiers.matching, returnBool: modifiers.returnBool,
                position: PositionRange(start: lhs.position.start, end: rhs.position.end)))
            if modifiers.fillPosition != nil, !experimental {
                record("binop fill modifiers are experimental and not enabled", lhs.position)
            }
        }
        return lhs
    }

    /// `bool`, `on (…)` / `ignoring (…)`, `group_left (…)` / `group_right (…)` after an operator.
    mutating func parseBinaryModifiers() throws(ParseError) -> (matching: VectorMatching, returnBool: Bool, fillPosition: PositionRange?) {
        var matching = VectorMatching(cardinality: .oneToOne)
        var returnBool = false
        if isKeyword(current, .bool) {
            advance()
            returnBool = true
        }
        if isKeyword(current, .on) || isKeyword(current, .ignoring) {
            matching.on = isKeyword(advance(), .on)
            matching.matchingLabels = try parseGroupingLabels()
            if isKeyword(current, .groupLeft) || isKeyword(current, .groupRight) {
                matching.cardinality = isKeyword(advance(), .groupLeft) ? .manyToOne : .oneToMany
                if current.kind == .leftParen { matching.include = try parseGroupingLabels() }
            }
        }
        // Prometheus's experimental `fill (v)`, `fill_left (v)`, `fill_right (v)`: the value
        // a side without a match takes (`fill` sets both sides).
        var fillPosition: PositionRange?
        while current.kind == .identifier, ["fill", "fill_left", "fill_right"].contains(current.text.lowercased()),
              peek().kind == .leftParen {
            let keyword = advance()
            advance()
            let value = try signedNumber("fill modifier", expected: "number")
            try expect(.rightParen, "fill modifier", expected: "\")\"")
            fillPosition = PositionRange(start: keyword.start, end: lastEnd)
            switch keyword.text.lowercased() {
            case "fill_left": matching.fill.lhs = value
            case "fill_right": matching.fill.rhs = value
            default:
                matching.fill.lhs = value
                matching.fill.rhs = value
            }
        }
        return (matching, returnBool, fillPosition)
    }

    /// A unary `+`/`-` binds like `*`: only `^` and the postfix modifiers bind tighter.
    /// A sign on a number literal folds into the literal, as in Prometheus.
    mutating func parseUnary() throws(ParseError) -> Expr {
        guard current.kind == .add || current.kind == .sub else {
            return try parsePostfix(try parsePrimary())
        }
        let op = advance()
        try enter()
        defer { leave() }
        let operand = try parseExpr(BinaryOp.pow.precedence)
        let position = PositionRange(start: op.start, end: operand.position.end)
        if case .number(var literal) = operand {
            if op.kind == .sub {
                literal.value = -literal.value
                if literal.durationText != nil { literal.durationText = DurationSyntax.literalText(seconds: literal.value) }
            }
            literal.position = position
            return .number(literal)
        }
        return .unary(UnaryExpr(op: op.kind == .sub ? .minus : .plus, expr: operand, position: position))
    }

    /// The modifiers that follow an expression: ranges and subqueries, `offset`, `@`.
    mutating func parsePostfix(_ base: Expr) throws(ParseError) -> Expr {
        var expr = base
        var levels = 0
        defer { depth -= levels }
        while true {
            if current.kind == .leftBracket {
                // Each subquery wraps the expression: one more level of tree.
                try enter()
                levels += 1
            }
            switch current.kind {
            case .leftBracket:
                expr = try parseRangeOrSubquery(expr)
            case .keyword(.offset):
                expr = try parseOffset(expr)
            case .at:
                expr = try parseAt(expr)
            case .keyword(let k) where k == .anchored || k == .smoothed:
                // Prometheus 3's experimental extended range selectors.
                advance()
                expr = setExtendedRange(expr, anchored: k == .anchored)
            default:
                return expr
            }
        }
    }

    /// `anchored` or `smoothed` after `expr` (Prometheus's `setAnchored`/`setSmoothed`):
    /// allowed on instant and range selectors, one of the two at most.
    mutating func setExtendedRange(_ expr: Expr, anchored: Bool) -> Expr {
        let name = anchored ? "anchored" : "smoothed"
        if !experimental {
            record("\(name) modifier is experimental and not enabled", expr.position)
        }
        func apply(_ vs: inout VectorSelector) -> Bool {
            if anchored ? vs.smoothed : vs.anchored { return false }
            if anchored { vs.anchored = true } else { vs.smoothed = true }
            return true
        }
        let together = "anchored and smoothed modifiers cannot be used together"
        switch expr {
        case .vectorSelector(var vs):
            if !apply(&vs) { record(together, expr.position) }
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if !apply(&ms.vectorSelector) { record(together, expr.position) }
            return .matrixSelector(ms)
        case .subquery:
            record("\(name) modifier is not supported for subqueries", expr.position)
            return expr
        default:
            record("\(name) modifier not implemented", expr.position)
            return expr
        }
    }

    mutating func parsePrimary() throws(ParseError) -> Expr {
        let token = current
        switch token.kind {
        case .number:
            advance()
            return .number(NumberLiteral(value: numberValue(token), position: token.position))
        case .duration:
            advance()
            let seconds = durationSeconds(token)
            return .number(NumberLiteral(
                value: seconds, durationText: DurationSyntax.literalText(seconds: seconds), position: token.position))
        case .string:
            advance()
            return .string(StringLiteral(value: GoQuoting.unquote(token.text), position: token.position))
        case .leftParen:
            advance()
            try enter()
            defer { leave() }
            let inner = try parseExpr()
            let close = try expect(.rightParen)
            return .paren(ParenExpr(expr: inner, position: PositionRange(start: token.start, end: close.end)))
        case .leftBrace:
            return .vectorSelector(try parseVectorSelector(nameToken: nil))
        case .identifier:
            if peek().kind == .leftParen { return try parseCall(name: token.text) }
            advance()
            return .vectorSelector(try parseVectorSelector(nameToken: token))
        case .metricIdentifier:
            advance()
            return .vectorSelector(try parseVectorSelector(nameToken: token))
        case .keyword(let keyword):
            if let op = keyword.aggregateOp {
                let next = peek()
                if next.kind == .leftParen || isKeyword(next, .by) || isKeyword(next, .without) {
                    return try parseAggregation(op)
                }
            }
            if keyword.isPreprocessor, peek().kind == .leftParen {
                return try parseCall(name: keyword.rawValue)
            }
            guard keyword.canNameMetric else { throw unexpected() }
            advance()
            return .vectorSelector(try parseVectorSelector(nameToken: token))
        default:
            throw unexpected()
        }
    }

    // MARK: Calls and aggregations

    /// The comma-separated arguments in parentheses of a call or aggregation.
    mutating func parseArguments() throws(ParseError) -> [Expr] {
        try expect(.leftParen)
        var args: [Expr] = []
        if current.kind == .rightParen {
            advance()
            return args
        }
        while true {
            args.append(try parseExpr())
            switch current.kind {
            case .comma:
                let comma = advance()
                if current.kind == .rightParen {
                    record("trailing commas not allowed in function call args", comma.position)
                    advance()
                    return args
                }
            case .rightParen:
                advance()
                return args
            default:
                throw unexpected()
            }
        }
    }

    mutating func parseCall(name: String) throws(ParseError) -> Expr {
        let nameToken = advance()
        try enter()
        defer { leave() }
        let args = try parseArguments()
        let position = PositionRange(start: nameToken.start, end: lastEnd)
        let function: Function
        if let known = Function.named(name) {
            function = known
            if known.isExperimental && !experimental {
                record("function \(GoString.quote(name)) is not enabled", nameToken.position)
            }
        } else {
            function = Function(name, [])
            record("unknown function with name \(GoString.quote(name))", nameToken.position)
        }
        return .call(Call(function: function, args: args, position: position))
    }

    /// `op [by|without (…)] (args) [by|without (…)]`.
    mutating func parseAggregation(_ op: AggregateOp) throws(ParseError) -> Expr {
        let opToken = advance()
        try enter()
        defer { leave() }
        errorContexts.append("aggregation")
        defer { errorContexts.removeLast() }
        var grouping: [String] = []
        var without = false
        var modified = false
        if isKeyword(current, .by) || isKeyword(current, .without) {
            without = isKeyword(advance(), .without)
            grouping = try parseGroupingLabels()
            modified = true
        }
        guard current.kind == .leftParen else { throw unexpected() }
        let args = try parseArguments()
        if !modified, isKeyword(current, .by) || isKeyword(current, .without) {
            without = isKeyword(advance(), .without)
            grouping = try parseGroupingLabels()
        }
        let position = PositionRange(start: opToken.start, end: lastEnd)
        let placeholder = AggregateExpr(
            op: op, expr: args.last ?? .number(NumberLiteral(value: 0, position: position)), param: nil,
            grouping: grouping, without: without, position: position)
        guard !args.isEmpty else {
            record("no arguments for aggregate expression provided", position)
            return .aggregate(placeholder)
        }
        if op.takesParameter, op.isExperimental, !experimental {
            record("\(op.rawValue)() is experimental and must be enabled with --enable-feature=promql-experimental-functions", position)
            return .aggregate(placeholder)
        }
        let wanted = op.takesParameter ? 2 : 1
        guard args.count == wanted else {
            record("wrong number of arguments for aggregate expression provided, expected \(wanted), got \(args.count)", position)
            return .aggregate(placeholder)
        }
        return .aggregate(AggregateExpr(
            op: op, expr: args[wanted - 1], param: op.takesParameter ? args[0] : nil,
            grouping: grouping, without: without, position: position))
    }

    /// `( label, … )` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    mutating func parseGroupingLabels() throws(ParseError) -> [String] {
        let context = "grouping opts"
        try expect(.leftParen, context, expected: "\"(\"")
        var labels: [String] = []
        if current.kind == .rightParen {
            advance()
            return labels
        }
        while true {
            let token = current
            switch token.kind {
            case .identifier, .metricIdentifier:
                labels.append(token.text)
            case .keyword(let k) where k.canNameLabel:
                labels.append(token.text)
            case .string:
                let name = GoQuoting.unquote(token.text)
                if name.isEmpty { record("invalid label name for grouping: \"\"", token.position) }
                labels.append(name)
            default:
                throw unexpected(context, expected: "label")
            }
            advance()
            switch current.kind {
            case .comma:
                advance()
                if current.kind == .rightParen {
                    advance()
                    return labels
                }
            case .rightParen:
                advance()
                return labels
            default:
                throw unexpected(context, expected: "\",\" or \")\"")
            }
        }
    }
}
