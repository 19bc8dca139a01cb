import ArgumentParser

/// `hindsight check …`: validate inputs, as `promtool check` does.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the validity of inputs (metrics expositions; later: rules, configs).",
        subcommands: [CheckMetrics.self]
    )
}
