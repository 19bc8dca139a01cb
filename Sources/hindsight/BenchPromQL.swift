import ArgumentParser
import Foundation
import PromQL
import TSDB

/// Runs each query of a list several times over a data directory, in process, and prints
/// one line per query: `INDEX best_ms=… median_ms=…`; with `--results DIR` it also writes
/// each result as the HTTP API's `data` object to `DIR/INDEX.json` for comparison.
///
/// The list has one query per line, tab-separated: `instant TIME EXPR` or
/// `range START END STEP EXPR` (times in Unix seconds, step in seconds).
struct BenchPromQL: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "promql")

    @Option var data: String
    @Option var runs: Int = 5
    @Option var results: String?
    @Argument var queries: String

    func run() throws {
        let db = try openDB(data)
        let engine = Engine()
        let lines = try String(contentsOfFile: queries, encoding: .utf8).split(separator: "\n")
        for (index, line) in lines.enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let run: () throws(QueryError) -> QueryResult
            switch fields.first {
            case "instant" where fields.count == 3:
                let t = try QueryTime.timestamp(fields[1], option: "time")
                run = { () throws(QueryError) in try engine.instantQuery(fields[2], at: t, on: db) }
            case "range" where fields.count == 5:
                let start = try QueryTime.timestamp(fields[1], option: "start")
                let end = try QueryTime.timestamp(fields[2], option: "end")
                let step = try QueryTime.duration(fields[3], option: "step")
                run = { () throws(QueryError) in try engine.rangeQuery(fields[4], start: start, end: end, step: step, on: db) }
            default:
                throw ValidationError("\(queries):\(index + 1): expected 'instant TIME EXPR' or 'range START END STEP EXPR'")
            }
            var times: [Double] = []
            var last: QueryResult?
            for _ in 0..<max(1, runs) {
                let begin = DispatchTime.now().uptimeNanoseconds
                do {
                    last = try run()
                } catch {
                    printError("\(queries):\(index + 1): \(error.description)")
                    throw ExitCode(1)
                }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
            }
            times.sort()
            print("\(index) best_ms=\(times[0]) median_ms=\(times[times.count / 2])")
            if let results, let last {
                try Data((QueryResultJSON.data(last.value) + "\n").utf8).write(to: URL(fileURLWithPath: "\(results)/\(index).json"))
            }
        }
    }
}
