import PromQL

extension RuleTestRunner {
    /// Input series in promtool's expanding notation (`metric{…} 1+1x10 _ stale`), through
    /// PromQL's shared ``SeriesNotation``; native histograms cannot be held and are refused.
    public static let seriesNotationReader: SeriesReader = { line in
        let (labels, values) = try SeriesNotation.parseLine(line)
        return (labels, try values.map { value throws(SeriesNotation.Error) -> Double? in
            switch value {
            case .omitted: return nil
            case .float(let v): return v
            case .histogram: throw SeriesNotation.Error(column: 1, message: "native histograms are not supported")
            }
        })
    }
}
