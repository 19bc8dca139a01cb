import ArgumentParser
import Foundation
import Model
import TSDB

/// `hindsight debug …` (hidden): tools for tests and crash drills.
struct Debug: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Internal tools for tests.",
        shouldDisplay: false,
        subcommands: [DebugAppendLoop.self, DebugOpen.self, DebugWAL.self]
    )
}

/// Appends batches to a DB until killed, printing `ack T` after each durable commit:
/// the crash-safety test kills it at random and checks what survives.
struct DebugAppendLoop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "append-loop")

    @Option var series: Int = 10
    @Option(help: "Compact the head every N batches (0: never).") var compactEvery: Int = 0
    @Option(help: "Milliseconds between batch timestamps.") var step: Int64 = 1000
    @Option(help: "Stop after this many batches (0: never).") var batches: Int = 0
    @Argument var directory: String

    func run() throws {
        let db = try DB(directory: directory)
        var t: Timestamp = 0
        let querier = try db.querier(mint: .min, maxt: .max)
        var set = try querier.select([.equal(LabelName.metricName, "crash_test")], hints: nil)
        while let s = try set.next() {
            var iterator = s.makeIterator()
            while let sample = try iterator.next() { t = max(t, sample.timestamp + step) }
        }
        let labels = (0..<series).map { Labels(["__name__": "crash_test", "series": String($0)]) }
        var count = 0
        while batches == 0 || count < batches {
            var app = db.appender()
            for l in labels { try app.append(l, t, Double(t)) }
            try app.commit()
            FileHandle.standardOutput.write(Data("ack \(t)\n".utf8))
            count += 1
            if compactEvery > 0 && count % compactEvery == 0 { try db.compact() }
            t += step
        }
        try db.close()
    }
}

/// Opens a DB as a writer (repairing the WAL tail, replaying it) and closes it.
struct DebugOpen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open")
    @Argument var directory: String

    func run() throws {
        let db = try DB(directory: directory)
        for warning in db.warnings { printError("warning: \(warning)") }
        try db.close()
    }
}

/// Summarizes the records of a WAL folder (or a checkpoint folder).
struct DebugWAL: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wal")
    @Argument var directory: String
    @Flag var replay = false

    func run() throws {
        let records = replay ? try WriteAheadLog.replay(directory: directory) : try WriteAheadLog.readRecords(directory: directory)
        for bytes in records {
            switch try WALRecord.decode(bytes) {
            case let .series(s): print("series \(s.count) refs \(s.map(\.ref).min() ?? 0)...\(s.map(\.ref).max() ?? 0)")
            case let .samples(s): print("samples \(s.count) t \(s.map(\.t).min() ?? 0)...\(s.map(\.t).max() ?? 0) refs \(Set(s.map(\.ref)).sorted())")
            case let .tombstones(t): print("tombstones \(t.count)")
            case let .unknown(type): print("unknown \(type)")
            }
        }
    }
}
