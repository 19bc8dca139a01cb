import ArgumentParser
import Foundation
import Model
import Snapshot
import TSDB

/// `hindsight snapshot …`: move blocks between machines as one verified tarball.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Export, inspect, verify and import snapshot tarballs of TSDB blocks.",
        discussion: """
            A snapshot is a tar archive (zstd-compressed by default) whose first entry, \
            manifest.json, lists every block with its time range and counts and every file \
            with its size and SHA-256. Plain tar archives of a Prometheus admin snapshot or \
            data directory (no manifest) are read too, after the same structural and CRC checks.
            """,
        subcommands: [SnapshotCreate.self, SnapshotInspect.self, SnapshotVerify.self, SnapshotImport.self]
    )
}

/// Options shared by the commands that unpack and check archives.
struct SnapshotCheckOptions: ParsableArguments {
    @Option(help: "Refuse an archive entry larger than this (e.g. 512MB, 64GB).")
    var maxEntrySize: String = "64GB"

    @Option(help: "Refuse an archive whose entries hold more than this in all (default: no limit but the free space).")
    var maxTotalSize: String?

    @Flag(help: "Also decode every sample and check their order (slower; checksums already catch damage).")
    var deep = false

    func limits() throws -> SnapshotLimits {
        SnapshotLimits(
            maximumEntrySize: try ByteSize.parse(maxEntrySize, option: "--max-entry-size"),
            maximumTotalSize: try maxTotalSize.map { try ByteSize.parse($0, option: "--max-total-size") })
    }
}

/// Draws snapshot progress on the terminal.
extension TerminalProgress {
    func handler() -> SnapshotProgressHandler? {
        guard isEnabled else { return nil }
        return { progress in
            let unitIsBlocks = progress.phase == .verifying
            self.update(progress.phase.rawValue, fraction: progress.fraction,
                        done: unitIsBlocks ? Double(progress.done) : Double(progress.done) / 1_048_576,
                        unit: unitIsBlocks ? "blocks" : "MiB")
        }
    }
}

/// Formats times in reports as RFC 3339 (UTC); "-" for none.
func rfc3339(_ ms: Int64?) -> String {
    ms.map { formatRFC3339(milliseconds: $0) } ?? "-"
}

/// `hindsight snapshot create --data DIR --out FILE`.
struct SnapshotCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Write a point-in-time snapshot of a data directory into a tarball.",
        discussion: """
            Persisted blocks are packed as they are; the head (samples in the write-ahead log \
            not yet in a block) is written out as one more block, as Prometheus's admin \
            snapshot does. Nothing in DIR is written, so a server running on it is not \
            disturbed. --from, --to and --match cut the snapshot; blocks they cut are rewritten.
            """
    )

    @Option(help: "The data directory (Hindsight's or Prometheus's) or a folder of blocks.")
    var data: String

    @Option(help: "The tarball to write ('-': standard output).")
    var out: String

    @Option(help: "Only samples at or after this time: RFC 3339 or Unix seconds.")
    var from: String?

    @Option(help: "Only samples at or before this time: RFC 3339 or Unix seconds.")
    var to: String?

    @Option(help: "Only series matching this selector, e.g. '{job=\"node\"}' (repeatable: any of them).")
    var match: [String] = []

    @Option(help: "zstd, gzip, xz or none.")
    var compression: CompressionArgument = .zstd

    @Option(help: "Where cut and head blocks are written before being packed.")
    var tmpDir: String = NSTemporaryDirectory()

    @Flag(help: "No progress and no summary.")
    var quiet = false

    func run() throws {
        var selection = SnapshotSelection()
        do {
            selection.from = try from.map { try QueryTime.timestamp($0, option: "--from") }
            selection.to = try to.map { try QueryTime.timestamp($0, option: "--to") }
            for text in match {
                do {
                    selection.selectors.append(try SeriesSelector.parse(text))
                } catch {
                    throw ValidationError("--match \"\(text)\": \(error)")
                }
                selection.selectorTexts.append(text)
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let progress = TerminalProgress(quiet: quiet)
        let manifest: SnapshotManifest
        do {
            manifest = try SnapshotCreator.create(
                data: data, output: out, selection: selection, compression: compression.compression,
                temporaryDirectory: tmpDir, progress: progress.handler())
        } catch {
            progress.finish()
            printError("error: snapshot failed: \(error)")
            throw ExitCode(1)
        }
        progress.finish()
        guard !quiet else { return }
        let bytes = manifest.blocks.flatMap(\.files).reduce(0) { $0 + $1.size }
        let series = manifest.blocks.reduce(0) { $0 + $1.numSeries }, samples = manifest.blocks.reduce(0) { $0 + $1.numSamples }
        let summary = "\(out): \(manifest.blocks.count) blocks, \(series) series, \(samples) samples, \(ByteSize.human(bytes)) of block files, from \(rfc3339(manifest.minTime)) to \(rfc3339(manifest.maxTime))"
        if out == "-" { printError(summary) } else { print(summary) }
    }
}

enum CompressionArgument: String, ExpressibleByArgument, CaseIterable {
    case zstd, gzip, xz, none

    var compression: SnapshotCompression {
        switch self {
        case .zstd: .zstd
        case .gzip: .gzip
        case .xz: .xz
        case .none: .none
        }
    }
}

/// `hindsight snapshot inspect FILE`.
struct SnapshotInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a snapshot's manifest and blocks without unpacking it.",
        discussion: "For a snapshot with a manifest only the first entry is read; a plain tar of blocks is scanned. Nothing is verified: use `snapshot verify`."
    )

    @Argument(help: "The tarball.")
    var file: String

    @Option(help: "text, or json (the manifest; for a tar without one, the blocks found).")
    var format: InspectFormat = .text

    func run() throws {
        let contents: SnapshotContents
        do {
            contents = try SnapshotInspector.inspect(archive: file)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        switch format {
        case .json: print(json(contents))
        case .text: print(text(contents), terminator: "")
        }
    }

    enum InspectFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    private func text(_ contents: SnapshotContents) -> String {
        var out = ""
        if let manifest = contents.manifest {
            out += "\(file): Hindsight snapshot, format \(manifest.formatVersion), created \(manifest.createdAt) by \(manifest.createdBy) from \(manifest.source)\n"
            if let selection = manifest.selection {
                var parts: [String] = []
                if let from = selection.from { parts.append("from \(rfc3339(from))") }
                if let to = selection.to { parts.append("to \(rfc3339(to))") }
                if let match = selection.match { parts.append("matching " + match.joined(separator: " or ")) }
                out += "cut: " + parts.joined(separator: ", ") + "\n"
            }
        } else {
            out += "\(file): no manifest (a plain tar of Prometheus blocks); counts are from each block's meta.json\n"
        }
        var rows = [["BLOCK ULID", "MIN TIME", "MAX TIME", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "FILES", "SIZE"]]
        for block in contents.blocks {
            rows.append([block.ulid, rfc3339(block.minTime), rfc3339(block.maxTime), block.numSamples.map(String.init) ?? "-",
                         block.numChunks.map(String.init) ?? "-", block.numSeries.map(String.init) ?? "-",
                         String(block.files), ByteSize.human(block.size)])
        }
        out += TextTable.render(rows)
        let total = contents.blocks.reduce(0) { $0 + $1.size }
        out += "total: \(contents.blocks.count) blocks, \(ByteSize.human(total))\n"
        for other in contents.otherEntries { out += "\(other.entry): \(other.note)\n" }
        return out
    }

    private func json(_ contents: SnapshotContents) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let manifest = contents.manifest, let data = try? encoder.encode(manifest) { return String(decoding: data, as: UTF8.self) }
        struct Listing: Encodable {
            var blocks: [SnapshotContents.Block]
            var otherEntries: [SnapshotContents.OtherEntry]
        }
        let listing = Listing(blocks: contents.blocks, otherEntries: contents.otherEntries)
        return (try? encoder.encode(listing)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// `hindsight snapshot verify FILE`.
struct SnapshotVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a snapshot completely: entries, manifest checksums, block structure, index and chunk CRCs.",
        discussion: "The archive is unpacked into a temporary folder (--tmp-dir), checked, and the folder removed. Exit status 0 when everything holds, 1 otherwise."
    )

    @Argument(help: "The tarball.")
    var file: String

    @OptionGroup var checks: SnapshotCheckOptions

    @Option(help: "Where to unpack while checking.")
    var tmpDir: String = NSTemporaryDirectory()

    @Flag(help: "No progress.")
    var quiet = false

    func run() throws {
        let progress = TerminalProgress(quiet: quiet)
        do {
            let result = try SnapshotVerifier.verify(archive: file, limits: try checks.limits(), deep: checks.deep, temporaryDirectory: tmpDir, progress: progress.handler())
            progress.finish()
            let series = result.blocks.reduce(0) { $0 + $1.verification.series }
            let samples = result.blocks.reduce(0) { $0 + $1.verification.samples }
            let chunks = result.blocks.reduce(0) { $0 + $1.verification.chunks }
            let checks = result.manifest == nil ? "block structure and CRCs hold (no manifest)" : "SHA-256 checksums, block structure and CRCs hold"
            print("\(file): OK: \(result.blocks.count) blocks, \(series) series, \(chunks) chunks, \(samples) samples, \(ByteSize.human(result.bytes)); \(checks)")
            for entry in result.skippedEntries { print("\(entry): not block data, skipped") }
        } catch {
            progress.finish()
            printError("error: \(file): verification failed: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `hindsight snapshot import FILE --data DIR`.
struct SnapshotImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Verify a snapshot, then move its blocks into a data directory.",
        discussion: """
            DIR must not be in use: the import takes DIR's lock file and refuses when a running \
            server holds it (stop the server, import, start it again). Everything is verified \
            in a staging folder inside DIR before DIR changes; blocks then move in with one \
            rename each. A block overlapping existing blocks is merged with them (vertical \
            compaction); a block already present is skipped and reported. On any error DIR is \
            left as it was.
            """
    )

    @Argument(help: "The tarball (a Hindsight snapshot, or a plain tar of Prometheus blocks; '-': standard input).")
    var file: String

    @Option(help: "The data directory to import into (created when missing).")
    var data: String

    @OptionGroup var checks: SnapshotCheckOptions

    @Flag(help: "No progress and no report.")
    var quiet = false

    func run() throws {
        let progress = TerminalProgress(quiet: quiet)
        let report: ImportReport
        do {
            report = try SnapshotImporter.importSnapshot(archive: file, into: data, limits: try checks.limits(), deep: checks.deep, progress: progress.handler())
        } catch {
            progress.finish()
            printError("error: \(file): import failed, \(data) is unchanged: \(error)")
            throw ExitCode(1)
        }
        progress.finish()
        guard !quiet else { return }
        for meta in report.imported { print("imported \(meta.ulid) [\(rfc3339(meta.minTime)), \(rfc3339(meta.maxTime)))") }
        for merged in report.merged {
            print("merged \(merged.imported) with overlapping \(merged.replaced.joined(separator: ", ")) into \(merged.result.ulid) [\(rfc3339(merged.result.minTime)), \(rfc3339(merged.result.maxTime)))")
        }
        for ulid in report.alreadyPresent { print("skipped \(ulid): already present") }
        for entry in report.skippedEntries { print("skipped \(entry): not block data") }
        print("\(file): \(report.imported.count) blocks imported, \(report.merged.count) merged, \(report.alreadyPresent.count) already present")
    }
}
