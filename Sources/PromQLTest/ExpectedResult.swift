import PromQL
import Model

/// What an eval's query must return, from the lines under it.
public enum ExpectedResult: Sendable, Hashable {
    /// Series lines (possibly none: an empty vector or matrix). For an instant query each
    /// series has one value; for a range query (or `expect range vector`) one per step.
    case series([ExpectedSeries])
    /// A bare number line: the query returns a scalar.
    case scalar(Double, line: Int)

    /// Whether a native histogram appears anywhere in the expected values.
    public var hasHistograms: Bool {
        if case .series(let series) = self { return series.contains { $0.values.contains { $0.isHistogram } } }
        return false
    }

    public var isScalar: Bool {
        if case .scalar = self { true } else { false }
    }

    public static func == (a: ExpectedResult, b: ExpectedResult) -> Bool {
        switch (a, b) {
        case (.series(let x), .series(let y)): x == y
        case (.scalar(let x, let lx), .scalar(let y, let ly)): lx == ly && (x == y || (x.isNaN && y.isNaN))
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .series(let s): hasher.combine(s)
        case .scalar(_, let line): hasher.combine(line)
        }
    }
}

/// One expected series: its labels, values and where it was written.
public struct ExpectedSeries: Sendable, Hashable {
    public var line: Int
    /// 1-based rank among the eval's series lines (`expect ordered` checks it).
    public var position: Int
    public var labels: Labels
    public var values: [SeriesValue]

    public init(line: Int, position: Int, labels: Labels, values: [SeriesValue]) {
        self.line = line
        self.position = position
        self.labels = labels
        self.values = values
    }
}
