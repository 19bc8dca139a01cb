import Foundation

/// Replaces Prometheus 3's duration expressions (`[step() * 2]`, `offset min_of(range(), 1h)`)
/// with their values for one query, before evaluation.
struct DurationResolver {
    let parameters: QueryParameters

    func resolve(_ expr: Expr) throws(QueryError) -> Expr {
        switch expr {
        case .number, .string:
            return expr
        case .vectorSelector(let vs):
            return .vectorSelector(try resolve(vs))
        case .matrixSelector(var ms):
            ms.vectorSelector = try resolve(ms.vectorSelector)
            if let e = ms.rangeExpr {
                ms.range = try milliseconds(e)
                guard ms.range > 0 else { throw rangeError(ms.range, ms.position) }
            }
            return .matrixSelector(ms)
        case .subquery(var sq):
            sq.expr = try resolve(sq.expr)
            if let e = sq.rangeExpr {
                sq.range = try milliseconds(e)
                guard sq.range > 0 else { throw rangeError(sq.range, sq.position) }
            }
            if let e = sq.stepExpr {
                sq.step = try milliseconds(e)
                guard sq.step > 0 else {
                    throw .execution("step value must be positive, got \(sq.step)ms")
                }
            }
            if let e = sq.offsetExpr { sq.offset = try milliseconds(e) }
            return .subquery(sq)
        case .call(var call):
            var args: [Expr] = []
            for arg in call.args { args.append(try resolve(arg)) }
            call.args = args
            return .call(call)
        case .aggregate(var agg):
            agg.expr = try resolve(agg.expr)
            if let p = agg.param { agg.param = try resolve(p) }
            return .aggregate(agg)
        case .binary(var bin):
            bin.lhs = try resolve(bin.lhs)
            bin.rhs = try resolve(bin.rhs)
            return .binary(bin)
        case .unary(var un):
            un.expr = try resolve(un.expr)
            return .unary(un)
        case .paren(var p):
            p.expr = try resolve(p.expr)
            return .paren(p)
        }
    }

    private func resolve(_ vs: VectorSelector) throws(QueryError) -> VectorSelector {
        var vs = vs
        if let e = vs.offsetExpr { vs.offset = try milliseconds(e) }
        return vs
    }

    private func rangeError(_ ms: Int64, _ position: PositionRange) -> QueryError {
        .execution("range value must be positive, got \(ms)ms")
    }

    /// The value of a duration expression in milliseconds.
    func milliseconds(_ e: DurationExpr) throws(QueryError) -> Int64 {
        let seconds = try value(e)
        guard seconds.isFinite, abs(seconds) < 9.2e15 else {
            throw .execution("duration expression evaluates to an invalid value: \(seconds)")
        }
        return Int64((seconds * 1000).rounded())
    }

    /// The value of a duration expression in seconds.
    private func value(_ e: DurationExpr) throws(QueryError) -> Double {
        switch e {
        case .literal(let ms): return Double(ms) / 1000
        case .number(let n): return n
        case .step: return Double(parameters.step) / 1000
        case .range: return Double(parameters.end - parameters.start) / 1000
        case .negate(let inner): return -(try value(inner))
        case .paren(let inner): return try value(inner)
        case .minOf(let a, let b): return min(try value(a), try value(b))
        case .maxOf(let a, let b): return max(try value(a), try value(b))
        case .binary(let op, let a, let b):
            let l = try value(a)
            let r = try value(b)
            switch op {
            case .add: return l + r
            case .sub: return l - r
            case .mul: return l * r
            case .div:
                guard r != 0 else { throw .execution("division by zero in duration expression") }
                return l / r
            case .mod:
                guard r != 0 else { throw .execution("modulo by zero in duration expression") }
                return fmod(l, r)
            case .pow: return pow(l, r)
            }
        }
    }
}
