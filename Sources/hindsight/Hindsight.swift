import ArgumentParser

/// The `hindsight` command: one executable, a subcommand per job.
@main
struct Hindsight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hindsight",
        abstract: "A Prometheus-compatible monitoring server with a deterministic rule replay engine.",
        discussion: """
            Back-test recording and alerting rules over historical TSDB blocks, move snapshots \
            between machines, and run a live Prometheus-compatible server.
            """,
        version: HindsightVersion.description,
        subcommands: [Check.self, TSDBCommand.self, QueryCommand.self, TestCommand.self, ReplayCommand.self, SnapshotCommand.self, Bench.self, Debug.self]
    )
}

/// The version printed by `hindsight --version`.
enum HindsightVersion {
    static let number = "0.1.0"
    static var description: String { "hindsight, version \(number)" }
}
