import Model

/// A byte range `start..<end` in the query text, for error messages and annotations.
public struct PositionRange: Sendable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// The type of a PromQL expression's value.
public enum ValueType: String, Sendable, Hashable {
    case none
    case scalar
    case vector
    case matrix
    case string

    /// The name Prometheus prints in type errors ("instant vector", "range vector", …).
    public var documentedName: String {
        switch self {
        case .none: "none"
        case .scalar: "scalar"
        case .vector: "instant vector"
        case .matrix: "range vector"
        case .string: "string"
        }
    }
}

/// A PromQL expression: the tree the parser builds and the engine evaluates.
public indirect enum Expr: Sendable, Hashable {
    case number(NumberLiteral)
    case string(StringLiteral)
    case vectorSelector(VectorSelector)
    case matrixSelector(MatrixSelector)
    case subquery(SubqueryExpr)
    case call(Call)
    case aggregate(AggregateExpr)
    case binary(BinaryExpr)
    case unary(UnaryExpr)
    case paren(ParenExpr)

    /// The type of the value this expression evaluates to.
    public var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case .call(let call): call.function.returnType
        case .aggregate: .vector
        case .binary(let binary):
            binary.lhs.type == .scalar && binary.rhs.type == .scalar ? .scalar : .vector
        case .unary(let unary): unary.expr.type
        case .paren(let paren): paren.expr.type
        }
    }

    /// Where the expression is in the query text.
    public var position: PositionRange {
        switch self {
        case .number(let e): e.position
        case .string(let e): e.position
        case .vectorSelector(let e): e.position
        case .matrixSelector(let e): e.position
        case .subquery(let e): e.position
        case .call(let e): e.position
        case .aggregate(let e): e.position
        case .binary(let e): e.position
        case .unary(let e): e.position
        case .paren(let e): e.position
        }
    }
}

/// A number: `1`, `1.5e3`, `0x1f`, `Inf`, `NaN`, or a duration used as a number (`1m` = 60).
public struct NumberLiteral: Sendable, Hashable {
    public var value: Double
    /// Set when the number was written as a duration (`5m`), so the printer can keep it.
    public var durationText: String?
    public var position: PositionRange

    public init(value: Double, durationText: String? = nil, position: PositionRange) {
        self.value = value
        self.durationText = durationText
        self.position = position
    }

    public static func == (a: NumberLiteral, b: NumberLiteral) -> Bool {
        a.value.bitPattern == b.value.bitPattern && a.durationText == b.durationText && a.position == b.position
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value.bitPattern)
        hasher.combine(position)
    }
}

/// A string literal, already unescaped.
public struct StringLiteral: Sendable, Hashable {
    public var value: String
    public var position: PositionRange

    public init(value: String, position: PositionRange) {
        self.value = value
        self.position = position
    }
}

/// The `@` modifier: a fixed time, or the query's start or end.
public enum AtModifier: Sendable, Hashable {
    /// Milliseconds since the epoch.
    case timestamp(Int64)
    case start
    case end
}

/// A duration written as an expression (Prometheus 3's experimental duration arithmetic):
/// `5m`, `1h + 30s`, `step() * 2`, `min_of(range(), 1h)`. Numbers are seconds.
public indirect enum DurationExpr: Sendable, Hashable {
    /// Milliseconds (a literal like `5m`, or a number of seconds converted to ms).
    case literal(Int64)
    /// A plain number (seconds) as written, kept as a double so `1.5` stays exact.
    case number(Double)
    case step
    case range
    case negate(DurationExpr)
    case binary(DurationOperator, DurationExpr, DurationExpr)
    case minOf(DurationExpr, DurationExpr)
    case maxOf(DurationExpr, DurationExpr)
    case paren(DurationExpr)
}

public enum DurationOperator: String, Sendable, Hashable {
    case add = "+"
    case sub = "-"
    case mul = "*"
    case div = "/"
    case mod = "%"
    case pow = "^"
}

/// An instant-vector selector: `metric{label="value"} offset 5m @ 1000`.
public struct VectorSelector: Sendable, Hashable {
    /// The metric name when written outside the braces (or as a bare quoted string inside).
    public var name: String?
    /// All matchers, including the `__name__` matcher for `name`.
    public var matchers: [LabelMatcher]
    /// The offset in milliseconds (negative allowed); 0 when absent.
    public var offset: Int64
    /// The offset when written as a duration expression; the engine resolves it.
    public var offsetExpr: DurationExpr?
    public var at: AtModifier?
    /// Prometheus 3's experimental `anchored` modifier (`x[5m] anchored`): the window also
    /// holds the last sample at or before its start, within the lookback delta.
    public var anchored: Bool
    /// Prometheus 3's experimental `smoothed` modifier (`x smoothed`, `x[5m] smoothed`):
    /// values at the window edges (or the evaluation time) are interpolated between the
    /// samples around them.
    public var smoothed: Bool
    public var position: PositionRange

    public init(
        name: String?, matchers: [LabelMatcher], offset: Int64 = 0, offsetExpr: DurationExpr? = nil,
        at: AtModifier? = nil, anchored: Bool = false, smoothed: Bool = false, position: PositionRange
    ) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.offsetExpr = offsetExpr
        self.at = at
        self.anchored = anchored
        self.smoothed = smoothed
        self.position = position
    }
}

/// A range-vector selector: `metric{…}[5m]`; offset and `@` live on the inner selector.
public struct MatrixSelector: Sendable, Hashable {
    public var vectorSelector: VectorSelector
    /// The range in milliseconds.
    public var range: Int64
    public var rangeExpr: DurationExpr?
    public var position: PositionRange

    public init(vectorSelector: VectorSelector, range: Int64, rangeExpr: DurationExpr? = nil, position: PositionRange) {
        self.vectorSelector = vectorSelector
        self.range = range
        self.rangeExpr = rangeExpr
        self.position = position
    }
}

/// A subquery: `expr[range:step] offset d @ t`; a step of 0 means the engine's default.
public struct SubqueryExpr: Sendable, Hashable {
    public var expr: Expr
    public var range: Int64
    public var rangeExpr: DurationExpr?
    public var step: Int64
    public var stepExpr: DurationExpr?
    public var offset: Int64
    public var offsetExpr: DurationExpr?
    public var at: AtModifier?
    public var position: PositionRange

    public init(
        expr: Expr, range: Int64, rangeExpr: DurationExpr? = nil, step: Int64, stepExpr: DurationExpr? = nil,
        offset: Int64 = 0, offsetExpr: DurationExpr? = nil, at: AtModifier? = nil, position: PositionRange
    ) {
        self.expr = expr
        self.range = range
        self.rangeExpr = rangeExpr
        self.step = step
        self.stepExpr = stepExpr
        self.offset = offset
        self.offsetExpr = offsetExpr
        self.at = at
        self.position = position
    }
}

/// A function call.
public struct Call: Sendable, Hashable {
    public var function: Function
    public var args: [Expr]
    public var position: PositionRange

    public init(function: Function, args: [Expr], position: PositionRange) {
        self.function = function
        self.args = args
        self.position = position
    }
}

/// The aggregation operators.
public enum AggregateOp: String, Sendable, Hashable, CaseIterable {
    case sum, avg, count, min, max, group, stddev, stdvar
    case topk, bottomk
    case countValues = "count_values"
    case quantile
    case limitk
    case limitRatio = "limit_ratio"

    /// Whether the operator takes a parameter before the vector.
    public var takesParameter: Bool {
        switch self {
        case .topk, .bottomk, .countValues, .quantile, .limitk, .limitRatio: true
        default: false
        }
    }

    /// Whether only the experimental-features flag enables the operator.
    public var isExperimental: Bool { self == .limitk || self == .limitRatio }
}

/// An aggregation: `sum by (job) (rate(x[5m]))`, `topk(3, x)`, `count_values("v", x)`.
public struct AggregateExpr: Sendable, Hashable {
    public var op: AggregateOp
    public var expr: Expr
    public var param: Expr?
    /// The labels of `by (…)` or `without (…)`, as written.
    public var grouping: [String]
    public var without: Bool
    public var position: PositionRange

    public init(op: AggregateOp, expr: Expr, param: Expr?, grouping: [String], without: Bool, position: PositionRange) {
        self.op = op
        self.expr = expr
        self.param = param
        self.grouping = grouping
        self.without = without
        self.position = position
    }
}

/// The binary operators, in PromQL spelling.
public enum BinaryOp: String, Sendable, Hashable, CaseIterable {
    case add = "+"
    case sub = "-"
    case mul = "*"
    case div = "/"
    case mod = "%"
    case pow = "^"
    case atan2 = "atan2"
    case eql = "=="
    case neq = "!="
    case gtr = ">"
    case lss = "<"
    case gte = ">="
    case lte = "<="
    case and = "and"
    case or = "or"
    case unless = "unless"

    public var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: true
        default: false
        }
    }

    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }

    /// Binding strength: higher binds tighter (`or` 1 … `^` 6).
    public var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: 3
        case .add, .sub: 4
        case .mul, .div, .mod, .atan2: 5
        case .pow: 6
        }
    }

    public var isRightAssociative: Bool { self == .pow }
}

/// How the two sides of a vector binary operation are matched.
public struct VectorMatching: Sendable, Hashable {
    public enum Cardinality: String, Sendable, Hashable {
        case oneToOne = "one-to-one"
        case manyToOne = "many-to-one"
        case oneToMany = "one-to-many"
        case manyToMany = "many-to-many"
    }

    public var cardinality: Cardinality
    /// The labels of `on (…)` or `ignoring (…)`.
    public var matchingLabels: [String]
    /// True for `on`, false for `ignoring` (and when neither was written).
    public var on: Bool
    /// The extra labels of `group_left (…)` / `group_right (…)`.
    public var include: [String]
    /// Prometheus 3's experimental `fill (v)`, `fill_left (v)`, `fill_right (v)`.
    public var fill: FillValues

    public init(
        cardinality: Cardinality, matchingLabels: [String] = [], on: Bool = false, include: [String] = [],
        fill: FillValues = FillValues()
    ) {
        self.cardinality = cardinality
        self.matchingLabels = matchingLabels
        self.on = on
        self.include = include
        self.fill = fill
    }
}

/// The values a vector binary operation uses for a side that has no sample matching the
/// other side's (`fill_left`: the left side is missing, `fill_right`: the right side;
/// `fill` sets both). Nil: no fill, the unmatched sample is dropped.
///
/// With `group_right` the values stay with the sides as Prometheus evaluates them after
/// swapping: `lhs` fills the "many" side, `rhs` the "one" side.
public struct FillValues: Sendable, Hashable {
    public var lhs: Double?
    public var rhs: Double?

    public init(lhs: Double? = nil, rhs: Double? = nil) {
        self.lhs = lhs
        self.rhs = rhs
    }

    public var isEmpty: Bool { lhs == nil && rhs == nil }

    public static func == (a: FillValues, b: FillValues) -> Bool {
        a.lhs?.bitPattern == b.lhs?.bitPattern && a.rhs?.bitPattern == b.rhs?.bitPattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(lhs?.bitPattern)
        hasher.combine(rhs?.bitPattern)
    }
}

/// A binary operation; `matching` is set when both sides are instant vectors.
public struct BinaryExpr: Sendable, Hashable {
    public var op: BinaryOp
    public var lhs: Expr
    public var rhs: Expr
    public var matching: VectorMatching?
    /// The `bool` modifier of comparisons.
    public var returnBool: Bool
    public var position: PositionRange

    public init(op: BinaryOp, lhs: Expr, rhs: Expr, matching: VectorMatching?, returnBool: Bool, position: PositionRange) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.matching = matching
        self.returnBool = returnBool
        self.position = position
    }
}

/// A unary `-expr` or `+expr`.
public struct UnaryExpr: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable {
        case plus = "+"
        case minus = "-"
    }

    public var op: Operator
    public var expr: Expr
    public var position: PositionRange

    public init(op: Operator, expr: Expr, position: PositionRange) {
        self.op = op
        self.expr = expr
        self.position = position
    }
}

/// `( expr )`.
public struct ParenExpr: Sendable, Hashable {
    public var expr: Expr
    public var position: PositionRange

    public init(expr: Expr, position: PositionRange) {
        self.expr = expr
        self.position = position
    }
}
