import Model

/// The cardinality and churn report of `promtool tsdb analyze` for one block: which
/// label pairs and names churn most, the most common pairs, and the highest-cardinality
/// labels and metric names.
public struct BlockAnalysis: Sendable {
    public struct Entry: Sendable, Hashable {
        public let value: UInt64
        public let key: String
    }

    public let ulid: String
    public let duration: Int64
    public let seriesCount: UInt64
    public let labelNameCount: Int
    public let uniqueLabelPairs: Int
    public let labelPairEntries: Int
    /// Each section's title and entries, largest first (ties by key, so output is stable).
    public let sections: [(title: String, entries: [Entry])]

    public init(block: Block) throws {
        let meta = block.meta
        let index = block.index
        let range = UInt64(bitPattern: meta.maxTime &- meta.minTime)
        var namesUncovered: [String: UInt64] = [:]
        var pairsUncovered: [String: UInt64] = [:]
        var pairsCount: [String: UInt64] = [:]
        var entries = 0
        for ref in try index.allPostings() {
            let (labels, chunks) = try index.series(ref)
            guard let first = chunks.first, let last = chunks.last else { continue }
            // How much of the block's range this series does not cover.
            let uncovered = range &- UInt64(bitPattern: last.maxTime &- first.minTime)
            for label in labels {
                let key = label.name + "=" + label.value
                namesUncovered[label.name, default: 0] &+= uncovered
                pairsUncovered[key, default: 0] &+= uncovered
                pairsCount[key, default: 0] += 1
                entries += 1
            }
        }
        func churn(_ m: [String: UInt64]) -> [Entry] {
            m.map { Entry(value: range == 0 ? 0 : UInt64(Double($0.value) / Double(range)), key: $0.key) }
        }
        let names = index.labelNames
        var cumulative: [Entry] = [], cardinality: [Entry] = [], metrics: [Entry] = []
        for name in names {
            let values = index.labelValues(name)
            cumulative.append(Entry(value: values.reduce(0) { $0 + UInt64($1.utf8.count) }, key: name))
            cardinality.append(Entry(value: UInt64(values.count), key: name))
        }
        for name in index.labelValues(LabelName.metricName) {
            metrics.append(Entry(value: UInt64(try index.postings(LabelName.metricName, name).count), key: name))
        }
        ulid = meta.ulid
        duration = meta.maxTime - meta.minTime
        seriesCount = meta.stats?.numSeries ?? 0
        labelNameCount = names.count
        uniqueLabelPairs = pairsUncovered.count
        labelPairEntries = entries
        sections = [
            ("Label pairs most involved in churning", churn(pairsUncovered)),
            ("Label names most involved in churning", churn(namesUncovered)),
            ("Most common label pairs", pairsCount.map { Entry(value: $0.value, key: $0.key) }),
            ("Label names with highest cumulative label value length", cumulative),
            ("Highest cardinality labels", cardinality),
            ("Highest cardinality metric names", metrics),
        ].map { ($0.0, $0.1.sorted { $0.value != $1.value ? $0.value > $1.value : ByteOrder.less($0.key, $1.key) }) }
    }
}
