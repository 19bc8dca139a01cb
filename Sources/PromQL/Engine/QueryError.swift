/// Why a query failed. The descriptions are Prometheus's messages.
public enum QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The query does not parse or does not type-check.
    case parse(ParseError)
    /// The query would hold more than `limit` samples in memory at once.
    case tooManySamples(limit: Int)
    /// The query ran longer than its timeout.
    case timeout
    /// The caller cancelled the query.
    case canceled
    /// An error while evaluating: a bad argument value, duplicate series, and the like.
    case execution(String)
    /// Storage failed while reading series.
    case storage(String)

    public var description: String {
        switch self {
        case .parse(let error): error.description
        case .tooManySamples: "query processing would load too many samples into memory in query execution"
        case .timeout: "query timed out in query execution"
        case .canceled: "query was canceled in query execution"
        case .execution(let message): message
        case .storage(let message): message
        }
    }

    /// Prometheus's HTTP API error type for this error ("bad_data", "timeout", "execution", …).
    public var apiErrorType: String {
        switch self {
        case .parse: "bad_data"
        case .tooManySamples, .execution, .storage: "execution"
        case .timeout: "timeout"
        case .canceled: "canceled"
        }
    }
}
