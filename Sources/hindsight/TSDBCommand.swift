import ArgumentParser
import Foundation
import Model
import TSDB

/// `hindsight tsdb …`: inspect TSDB data directories, as `promtool tsdb` does.
struct TSDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb",
        abstract: "Inspect TSDB data directories and blocks (Prometheus's block format).",
        subcommands: [TSDBCreateBlocksFrom.self, TSDBList.self, TSDBAnalyze.self, TSDBDump.self]
    )
}

/// `hindsight tsdb create-blocks-from …`: backfill blocks from other formats.
struct TSDBCreateBlocksFrom: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-blocks-from",
        abstract: "Create blocks from other data formats.",
        subcommands: [TSDBCreateBlocksFromOpenMetrics.self]
    )
}

/// `hindsight tsdb create-blocks-from openmetrics FILE DIR`, like promtool's.
struct TSDBCreateBlocksFromOpenMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openmetrics",
        abstract: "Import samples from an OpenMetrics file (every sample with a timestamp) into blocks.",
        discussion: "Blocks cover --max-block-duration (default 2h) aligned to multiples of it, with Prometheus's chunk layout, so Prometheus and promtool read them."
    )

    @Flag(name: [.short, .long], help: "Print human-readable times and sizes.")
    var humanReadable = false

    @Flag(name: [.short, .long], help: "Do not print the created blocks.")
    var quiet = false

    @Option(help: "Maximum duration of a created block, e.g. 2h or 6h (a multiple of 2h).")
    var maxBlockDuration: String = "2h"

    @Argument(help: "The OpenMetrics input file.")
    var input: String

    @Argument(help: "The output directory.")
    var output: String = "data/"

    func run() throws {
        guard let duration = PromDuration.milliseconds(maxBlockDuration), duration >= 2 * 3_600_000 else {
            throw ValidationError("--max-block-duration must be a duration of at least 2h, such as 2h or 1d")
        }
        let blockDuration = duration / (2 * 3_600_000) * (2 * 3_600_000)
        do {
            let report = try OpenMetricsBackfill.run(file: input, into: output, blockDuration: blockDuration)
            if !quiet {
                var list = TSDBList()
                list.humanReadable = humanReadable
                list.directory = output
                try list.run(only: Set(report.blocks.map(\.ulid)))
            }
        } catch {
            printError("error: \(input): \(error)")
            throw ExitCode(1)
        }
    }
}

/// Prometheus durations (`1h30m`, `2d`, `500ms`) in milliseconds.
enum PromDuration {
    static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000), ("y", 31_536_000_000)]
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) && !(rest.hasPrefix("ms") && $0.0 == "m") }) else { return nil }
            rest = rest.dropFirst(unit.count)
            let (product, overflow) = n.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            total += product
        }
        return total
    }
}

/// `hindsight tsdb list DIR`: the blocks of a directory, like `promtool tsdb list`.
struct TSDBList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the blocks of a data directory or snapshot."
    )

    @Flag(name: [.short, .long], help: "Print human-readable times and sizes.")
    var humanReadable = false

    @Argument(help: "The data directory.")
    var directory: String = "data/"

    func run() throws {
        try run(only: nil)
    }

    /// Lists the blocks (only those in `only`, when given).
    func run(only: Set<String>?) throws {
        let db = try openDB(directory)
        var rows = [["BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE"]]
        for block in db.blocks where only?.contains(block.meta.ulid) ?? true {
            let meta = block.meta
            let size = directorySize(block.directory)
            rows.append([
                meta.ulid,
                humanReadable ? formatTime(meta.minTime) : String(meta.minTime),
                humanReadable ? formatTime(meta.maxTime) : String(meta.maxTime),
                GoDuration.format(milliseconds: meta.maxTime - meta.minTime),
                String(meta.stats?.numSamples ?? 0),
                String(meta.stats?.numChunks ?? 0),
                String(meta.stats?.numSeries ?? 0),
                humanReadable ? ByteSize.human(size) : String(size),
            ])
        }
        print(TextTable.render(rows), terminator: "")
    }

    private func formatTime(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

/// `hindsight tsdb analyze DIR [BLOCK]`: churn and cardinality, like `promtool tsdb analyze`.
struct TSDBAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyze churn and label pair cardinality of a block (default: the latest)."
    )

    @Option(help: "How many items to show in each list.")
    var limit: Int = 20

    @Argument(help: "The data directory.")
    var directory: String = "data/"

    @Argument(help: "The block to analyze (default: the latest).")
    var blockID: String?

    func run() throws {
        let db = try openDB(directory)
        let block: Block
        if let blockID {
            guard let found = db.blocks.first(where: { $0.meta.ulid == blockID }) else {
                printError("error: no block \(blockID) in \(directory)")
                throw ExitCode(1)
            }
            block = found
        } else {
            guard let last = db.blocks.last else {
                printError("error: no blocks in \(directory)")
                throw ExitCode(1)
            }
            block = last
        }
        let analysis = try BlockAnalysis(block: block)
        var out = """
            Block ID: \(analysis.ulid)
            Duration: \(GoDuration.format(milliseconds: analysis.duration))
            Series: \(analysis.seriesCount)
            Label names: \(analysis.labelNameCount)
            Postings (unique label pairs): \(analysis.uniqueLabelPairs)
            Postings entries (total label pairs): \(analysis.labelPairEntries)

            """
        for (title, entries) in analysis.sections {
            out += "\n\(title):\n"
            for entry in entries.prefix(max(0, limit)) { out += "\(entry.value) \(entry.key)\n" }
        }
        print(out, terminator: "")
    }
}

/// `hindsight tsdb dump DIR`: every sample, in `promtool tsdb dump`'s line format.
struct TSDBDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Dump samples from a data directory or snapshot, in promtool's format.",
        discussion: "Each line is 'LABELS VALUE TIMESTAMP_MS', series in label order, as `promtool tsdb dump` prints them, so the two can be diffed."
    )

    @Option(help: "Minimum timestamp to dump, in milliseconds.")
    var minTime: Int64 = .min

    @Option(help: "Maximum timestamp to dump, in milliseconds.")
    var maxTime: Int64 = .max

    @Option(help: "Series selector.")
    var match: String = "{__name__=~'(?s:.*)'}"

    @Argument(help: "The data directory.")
    var directory: String = "data/"

    func run() throws {
        let matchers: [LabelMatcher]
        do {
            matchers = try SeriesSelector.parse(match)
        } catch {
            throw ValidationError("--match: \(error)")
        }
        let db = try openDB(directory)
        let querier = try db.querier(mint: minTime, maxt: maxTime)
        var set = try querier.select(matchers, hints: nil)
        var out = BufferedOutput()
        let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 1024)
        defer { buffer.deallocate() }
        while let series = try set.next() {
            let labels = series.labels.description
            var iterator = series.makeIterator()
            while true {
                let n = try iterator.next(into: buffer)
                if n == 0 { break }
                for sample in buffer[0..<n] {
                    out.write(labels)
                    out.write(" ")
                    out.write(GoFloat.format(sample.value))
                    out.write(" ")
                    out.write(String(sample.timestamp))
                    out.write("\n")
                }
            }
        }
        out.flush()
    }
}

/// Opens a directory read-only, turning storage errors into a clean exit and warning
/// about blocks that cannot be read.
func openDB(_ directory: String) throws -> ReadOnlyDB {
    let db: ReadOnlyDB
    do {
        db = try ReadOnlyDB(directory: directory)
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
    for broken in db.brokenBlocks {
        printError("warning: skipping block \(broken.directory): \(broken.error)")
    }
    return db
}

/// The total size of the files below `path`.
func directorySize(_ path: String) -> Int64 {
    guard let enumerator = FileManager.default.enumerator(atPath: path) else { return 0 }
    var total: Int64 = 0
    for case let file as String in enumerator {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + file)
        if (attributes?[.type] as? FileAttributeType) == .typeRegular {
            total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        }
    }
    return total
}

/// Columns padded with two spaces, as Go's tabwriter prints promtool's tables.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            for (i, cell) in row.enumerated() {
                out += cell
                if i < row.count - 1 { out += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            out += "\n"
        }
        return out
    }
}

/// Go's `time.Duration.String()` for a duration in milliseconds: `1h46m30.391s`, `0s`, `500ms`.
enum GoDuration {
    static func format(milliseconds ms: Int64) -> String {
        if ms == 0 { return "0s" }
        let negative = ms < 0
        let total = ms.magnitude
        if total < 1000 { return (negative ? "-" : "") + "\(total)ms" }
        var out = negative ? "-" : ""
        let hours = total / 3_600_000, minutes = (total / 60_000) % 60
        let seconds = (total / 1000) % 60, fraction = total % 1000
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        out += String(seconds)
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            out += "." + digits
        }
        return out + "s"
    }
}

/// Buffered standard output for large dumps.
struct BufferedOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
