extension Expr {
    /// The direct subexpressions, in the order they are written.
    public var children: [Expr] {
        switch self {
        case .number, .string, .vectorSelector, .matrixSelector: []
        case .subquery(let sq): [sq.expr]
        case .call(let call): call.args
        case .aggregate(let agg): [agg.param, agg.expr].compactMap { $0 }
        case .binary(let bin): [bin.lhs, bin.rhs]
        case .unary(let un): [un.expr]
        case .paren(let p): [p.expr]
        }
    }

    /// Calls `body` on this node and every node below it, parents before children.
    public func forEachNode(_ body: (Expr) -> Void) {
        body(self)
        for child in children { child.forEachNode(body) }
    }

    /// Whether some call in the tree satisfies `predicate`.
    public func containsCall(where predicate: (Call) -> Bool) -> Bool {
        if case .call(let call) = self, predicate(call) { return true }
        return children.contains { $0.containsCall(where: predicate) }
    }
}
