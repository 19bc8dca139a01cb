import ArgumentParser
import Foundation
import Model
import PromQL
import TSDB

/// `hindsight query`: PromQL over a data directory, as promtool and the HTTP API answer.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run PromQL queries over a data directory.",
        subcommands: [QueryInstant.self, QueryRange.self]
    )
}

/// Options every query subcommand shares.
struct QueryOptions: ParsableArguments {
    @Option(help: "The data directory (Hindsight's or Prometheus's, or an admin snapshot).")
    var data: String = "data/"

    @Option(help: "Output: a readable table, or the `data` object of Prometheus's HTTP API.")
    var format: QueryOutputFormat = .table

    @Option(help: "How far back an instant selector looks for a sample (a duration such as 5m).")
    var lookbackDelta: String = "5m"

    @Option(help: "The most samples a query may hold in memory.")
    var maxSamples: Int = 50_000_000

    @Option(help: "The longest a query may run (a duration such as 2m).")
    var timeout: String = "2m"

    func engine() throws -> Engine {
        var options = EngineOptions()
        options.lookbackDelta = try QueryTime.duration(lookbackDelta, option: "--lookback-delta")
        options.maxSamples = maxSamples
        options.timeout = .milliseconds(try QueryTime.duration(timeout, option: "--timeout"))
        return Engine(options: options)
    }

    /// Runs `body` against the opened data directory, printing its result or failing with
    /// Prometheus's error message.
    func run(_ body: (Engine, ReadOnlyDB) throws(QueryError) -> QueryResult) throws {
        let engine = try engine()
        let db = try openDB(data)
        let result: QueryResult
        do {
            result = try body(engine, db)
        } catch {
            FileHandle.standardError.write(Data("Error executing query: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        for warning in result.annotations.warnings {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        for info in result.annotations.infos {
            FileHandle.standardError.write(Data("info: \(info)\n".utf8))
        }
        var out = BufferedOutput()
        switch format {
        case .json: out.write(QueryResultJSON.data(result.value) + "\n")
        case .table: out.write(QueryResultTable.text(result.value))
        }
        out.flush()
    }
}

enum QueryOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

struct QueryInstant: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instant",
        abstract: "Evaluate an expression at one time."
    )

    @OptionGroup var options: QueryOptions

    @Option(help: "Evaluation time: RFC 3339 or Unix seconds (default: the data's last sample).")
    var time: String?

    @Argument(help: "The PromQL expression.")
    var expression: String

    func run() throws {
        let at = try time.map { try QueryTime.timestamp($0, option: "--time") }
        try options.run { (engine, db) throws(QueryError) in
            let t = at ?? db.maxTime ?? 0
            return try engine.instantQuery(expression, at: t, on: db)
        }
    }
}

struct QueryRange: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "range",
        abstract: "Evaluate an expression at every step of a time range."
    )

    @OptionGroup var options: QueryOptions

    @Option(help: "Start time: RFC 3339 or Unix seconds.")
    var start: String

    @Option(help: "End time: RFC 3339 or Unix seconds.")
    var end: String

    @Option(help: "Step: a duration (30s, 1m) or a number of seconds.")
    var step: String = "1m"

    @Argument(help: "The PromQL expression.")
    var expression: String

    func run() throws {
        let from = try QueryTime.timestamp(start, option: "--start")
        let to = try QueryTime.timestamp(end, option: "--end")
        let width = try QueryTime.duration(step, option: "--step")
        guard to >= from else { throw ValidationError("--end: end timestamp must not be before start time") }
        guard width > 0 else {
            throw ValidationError("--step: zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard (to - from) / width <= 11_000 else {
            throw ValidationError("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        try options.run { (engine, db) throws(QueryError) in
            try engine.rangeQuery(expression, start: from, end: to, step: width, on: db)
        }
    }
}

extension ReadOnlyDB {
    /// The newest sample time of the data, when there is any.
    var maxTime: Int64? {
        var newest: Int64?
        for block in blocks { newest = max(newest ?? .min, block.meta.maxTime - 1) }
        if let head, head.maxTime != .min { newest = max(newest ?? .min, head.maxTime) }
        return newest
    }
}
