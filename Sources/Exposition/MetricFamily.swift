import Model

/// A metric family as an exposition presents it: metadata and the samples that follow it.
public struct MetricFamily: Sendable, Hashable {
    /// The family name (for OpenMetrics counters, without `_total`).
    public var name: String
    /// The declared type; nil when the exposition gave no `# TYPE`.
    public var type: MetricType?
    public var help: String?
    public var unit: String?
    public var samples: [ExpositionSample]

    public init(name: String, type: MetricType? = nil, help: String? = nil, unit: String? = nil, samples: [ExpositionSample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    /// The type in effect: the declared one, or unknown.
    public var effectiveType: MetricType { type ?? .unknown }

    /// Whether a sample called `sampleName` belongs to this family in `format`.
    public func owns(sampleName: String, format: ExpositionFormat) -> Bool {
        effectiveType.sampleSuffix(of: sampleName, family: name, format: format) != nil
    }
}

/// Groups parser entries into metric families the way the formats define them:
/// metadata opens a family, and a sample joins the current family when its name is the
/// family name plus a suffix its type allows; otherwise it opens a new, untyped family.
public struct MetricFamilyCollector: Sendable {
    public let format: ExpositionFormat
    public private(set) var families: [MetricFamily] = []

    public init(format: ExpositionFormat) { self.format = format }

    public mutating func add(_ entry: ExpositionEntry) {
        switch entry {
        case .comment:
            return
        case let .help(name, text):
            withFamily(named: name) { $0.help = text }
        case let .type(name, type):
            withFamily(named: name) { $0.type = type }
        case let .unit(name, unit):
            withFamily(named: name) { $0.unit = unit }
        case let .sample(sample):
            let sampleName = sample.name
            if let last = families.indices.last, families[last].owns(sampleName: sampleName, format: format) {
                families[last].samples.append(sample)
            } else {
                families.append(MetricFamily(name: sampleName, samples: [sample]))
            }
        }
    }

    /// Applies metadata to the current family when it has this name and no samples yet,
    /// or to a new family.
    private mutating func withFamily(named name: String, _ update: (inout MetricFamily) -> Void) {
        if let last = families.indices.last, families[last].name == name, families[last].samples.isEmpty {
            update(&families[last])
        } else {
            var family = MetricFamily(name: name)
            update(&family)
            families.append(family)
        }
    }

    /// Parses all of `bytes` in `format` into families.
    public static func collect(_ bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> [MetricFamily] {
        var parser = format.makeParser(bytes)
        var collector = MetricFamilyCollector(format: format)
        while let entry = try parser.next() { collector.add(entry) }
        return collector.families
    }
}
