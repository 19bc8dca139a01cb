import ArgumentParser

/// `hindsight check …`: validate inputs, as `promtool check` does.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the validity of inputs (metrics expositions, rule files; later: configs).",
        subcommands: [CheckMetrics.self, CheckRules.self]
    )
}
