import Foundation
import Model
import TestSupport
import Testing
@testable import Snapshot
@testable import TSDB

/// Export then import gives back every sample: blocks byte for byte, the head as a block,
/// cuts by time and selector, in every compression.
struct SnapshotRoundTripTests {
    @Test(arguments: SnapshotCompression.allCases)
    func exportThenImportGivesTheSameSamples(compression: SnapshotCompression) throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-roundtrip")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data")
        let archive = dir.path + "/snapshot.tar"
        let manifest = try SnapshotCreator.create(data: data, output: archive, compression: compression, temporaryDirectory: dir.path)
        #expect(manifest.blocks.count == 4, "three blocks and the head written out as a fourth")
        #expect(manifest.blocks.last?.minTime == SnapshotFixtures.start + 6 * SnapshotFixtures.hour)

        let target = dir.path + "/imported"
        let report = try SnapshotImporter.importSnapshot(archive: archive, into: target)
        #expect(report.imported.count == 4)
        #expect(try SnapshotFixtures.dump(target) == SnapshotFixtures.dump(data))
        #expect(!FileManager.default.fileExists(atPath: target + "/lock"), "the import's lock file is removed again")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func manifestIsTheFirstEntryAndDescribesEveryFile() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-manifest")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data", withHead: false)
        let archive = dir.path + "/s.tar"
        let manifest = try SnapshotCreator.create(data: data, output: archive, compression: .none)
        let entries = try SnapshotFixtures.entries(of: archive)
        #expect(entries.first?.path == "manifest.json")
        let decoded = try SnapshotManifest.decode(entries[0].bytes)
        #expect(decoded == manifest)
        let listed = decoded.filesByPath
        #expect(listed.count == entries.count - 1)
        for entry in entries.dropFirst() {
            let file = try #require(listed[entry.path], "\(entry.path) is listed")
            #expect(file.size == Int64(entry.bytes.count))
            #expect(file.sha256 == SHA256Digest.hex(of: entry.bytes))
        }
        // Uncut blocks travel byte for byte.
        for block in manifest.blocks {
            let original = SnapshotFixtures.tree(data + "/" + block.ulid)
            for file in block.files {
                #expect(original[String(file.path.dropFirst(27))] == file.sha256)
            }
        }
    }

    @Test func cutsToTheRangeAndTheSelectors() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-cut")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data")
        let from = SnapshotFixtures.start + 3 * SnapshotFixtures.hour, to = SnapshotFixtures.start + 6 * SnapshotFixtures.hour + 600_000
        let selection = SnapshotSelection(
            from: from, to: to,
            selectors: [try SeriesSelector.parse("node_load1{instance=\"host-0\"}"), try SeriesSelector.parse("{job=\"api\", instance=\"host-2\"}")],
            selectorTexts: ["node_load1{instance=\"host-0\"}", "{job=\"api\", instance=\"host-2\"}"])
        let archive = dir.path + "/cut.tar.zst"
        let manifest = try SnapshotCreator.create(data: data, output: archive, selection: selection, temporaryDirectory: dir.path)
        #expect(manifest.selection?.match?.count == 2)
        #expect(manifest.minTime == from)
        let target = dir.path + "/imported"
        _ = try SnapshotImporter.importSnapshot(archive: archive, into: target)
        let expected = try SnapshotFixtures.dump(data, mint: from, maxt: to).filter {
            $0.hasPrefix("{__name__=\"node_load1\", instance=\"host-0\"") || $0.hasPrefix("{__name__=\"http_requests_total\", instance=\"host-2\"")
        }
        #expect(!expected.isEmpty)
        #expect(try SnapshotFixtures.dump(target) == expected)
    }

    @Test func importMergesOverlappingBlocksAndSkipsPresentOnes() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-merge")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data", withHead: false)
        let whole = dir.path + "/whole.tar"
        _ = try SnapshotCreator.create(data: data, output: whole, compression: .none)
        // A second directory holding other series over the same hours.
        let other = try SnapshotFixtures.dataDirectory(at: dir.path + "/other", series: 9, withHead: false)
        let otherArchive = dir.path + "/other.tar"
        _ = try SnapshotCreator.create(data: other, output: otherArchive, selection: SnapshotSelection(selectors: [try SeriesSelector.parse("{instance=\"host-4\"}")]), compression: .none)

        let target = dir.path + "/target"
        _ = try SnapshotImporter.importSnapshot(archive: whole, into: target)
        let again = try SnapshotImporter.importSnapshot(archive: whole, into: target)
        #expect(again.alreadyPresent.count == 3)
        #expect(again.imported.isEmpty && again.merged.isEmpty)

        let merged = try SnapshotImporter.importSnapshot(archive: otherArchive, into: target)
        #expect(merged.merged.count == 3)
        #expect(merged.merged.allSatisfy { $0.replaced.count == 1 })
        let blocks = try ReadOnlyDB(directory: target).blocks
        #expect(blocks.count == 3, "each overlapping pair became one block")
        let expected = (try SnapshotFixtures.dump(data) + SnapshotFixtures.dump(other).filter { $0.contains("instance=\"host-4\"") })
        #expect(try SnapshotFixtures.dump(target).sorted() == expected.sorted())
    }

    @Test func importRefusesADirectoryInUse() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-locked")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data", withHead: false)
        let archive = dir.path + "/s.tar"
        _ = try SnapshotCreator.create(data: data, output: archive, compression: .none)
        let running = try DB(directory: dir.path + "/live")
        defer { try? running.close() }
        let before = SnapshotFixtures.tree(dir.path + "/live")
        #expect(throws: SnapshotError.directoryInUse(directory: dir.path + "/live")) {
            try SnapshotImporter.importSnapshot(archive: archive, into: dir.path + "/live")
        }
        #expect(SnapshotFixtures.tree(dir.path + "/live") == before)
    }

    @Test func createReadsALiveDirectoryWithoutTouchingIt() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-live")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data")
        let db = try DB(directory: data)
        defer { try? db.close() }
        let before = SnapshotFixtures.tree(data)
        let manifest = try SnapshotCreator.create(data: data, output: dir.path + "/s.tar", compression: .none, temporaryDirectory: dir.path)
        #expect(manifest.blocks.count == 4)
        #expect(SnapshotFixtures.tree(data) == before)
        var appender = db.appender()
        try appender.append(SnapshotFixtures.labels(0), SnapshotFixtures.start + 8 * SnapshotFixtures.hour, 1)
        try appender.commit()
    }

    @Test func inspectReadsOnlyTheManifest() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-inspect")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data", withHead: false)
        let archive = dir.path + "/s.tar.zst"
        let manifest = try SnapshotCreator.create(data: data, output: archive)
        let contents = try SnapshotInspector.inspect(archive: archive)
        #expect(contents.manifest == manifest)
        #expect(contents.blocks.map(\.ulid) == manifest.blocks.map(\.ulid))
        #expect(contents.blocks.map(\.numSamples) == manifest.blocks.map { $0.numSamples })
    }
}

/// An import never makes a data directory's TSDB drop samples of its write-ahead log.
struct SnapshotWALConflictTests {
    @Test func refusesBlocksReachingPastTheOldestWALSample() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-wal")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data", withHead: false)
        let archive = dir.path + "/s.tar"
        _ = try SnapshotCreator.create(data: data, output: archive, compression: .none)
        // A directory whose WAL starts before the snapshot's last block ends.
        let target = dir.path + "/target"
        let db = try DB(directory: target)
        var appender = db.appender()
        try appender.append(SnapshotFixtures.labels(0), SnapshotFixtures.start + 5 * SnapshotFixtures.hour, 1)
        try appender.commit()
        try db.close()
        let before = SnapshotFixtures.tree(target)
        let error = try #require(throws: SnapshotError.self) { try SnapshotImporter.importSnapshot(archive: archive, into: target) }
        #expect("\(error)".contains("write-ahead log"))
        #expect(SnapshotFixtures.tree(target) == before)
    }
}

/// A cut block is a new block of its own: importing the whole block later still imports it.
struct SnapshotCutProvenanceTests {
    @Test func cutThenWholeImportsBoth() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-provenance")
        let data = try SnapshotFixtures.dataDirectory(at: dir.path + "/data", withHead: false)
        let cut = dir.path + "/cut.tar"
        let selection = SnapshotSelection(selectors: [try SeriesSelector.parse("{instance=\"host-0\"}")], selectorTexts: ["{instance=\"host-0\"}"])
        let cutManifest = try SnapshotCreator.create(data: data, output: cut, selection: selection, compression: .none)
        let original = try ReadOnlyDB(directory: data).blocks.map(\.meta.ulid)
        for block in cutManifest.blocks { #expect(!original.contains(block.ulid)) }
        let whole = dir.path + "/whole.tar"
        _ = try SnapshotCreator.create(data: data, output: whole, compression: .none)

        let target = dir.path + "/target"
        _ = try SnapshotImporter.importSnapshot(archive: cut, into: target)
        let second = try SnapshotImporter.importSnapshot(archive: whole, into: target)
        #expect(second.alreadyPresent.isEmpty)
        #expect(second.merged.count == 3, "each whole block merges with the cut that overlaps it")
        #expect(try SnapshotFixtures.dump(target) == SnapshotFixtures.dump(data))
    }
}
