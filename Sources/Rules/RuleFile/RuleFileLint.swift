import Model

/// `promtool check rules`'s lint checks over loaded rule files.
public enum RuleFileLint {
    /// Rules that share a name and a label set (group labels merged under the rule's own,
    /// as Prometheus 3's promtool compares them): each recorded series or alert would come
    /// from two rules. One entry per duplicated (name, labels), sorted by name then labels.
    public struct DuplicateRule: Sendable, Hashable {
        public var name: String
        public var labels: Labels

        public init(name: String, labels: Labels) {
            self.name = name
            self.labels = labels
        }
    }

    public static func duplicateRules(in file: RuleFile) -> [DuplicateRule] {
        var rules: [DuplicateRule] = []
        for group in file.groups {
            for rule in group.rules {
                let labels = Labels((group.labels + rule.labels).map { Label($0.name, $0.value) })
                rules.append(DuplicateRule(name: rule.name, labels: labels))
            }
        }
        // Go's strings.Compare: bytes, not Unicode collation.
        rules.sort { a, b in
            if a.name != b.name { return a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }
            return a.labels < b.labels
        }
        var duplicates: [DuplicateRule] = []
        for (previous, current) in zip(rules, rules.dropFirst()) where previous == current && duplicates.last != current {
            duplicates.append(current)
        }
        return duplicates
    }

    /// promtool's message for duplicates (after `lint error `): the count, each rule's
    /// name and labels, and the warning.
    public static func duplicateRulesMessage(_ duplicates: [DuplicateRule]) -> String {
        var message = "\(duplicates.count) duplicate rule(s) found.\n"
        for rule in duplicates {
            message += "Metric: \(rule.name)\nLabel(s):\n"
            for label in rule.labels { message += "\t\(label.name): \(label.value)\n" }
        }
        return message + "Might cause inconsistency while recording expressions"
    }
}
