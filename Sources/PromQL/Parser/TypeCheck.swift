import Model

/// Prometheus's `checkAST`: operand types of operators, calls and aggregations, selector
/// sanity, and the vector-matching normalization (set operators are many-to-many,
/// matching is dropped unless both sides are instant vectors).
///
/// Errors are collected in the order Prometheus finds them (children before their
/// parent), so the first one is the one Prometheus reports.
struct TypeChecker {
    let query: String
    private let bytes: [UInt8]
    private(set) var errors: [ParseError] = []

    init(query: String) {
        self.query = query
        bytes = Array(query.utf8)
    }

    mutating func check(_ expr: Expr) -> Expr {
        var expr = expr
        _ = visit(&expr)
        return expr
    }

    private mutating func fail(_ message: String, _ position: PositionRange) {
        errors.append(ParseError(position: position, message: message, query: query))
    }

    /// Checks `expr` (normalizing it in place) and returns its type.
    private mutating func visit(_ expr: inout Expr, bypassEmptyMatcherCheck: Bool = false) -> ValueType {
        switch expr {
        case .number, .string:
            break
        case .paren(var paren):
            _ = visit(&paren.expr)
            expr = .paren(paren)
        case .unary(var unary):
            let type = visit(&unary.expr)
            if type != .scalar && type != .vector {
                fail("unary expression only allowed on expressions of type scalar or instant vector, got \(GoString.quote(type.documentedName))", unary.position)
            }
            expr = .unary(unary)
        case .vectorSelector(let vs):
            checkSelector(vs, bypassEmptyMatcherCheck: bypassEmptyMatcherCheck)
        case .matrixSelector(let ms):
            checkSelector(ms.vectorSelector, bypassEmptyMatcherCheck: false)
        case .subquery(var sq):
            let type = visit(&sq.expr)
            if type != .vector {
                fail("subquery is only allowed on instant vector, got \(type.rawValue) instead", sq.position)
            }
            expr = .subquery(sq)
        case .aggregate(var agg):
            expectType(&agg.expr, .vector, "aggregation expression")
            if var param = agg.param {
                switch agg.op {
                case .topk, .bottomk, .quantile, .limitk, .limitRatio:
                    expectType(&param, .scalar, "aggregation parameter")
                case .countValues:
                    expectType(&param, .string, "aggregation parameter")
                default:
                    break
                }
                agg.param = param
            }
            expr = .aggregate(agg)
        case .call(var call):
            checkCall(&call)
            expr = .call(call)
        case .binary(var binary):
            checkBinary(&binary)
            expr = .binary(binary)
        }
        return expr.type
    }

    private mutating func expectType(_ expr: inout Expr, _ want: ValueType, _ context: String) {
        let type = visit(&expr)
        if type != want {
            fail("expected type \(want.documentedName) in \(context), got \(type.documentedName)", expr.position)
        }
    }

    private mutating func checkSelector(_ vs: VectorSelector, bypassEmptyMatcherCheck: Bool) {
        if let name = vs.name {
            // The last matcher is the one for the name written outside the braces.
            for matcher in vs.matchers.dropLast() where matcher.name == LabelName.metricName {
                fail("metric name must not be set twice: \(GoString.quote(name)) or \(GoString.quote(matcher.value))", vs.position)
            }
            return
        }
        if !bypassEmptyMatcherCheck, !vs.matchers.contains(where: { !$0.matchesEmpty }) {
            fail("vector selector must contain at least one non-empty matcher", vs.position)
        }
    }

    private mutating func checkCall(_ call: inout Call) {
        let function = call.function
        let name = GoString.quote(function.name)
        let declared = function.argTypes.count
        if function.variadic == 0 {
            if declared != call.args.count {
                fail("expected \(declared) argument(s) in call to \(name), got \(call.args.count)", call.position)
            }
        } else {
            let required = declared - 1
            if required > call.args.count {
                fail("expected at least \(required) argument(s) in call to \(name), got \(call.args.count)", call.position)
            } else if function.variadic > 0, required + function.variadic < call.args.count {
                fail("expected at most \(required + function.variadic) argument(s) in call to \(name), got \(call.args.count)", call.position)
            }
        }
        var infoLabelSelector = false
        if function.name == "info", call.args.count > 1 {
            let second = call.args[1]
            if second.type != .vector {
                fail("expected type \(ValueType.vector.documentedName) in call to function \(name), got \(second.type.documentedName)", call.position)
            }
            if case .vectorSelector(let vs) = second {
                if vs.name != nil {
                    fail("expected label selectors only, got vector selector instead", second.position)
                } else {
                    infoLabelSelector = true
                }
            } else {
                fail("expected label selectors only", second.position)
            }
        }
        for i in call.args.indices {
            var typeIndex = i
            if i >= declared {
                if function.variadic == 0 || declared == 0 { break }
                typeIndex = declared - 1
            }
            let type = visit(&call.args[i], bypassEmptyMatcherCheck: infoLabelSelector && i == 1)
            let want = function.argTypes[typeIndex]
            if type != want {
                fail("expected type \(want.documentedName) in call to function \(name), got \(type.documentedName)", call.args[i].position)
            }
        }
    }

    private mutating func checkBinary(_ binary: inout BinaryExpr) {
        let lhsType = visit(&binary.lhs)
        let rhsType = visit(&binary.rhs)
        let op = binary.op
        var matching = binary.matching ?? VectorMatching(cardinality: .oneToOne)

        if binary.returnBool && !op.isComparison {
            fail("bool modifier can only be used on comparison operators", operatorRange(binary))
        }
        if op.isComparison, !binary.returnBool, lhsType == .scalar, rhsType == .scalar {
            fail("comparisons between scalars must use BOOL modifier", operatorRange(binary))
        }
        if op.isSetOperator, matching.cardinality == .oneToOne {
            matching.cardinality = .manyToMany
        }
        if matching.on {
            for label in matching.matchingLabels where matching.include.contains(label) {
                fail("label \(GoString.quote(label)) must not occur in ON and GROUP clause at once", operatorRange(binary))
            }
        }
        if lhsType != .scalar && lhsType != .vector {
            fail("binary expression must contain only scalar and instant vector types", binary.lhs.position)
        }
        if rhsType != .scalar && rhsType != .vector {
            fail("binary expression must contain only scalar and instant vector types", binary.rhs.position)
        }
        if lhsType != .vector || rhsType != .vector {
            if !matching.matchingLabels.isEmpty {
                fail("vector matching only allowed between instant vectors", binary.position)
            }
            binary.matching = nil
        } else {
            if op.isSetOperator {
                if matching.cardinality == .oneToMany || matching.cardinality == .manyToOne {
                    fail("no grouping allowed for \(GoString.quote(op.rawValue)) operation", binary.position)
                }
                if matching.cardinality != .manyToMany {
                    fail("set operations must always be many-to-many", binary.position)
                }
            }
            binary.matching = matching
        }
        if (lhsType == .scalar || rhsType == .scalar) && op.isSetOperator {
            fail("set operator \(GoString.quote(op.rawValue)) not allowed in binary scalar expression", binary.position)
        }
    }

    /// The operator and its modifiers, between the operands without surrounding spaces
    /// (Prometheus's end is the last such byte, not one past it).
    private func operatorRange(_ binary: BinaryExpr) -> PositionRange {
        var start = binary.lhs.position.end
        while start < bytes.count, Lexer.isSpace(bytes[start]) { start += 1 }
        var end = binary.rhs.position.start - 1
        while end > start, end < bytes.count, Lexer.isSpace(bytes[end]) { end -= 1 }
        return PositionRange(start: start, end: Swift.max(start, end))
    }
}
