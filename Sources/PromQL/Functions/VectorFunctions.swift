import Model

/// The functions over instant vectors (math, clamp, round, date, label_*, sort*,
/// histogram_quantile over classic buckets, …), evaluated once per step.
/// (Stub: implementations land in their own change.)
enum VectorFunctions {
    /// Names this type implements.
    static let names: Set<String> = []

    /// The result of function `name` for evaluated `args` (in call order).
    static func evaluate(_ name: String, args: [FunctionArgument], context: inout FunctionContext) throws(QueryError) -> Vector {
        []
    }
}
