import Foundation
import Model

/// A parsed duration: a literal number of seconds (`5m`, `300`, `-2`), or an expression
/// (`5m + 1m`, `step() * 2`) that keeps its constant value when it has one.
struct DurationTerm {
    /// Set for expressions; nil for a plain literal.
    var expr: DurationExpr?
    /// The literal's seconds (for expressions: unused).
    var seconds: Double
    /// Whether the literal was written with units.
    var isDuration: Bool
    var position: PositionRange

    static let zero = DurationTerm(expr: nil, seconds: 0, isDuration: true, position: PositionRange(start: 0, end: 0))

    var isLiteral: Bool { expr == nil }

    /// The value in milliseconds: the literal's, or the expression's when it is constant
    /// (0 when it depends on the query, like `step()`).
    var milliseconds: Int64 {
        if let expr { return DurationSyntax.constantMilliseconds(expr) ?? 0 }
        return DurationSyntax.literalMilliseconds(seconds)
    }

    /// As a node of a larger duration expression.
    var node: DurationExpr {
        if let expr { return expr }
        return isDuration ? .literal(DurationSyntax.literalMilliseconds(seconds)) : .number(seconds)
    }
}

/// Duration expressions (Prometheus 3's experimental duration arithmetic) inside `[…]`
/// and after `offset`.
extension Parser {
    static let durationOutOfRange = 9.223372036854775807e9

    /// A range or step: any duration expression; a literal must be positive.
    mutating func parsePositiveDuration(_ context: String, expected: String) throws(ParseError) -> DurationTerm {
        let term = try parseDurationExpr(0, context, expected)
        if term.isLiteral, term.seconds <= 0 {
            record("duration must be greater than 0", term.position)
        }
        return term
    }

    /// The duration after `offset`: a possibly signed literal, `step()`, `range()`,
    /// `min_of(…)`, `max_of(…)` or a parenthesized expression. An operator after an
    /// unparenthesized one applies to the whole selector: `x offset 1m + 1` is
    /// `(x offset 1m) + 1`, as in Prometheus.
    mutating func parseOffsetDuration() throws(ParseError) -> DurationTerm {
        let context = "offset"
        let expected = "number, duration, step(), or range()"
        switch current.kind {
        case .add, .sub:
            let op = advance()
            switch current.kind {
            case .number, .duration, .keyword(.step), .keyword(.range), .identifier, .leftParen:
                // Prometheus checks the range of a signed literal here once, at the sign.
                let inner = try parseDurationPrimary(context, expected, checkRange: false)
                return applySign(op, inner)
            default:
                throw unexpected(context, expected: expected)
            }
        case .leftParen:
            return try parseDurationExpr(0, context, expected)
        default:
            return try parseDurationPrimary(context, expected)
        }
    }

    /// Precedence climbing over `+ -` < `* / %` < `^` (right-associative).
    mutating func parseDurationExpr(_ minPrecedence: Int, _ context: String, _ expected: String) throws(ParseError) -> DurationTerm {
        try enter()
        defer { leave() }
        var lhs: DurationTerm
        if current.kind == .add || current.kind == .sub {
            let op = advance()
            let operand = try parseDurationExpr(BinaryOp.pow.precedence, context, expected)
            lhs = applySign(op, operand)
        } else {
            lhs = try parseDurationPrimary(context, expected)
        }
        while let op = durationOperator(current), op.precedence >= minPrecedence {
            let opToken = advance()
            experimentalDuration(lhs.position)
            let rhs = try parseDurationExpr(op == .pow ? op.precedence : op.precedence + 1, context, expected)
            if rhs.isLiteral, rhs.seconds == 0, op == .div || op == .mod {
                record(op == .div ? "division by zero" : "modulo by zero", opToken.position)
            }
            let durationOp: DurationOperator
            switch op {
            case .add: durationOp = .add
            case .sub: durationOp = .sub
            case .mul: durationOp = .mul
            case .div: durationOp = .div
            case .mod: durationOp = .mod
            default: durationOp = .pow
            }
            lhs = DurationTerm(
                expr: .binary(durationOp, lhs.node, rhs.node), seconds: 0, isDuration: true,
                position: PositionRange(start: lhs.position.start, end: rhs.position.end))
        }
        return lhs
    }

    private func durationOperator(_ token: Token) -> BinaryOp? {
        switch token.kind {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .mod: .mod
        case .pow: .pow
        default: nil
        }
    }

    /// A literal, `step()`, `range()`, `min_of(a, b)`, `max_of(a, b)` or `( expr )`.
    mutating func parseDurationPrimary(_ context: String, _ expected: String, checkRange: Bool = true) throws(ParseError) -> DurationTerm {
        let token = current
        switch token.kind {
        case .number, .duration:
            advance()
            let seconds = token.kind == .number ? numberValue(token) : durationSeconds(token)
            if checkRange, abs(seconds) > Parser.durationOutOfRange {
                record("duration out of range", token.position)
                return DurationTerm(expr: nil, seconds: 0, isDuration: token.kind == .duration, position: token.position)
            }
            return DurationTerm(expr: nil, seconds: seconds, isDuration: token.kind == .duration, position: token.position)
        case .keyword(let k) where k == .step || k == .range:
            advance()
            try expect(.leftParen, context, expected: expected)
            try expect(.rightParen, context, expected: expected)
            let position = PositionRange(start: token.start, end: lastEnd)
            experimentalDuration(position)
            return DurationTerm(expr: k == .step ? .step : .range, seconds: 0, isDuration: true, position: position)
        case .identifier:
            let name = token.text.lowercased()
            guard ["min_of", "max_of", "min", "max"].contains(name) else { throw unexpected(context, expected: expected) }
            advance()
            try expect(.leftParen, context, expected: expected)
            let a = try parseDurationExpr(0, context, expected)
            try expect(.comma, context, expected: expected)
            let b = try parseDurationExpr(0, context, expected)
            try expect(.rightParen, context, expected: expected)
            let position = PositionRange(start: token.start, end: lastEnd)
            experimentalDuration(position)
            let expr: DurationExpr = name.hasPrefix("min") ? .minOf(a.node, b.node) : .maxOf(a.node, b.node)
            return DurationTerm(expr: expr, seconds: 0, isDuration: true, position: position)
        case .leftParen:
            advance()
            try enter()
            defer { leave() }
            let inner = try parseDurationExpr(0, context, expected)
            try expect(.rightParen, context, expected: expected)
            experimentalDuration(inner.position)
            return DurationTerm(
                expr: .paren(inner.node), seconds: 0, isDuration: true,
                position: PositionRange(start: token.start, end: lastEnd))
        default:
            throw unexpected(context, expected: expected)
        }
    }

    /// A sign folds into a literal and negates anything else.
    private mutating func applySign(_ op: Token, _ term: DurationTerm) -> DurationTerm {
        let position = PositionRange(start: op.start, end: term.position.end)
        guard let expr = term.expr else {
            let seconds = op.kind == .sub ? -term.seconds : term.seconds
            if abs(seconds) > Parser.durationOutOfRange {
                record("duration out of range", op.position)
                return DurationTerm(expr: nil, seconds: 0, isDuration: term.isDuration, position: position)
            }
            return DurationTerm(expr: nil, seconds: seconds, isDuration: term.isDuration, position: position)
        }
        return DurationTerm(expr: op.kind == .sub ? .negate(expr) : expr, seconds: 0, isDuration: true, position: position)
    }

    private mutating func experimentalDuration(_ position: PositionRange) {
        if !experimental { record("experimental duration expression is not enabled", position) }
    }

    // MARK: Literal values

    /// A number token's value (`strconv.ParseInt(s, 0, 64)`, else `ParseFloat`), recording
    /// Prometheus's error when it is malformed.
    mutating func numberValue(_ token: Token) -> Double {
        switch NumberSyntax.value(token.text) {
        case .success(let value): return value
        case .failure(let message):
            record(message.text, token.position)
            return 0
        }
    }

    /// A duration token's seconds, recording the error when it is malformed.
    mutating func durationSeconds(_ token: Token) -> Double {
        switch DurationSyntax.milliseconds(token.text) {
        case .success(let ms): return Double(ms) / 1000
        case .failure(let message):
            record(message.text, token.position)
            return 0
        }
    }

    /// An optionally signed number or duration (seconds), as `@ t` and `fill (v)` take one;
    /// anything else is the error "unexpected … in `context`, expected `expected`".
    mutating func signedNumber(_ context: String, expected: String) throws(ParseError) -> Double {
        var sign = 1.0
        if current.kind == .add || current.kind == .sub {
            if advance().kind == .sub { sign = -1 }
        }
        let value: Double
        switch current.kind {
        case .number: value = numberValue(current)
        case .duration: value = durationSeconds(current)
        default: throw unexpected(context, expected: expected)
        }
        advance()
        return sign * value
    }
}
