import Model
import PromQL
import Testing
@testable import PromQLTest

/// The `@` rewrite of the step-invariance check.
@Suite struct ScriptAtPinningTests {
    static let p = PositionRange(start: 0, end: 1)
    var p: PositionRange { Self.p }

    static func selector(_ name: String, at: AtModifier? = nil) -> VectorSelector {
        VectorSelector(name: name, matchers: [.equal(LabelName.metricName, name)], at: at, position: p)
    }

    static func call(_ name: String, _ args: [Expr]) -> Expr {
        .call(Call(function: Function.named(name)!, args: args, position: p))
    }

    @Test func pinsSelectorsWithoutAFixedAt() throws {
        // rate(a[5m]) + b @ 7 - c @ start()
        let rate = Self.call("rate", [.matrixSelector(MatrixSelector(vectorSelector: Self.selector("a"), range: 300_000, position: p))])
        let rhs = Expr.binary(BinaryExpr(op: .sub, lhs: .vectorSelector(Self.selector("b", at: .timestamp(7))),
                                         rhs: .vectorSelector(Self.selector("c", at: .start)), matching: VectorMatching(cardinality: .oneToOne), returnBool: false, position: p))
        let expr = Expr.binary(BinaryExpr(op: .add, lhs: rate, rhs: .paren(ParenExpr(expr: rhs, position: p)),
                                          matching: VectorMatching(cardinality: .oneToOne), returnBool: false, position: p))
        let pinned = try #require(AtPinning.pin(expr, at: 600_000))
        let ats = pinned.vectorSelectors.map(\.at)
        #expect(ats == [.timestamp(600_000), .timestamp(7), .timestamp(600_000)])
        #expect(expr.vectorSelectors.map(\.at) == [nil, .timestamp(7), .start])
    }

    @Test func subqueriesArePinnedAndTheirInsidesLeftAlone() throws {
        let inner = Self.call("rate", [.matrixSelector(MatrixSelector(vectorSelector: Self.selector("a"), range: 60_000, position: p))])
        let sub = Expr.subquery(SubqueryExpr(expr: inner, range: 600_000, step: 60_000, position: p))
        let expr = Expr.aggregate(AggregateExpr(op: .sum, expr: Self.call("max_over_time", [sub]), param: nil, grouping: [], without: false, position: p))
        let pinned = try #require(AtPinning.pin(expr, at: 5000))
        guard case .aggregate(let agg) = pinned, case .call(let call) = agg.expr, case .subquery(let sq) = call.args[0] else {
            Issue.record("unexpected shape")
            return
        }
        #expect(sq.at == .timestamp(5000))
        #expect(sq.expr.vectorSelectors.map(\.at) == [nil])
    }

    @Test func timeDependentQueriesAreNotPinned() {
        for name in ["time", "timestamp", "hour", "day_of_week", "predict_linear", "days_in_month"] {
            let function = Function.named(name)!
            let args: [Expr] = function.argTypes.map { type in
                switch type {
                case .matrix: .matrixSelector(MatrixSelector(vectorSelector: Self.selector("a"), range: 60_000, position: Self.p))
                case .scalar: .number(NumberLiteral(value: 1, position: Self.p))
                default: .vectorSelector(Self.selector("a"))
                }
            }
            let expr = Self.call("abs", [Self.call("vector", [.number(NumberLiteral(value: 1, position: Self.p))])])
            let withCall = Expr.binary(BinaryExpr(op: .add, lhs: expr, rhs: Self.call(name, args), matching: nil, returnBool: false, position: Self.p))
            #expect(AtPinning.pin(withCall, at: 1000) == nil, "\(name)")
        }
        #expect(AtPinning.pin(Self.call("abs", [.vectorSelector(Self.selector("a"))]), at: 1000) != nil)
    }

    @Test func evaluationTimes() {
        #expect(AtPinning.evaluationTimes(for: 600_000) == [-6_000_000, 0, 120_000, 600_000, 6_000_000])
        #expect(AtPinning.evaluationTimes(for: 0) == [-1000, 0, 1000])
        #expect(AtPinning.evaluationTimes(for: 7) == [-70, 0, 1, 7, 70])
    }

    @Test func queryParameterFunctions() {
        #expect(AtPinning.usesQueryParameters("x + step()"))
        #expect(AtPinning.usesQueryParameters("rate(x[range()])"))
        #expect(!AtPinning.usesQueryParameters("rate(x[5m])"))
        #expect(!AtPinning.usesQueryParameters("time()"))
    }
}
