@testable import PromQL

extension Expr {
    /// The same tree with every position zeroed, matchers sorted and NaNs alike, to compare structure only.
    var withoutPositions: Expr {
        let zero = PositionRange(start: 0, end: 0)
        switch self {
        case .number(var n):
            n.position = zero
            // `-NaN` prints as `NaN`, as in Prometheus; the sign of a NaN means nothing.
            if n.value.isNaN { n.value = .nan }
            return .number(n)
        case .string(var s):
            s.position = zero
            return .string(s)
        case .vectorSelector(var vs):
            vs.position = zero
            vs.matchers.sort { $0.description < $1.description }
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            ms.position = zero
            ms.vectorSelector.position = zero
            ms.vectorSelector.matchers.sort { $0.description < $1.description }
            return .matrixSelector(ms)
        case .subquery(var sq):
            sq.position = zero
            sq.expr = sq.expr.withoutPositions
            return .subquery(sq)
        case .call(var c):
            c.position = zero
            c.args = c.args.map(\.withoutPositions)
            return .call(c)
        case .aggregate(var a):
            a.position = zero
            a.expr = a.expr.withoutPositions
            a.param = a.param?.withoutPositions
            return .aggregate(a)
        case .binary(var b):
            b.position = zero
            b.lhs = b.lhs.withoutPositions
            b.rhs = b.rhs.withoutPositions
            return .binary(b)
        case .unary(var u):
            u.position = zero
            u.expr = u.expr.withoutPositions
            return .unary(u)
        case .paren(var p):
            p.position = zero
            p.expr = p.expr.withoutPositions
            return .paren(p)
        }
    }
}

/// Parses or fails the test with the error.
func mustParse(_ query: String, experimental: Bool = true) throws -> Expr {
    try PromQLParser.parse(query, experimental: experimental)
}

/// The error `query` fails with, or nil when it parses.
func parseError(_ query: String, experimental: Bool = true) -> ParseError? {
    do {
        _ = try PromQLParser.parse(query, experimental: experimental)
        return nil
    } catch {
        return error
    }
}
