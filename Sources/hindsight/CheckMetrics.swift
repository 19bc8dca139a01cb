import ArgumentParser
import Exposition
import Foundation

/// `hindsight check metrics`: parse an exposition, report errors with line:column,
/// then lint it like `promtool check metrics`.
struct CheckMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Check and lint a metrics exposition (Prometheus text format or OpenMetrics).",
        discussion: """
            Reads FILE (or standard input for '-' or no FILE). A parse or format error is printed \
            to standard error as FILE:LINE:COLUMN: error: MESSAGE and exits 1. Lint findings are \
            printed to standard output as 'METRIC PROBLEM' lines, as promtool prints them, and \
            exit 3 (promtool's lint exit code) unless --lint none. OpenMetrics input is checked \
            against the whole OpenMetrics 1.0 data model (metadata placement, histogram \
            structure, value ranges), not just its syntax.
            """
    )

    enum LintMode: String, ExpressibleByArgument, CaseIterable {
        case all, none
    }

    @Option(name: .long, help: "The exposition format: \(ExpositionFormat.allCases.map(\.rawValue).joined(separator: "|")).")
    var format: ExpositionFormat = .text

    @Option(name: .long, help: "Which lint checks to run: all|none.")
    var lint: LintMode = .all

    @Flag(name: [.short, .long], help: "Also print the metric families that were parsed.")
    var verbose = false

    @Argument(help: "The exposition file, or '-' for standard input.")
    var file: String = "-"

    func run() throws {
        let label = file == "-" ? "<stdin>" : file
        let bytes: [UInt8]
        do {
            bytes = try InputReader.readAll(file)
        } catch {
            printError("\(label): error: \(error)")
            throw ExitCode(1)
        }
        let report = ExpositionChecker.check(bytes, format: format, lint: lint == .all)
        if let error = report.error {
            printError("\(label):\(error.line):\(error.column): error: \(error.reason)")
            throw ExitCode(1)
        }
        if verbose { print(FamilyTable.render(report)) }
        for problem in report.problems { print(problem) }
        if !report.problems.isEmpty { throw ExitCode(3) }
    }
}

extension ExpositionFormat: ExpressibleByArgument {}

/// Renders what was parsed as an aligned table.
enum FamilyTable {
    static func render(_ report: ExpositionCheckReport) -> String {
        var rows: [[String]] = [["FAMILY", "TYPE", "UNIT", "SAMPLES", "EXEMPLARS", "HELP"]]
        for family in report.families {
            let help = family.help.map { $0.count > 50 ? String($0.prefix(49)) + "…" : $0 } ?? "-"
            rows.append([
                family.name, family.type?.rawValue ?? "-", family.unit.flatMap { $0.isEmpty ? nil : $0 } ?? "-",
                String(family.samples.count), String(family.samples.count { $0.exemplar != nil }),
                help.replacingOccurrences(of: "\n", with: "\\n"),
            ])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var lines = rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        lines.append("\(report.families.count) families, \(report.sampleCount) samples, \(report.exemplarCount) exemplars")
        return lines.joined(separator: "\n")
    }
}

/// Reads a whole file, or standard input for "-".
enum InputReader {
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        if path == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(description: "no such file")
        }
        guard !isDirectory.boolValue else { throw ReadError(description: "is a directory, not a file") }
        // Read straight into the array (one copy of the input in memory, not two).
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReadError(description: "cannot open the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ReadError(description: "cannot stat the file: \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 { failure = String(cString: strerror(errno)); break }
                if n == 0 { break }
                done += n
            }
            count = done
        }
        if let failure { throw ReadError(description: "cannot read the file: \(failure)") }
        return bytes
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
