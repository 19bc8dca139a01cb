import Foundation
import Model
import TestSupport
import Testing
@testable import Snapshot
@testable import TSDB

/// Archives built to break in: every one is refused with a message naming the entry, the
/// target directory stays byte-identical, and nothing appears outside it.
@Suite struct HostileArchiveTests {
    /// One real block's files, to build archives from.
    struct BlockFiles {
        var ulid: String
        var files: [(path: String, bytes: [UInt8])]

        func file(_ relative: String) -> [UInt8] { files.first { $0.path == ulid + "/" + relative }!.bytes }
    }

    static func block(in dir: String) throws -> BlockFiles {
        let data = try SnapshotFixtures.dataDirectory(at: dir + "/source", series: 4, withHead: false)
        let ulid = try #require(ReadOnlyDB(directory: data).blocks.first).meta.ulid
        var files: [(path: String, bytes: [UInt8])] = []
        for name in ["chunks/000001", "index", "meta.json", "tombstones"] {
            files.append((ulid + "/" + name, Array(try #require(FileManager.default.contents(atPath: data + "/" + ulid + "/" + name)))))
        }
        return BlockFiles(ulid: ulid, files: files)
    }

    static func manifest(_ block: BlockFiles, files: [(path: String, bytes: [UInt8])]? = nil) throws -> [UInt8] {
        let listed = (files ?? block.files).map { SnapshotManifest.File(path: $0.path, size: Int64($0.bytes.count), sha256: SHA256Digest.hex(of: $0.bytes)) }
        let meta = try JSONDecoder().decode(BlockMeta.self, from: Data(block.file("meta.json")))
        let manifest = SnapshotManifest(
            formatVersion: 1, createdBy: "test", createdAt: "2026-11-26T00:00:00Z", source: "/nowhere",
            minTime: meta.minTime, maxTime: meta.maxTime, selection: nil,
            blocks: [.init(ulid: block.ulid, minTime: meta.minTime, maxTime: meta.maxTime, numSeries: meta.stats!.numSeries!,
                           numSamples: meta.stats!.numSamples!, numChunks: meta.stats!.numChunks!, files: listed)])
        return manifest.encoded()
    }

    /// A hostile case: how to write the archive, the limits, and what the error must say.
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var limits = SnapshotLimits()
        var compression: SnapshotCompression = .none
        /// Text the error must contain (the entry, the reason).
        var expected: [String]
        var build: @Sendable (ArchiveWriter, BlockFiles, String) throws -> Void
        /// Cut the archive file to this share of its bytes.
        var truncateTo: Double?

        var description: String { name }
    }

    static let outsideName = "hindsight-escaped-\(UUID().uuidString)"

    static let cases: [Case] = [
        Case(name: "dot-dot at the start", expected: ["\"../\(outsideName)\"", "\"..\""]) { w, _, _ in
            try w.addRawEntry("../\(outsideName)", type: .file, bytes: Array("x".utf8))
        },
        Case(name: "dot-dot inside a block path", expected: ["/../../\(outsideName)\"", "\"..\""]) { w, b, _ in
            try w.addRawEntry("\(b.ulid)/../../\(outsideName)", type: .file, bytes: Array("x".utf8))
        },
        Case(name: "absolute path", expected: ["\"/tmp/\(outsideName)\"", "absolute path"]) { w, _, _ in
            try w.addRawEntry("/tmp/\(outsideName)", type: .file, bytes: Array("x".utf8))
        },
        Case(name: "symbolic link as a block file", expected: ["/index\"", "symbolic link", "/etc/passwd"]) { w, b, _ in
            try w.addRawEntry(b.ulid + "/meta.json", type: .file, bytes: b.file("meta.json"))
            try w.addRawEntry(b.ulid + "/index", type: .symlink, linkTarget: "/etc/passwd")
        },
        Case(name: "symbolic link as the block folder", expected: ["symbolic link", "../.."]) { w, b, _ in
            try w.addRawEntry(b.ulid, type: .symlink, linkTarget: "../..")
            try w.addRawEntry(b.ulid + "/meta.json", type: .file, bytes: b.file("meta.json"))
        },
        Case(name: "hard link", expected: ["/index\"", "hard link"]) { w, b, _ in
            try w.addRawEntry(b.ulid + "/meta.json", type: .file, bytes: b.file("meta.json"))
            try w.addRawEntry(b.ulid + "/index", type: .hardlink, linkTarget: b.ulid + "/meta.json")
        },
        Case(name: "character device", expected: ["/chunks/000001\"", "character device"]) { w, b, _ in
            try w.addRawEntry(b.ulid + "/chunks/000001", type: .characterDevice)
        },
        Case(name: "block device", expected: ["/chunks/000001\"", "block device"]) { w, b, _ in
            try w.addRawEntry(b.ulid + "/chunks/000001", type: .blockDevice)
        },
        Case(name: "FIFO", expected: ["/index\"", "FIFO"]) { w, b, _ in
            try w.addRawEntry(b.ulid + "/index", type: .fifo)
        },
        Case(name: "FIFO among skipped WAL files", expected: ["wal/00000000\"", "FIFO"]) { w, b, _ in
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
            try w.addRawEntry("wal/00000000", type: .fifo)
        },
        Case(name: "duplicated entry", expected: ["/index\"", "more than once"]) { w, b, _ in
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
            try w.addRawEntry(b.ulid + "/index", type: .file, bytes: b.file("index"))
        },
        Case(name: "duplicated entry spelled differently", expected: ["./", "/index\"", "more than once"]) { w, b, _ in
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
            try w.addRawEntry("./" + b.ulid + "/index", type: .file, bytes: b.file("index"))
        },
        Case(name: "entry larger than the limit", limits: SnapshotLimits(maximumEntrySize: 2_000), expected: ["/chunks/000001\"", "more than the limit of 2000 bytes"]) { w, b, _ in
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
        },
        Case(name: "archive larger than the total limit", limits: SnapshotLimits(maximumTotalSize: 3_000), expected: ["more than the limit of 3000 bytes"]) { w, b, _ in
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
        },
        Case(name: "entry larger than the manifest declares", expected: ["/index\"", "the archive says", "the manifest"]) { w, b, _ in
            try w.add("manifest.json", bytes: try manifest(b))
            for file in b.files {
                try w.addRawEntry(file.path, type: .file, bytes: file.path.hasSuffix("/index") ? file.bytes + [0, 0, 0, 0] : file.bytes)
            }
        },
        Case(name: "file not listed in the manifest", expected: ["/chunks/000002\"", "not listed in the manifest"]) { w, b, _ in
            try w.add("manifest.json", bytes: try manifest(b))
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
            try w.addRawEntry(b.ulid + "/chunks/000002", type: .file, bytes: b.file("chunks/000001"))
        },
        Case(name: "WAL beside a manifest", expected: ["wal/00000000\"", "not listed in the manifest"]) { w, b, _ in
            try w.add("manifest.json", bytes: try manifest(b))
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
            try w.addRawEntry("wal/00000000", type: .file, bytes: [1, 2, 3])
        },
        Case(name: "listed file missing", expected: ["/tombstones\"", "missing from the archive"]) { w, b, _ in
            try w.add("manifest.json", bytes: try manifest(b))
            for file in b.files where !file.path.hasSuffix("tombstones") { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
        },
        Case(name: "content differs from its SHA-256", expected: ["/chunks/000001\"", "SHA-256"]) { w, b, _ in
            try w.add("manifest.json", bytes: try manifest(b))
            for file in b.files {
                var bytes = file.bytes
                if file.path.hasSuffix("000001") { bytes[bytes.count / 2] ^= 0x10 }
                try w.addRawEntry(file.path, type: .file, bytes: bytes)
            }
        },
        Case(name: "flipped bit in chunk data without a manifest", expected: ["chunks/000001", "checksum mismatch"]) { w, b, _ in
            for file in b.files {
                var bytes = file.bytes
                if file.path.hasSuffix("000001") { bytes[bytes.count / 2] ^= 0x01 }
                try w.addRawEntry(file.path, type: .file, bytes: bytes)
            }
        },
        Case(name: "flipped bit in the index without a manifest", expected: ["index", "checksum mismatch"]) { w, b, _ in
            for file in b.files {
                var bytes = file.bytes
                if file.path.hasSuffix("index") { bytes[40] ^= 0x04 }
                try w.addRawEntry(file.path, type: .file, bytes: bytes)
            }
        },
        Case(name: "manifest not first", expected: ["manifest.json", "first entry"]) { w, b, _ in
            try w.addRawEntry(b.files[0].path, type: .file, bytes: b.files[0].bytes)
            try w.add("manifest.json", bytes: try manifest(b))
        },
        Case(name: "malformed manifest", expected: ["manifest.json", "not valid JSON"]) { w, _, _ in
            try w.add("manifest.json", bytes: Array("{\"formatVersion\": 1, ".utf8))
        },
        Case(name: "manifest of a future format", expected: ["manifest.json", "format version 2"]) { w, b, _ in
            var text = String(decoding: try manifest(b), as: UTF8.self)
            text = text.replacingOccurrences(of: "\"formatVersion\" : 1", with: "\"formatVersion\" : 2")
            try w.add("manifest.json", bytes: Array(text.utf8))
        },
        Case(name: "stray file", expected: ["/notes.txt\"", "not a block file"]) { w, b, _ in
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
            try w.addRawEntry(b.ulid + "/notes.txt", type: .file, bytes: Array("hi".utf8))
        },
        Case(name: "blocks in two folders", expected: ["two different folders"]) { w, b, _ in
            for file in b.files { try w.addRawEntry("a/" + file.path, type: .file, bytes: file.bytes) }
            try w.addRawEntry("b/" + b.files[0].path, type: .file, bytes: b.files[0].bytes)
        },
        Case(name: "truncated archive", expected: ["cannot read", "runcated"], build: { w, b, _ in
            try w.add("manifest.json", bytes: try manifest(b))
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
        }, truncateTo: 0.6),
        Case(name: "truncated zstd archive", compression: .zstd, expected: ["hostile.tar", "runcated"], build: { w, b, _ in
            try w.add("manifest.json", bytes: try manifest(b))
            for file in b.files { try w.addRawEntry(file.path, type: .file, bytes: file.bytes) }
        }, truncateTo: 0.5),
        Case(name: "not an archive", expected: ["cannot"], build: { _, _, _ in }, truncateTo: 0.01),
    ]

    @Test(arguments: cases)
    func isRefusedAndLeavesTheDirectoryAlone(_ hostile: Case) throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-hostile")
        let block = try Self.block(in: dir.path)
        let archive = dir.path + "/hostile.tar"
        try SnapshotFixtures.archive(at: archive, compression: hostile.compression) { try hostile.build($0, block, dir.path) }
        if let share = hostile.truncateTo {
            let bytes = try #require(FileManager.default.contents(atPath: archive))
            let cut = share < 0.05 ? Data("this is not a tar archive\n".utf8) : bytes.prefix(Int(Double(bytes.count) * share))
            try cut.write(to: URL(fileURLWithPath: archive))
        }
        // A data directory that already holds data.
        let target = try SnapshotFixtures.dataDirectory(at: dir.path + "/target", series: 2, withHead: true)
        let before = SnapshotFixtures.tree(target)
        let parent = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        let temporary = Set(try FileManager.default.contentsOfDirectory(atPath: "/tmp"))

        let error = try #require(throws: SnapshotError.self) {
            try SnapshotImporter.importSnapshot(archive: archive, into: target, limits: hostile.limits)
        }
        for text in hostile.expected {
            #expect("\(error)".contains(text), "\(hostile.name): \"\(error)\" should say \(text)")
        }
        #expect(SnapshotFixtures.tree(target) == before, "\(hostile.name): the directory changed")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == parent, "\(hostile.name): something was written beside it")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + Self.outsideName))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/" + Self.outsideName))

        // verify refuses the same archive, and cleans up after itself.
        let scratch = dir.path + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
        #expect(throws: SnapshotError.self) {
            try SnapshotVerifier.verify(archive: archive, limits: hostile.limits, temporaryDirectory: scratch)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        let leaked = Set(try FileManager.default.contentsOfDirectory(atPath: "/tmp")).subtracting(temporary)
        #expect(!leaked.contains(Self.outsideName))
    }

    @Test func aPlainTarOfADataDirectorySkipsTheWAL() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-plain")
        let block = try Self.block(in: dir.path)
        let archive = dir.path + "/plain.tar"
        try SnapshotFixtures.archive(at: archive, compression: .gzip) { w in
            try w.addRawEntry("data/", type: .directory)
            try w.addRawEntry("data/wal/", type: .directory)
            try w.addRawEntry("data/wal/00000000", type: .file, bytes: [0, 1, 2])
            try w.addRawEntry("data/lock", type: .file)
            try w.addRawEntry("data/queries.active", type: .file, bytes: [0])
            try w.addRawEntry("data/" + block.ulid + "/", type: .directory)
            for file in block.files { try w.addRawEntry("data/" + file.path, type: .file, bytes: file.bytes) }
        }
        let report = try SnapshotImporter.importSnapshot(archive: archive, into: dir.path + "/target")
        #expect(report.imported.map(\.ulid) == [block.ulid])
        #expect(report.skippedEntries == ["data/wal/00000000", "data/lock", "data/queries.active"])
        #expect(try SnapshotFixtures.dump(dir.path + "/target") == SnapshotFixtures.dump(dir.path + "/source", maxt: report.imported[0].maxTime - 1))
    }
}

/// An entry that claims more bytes than the disk has free is refused from its header,
/// before anything is written (a tar header made by hand: libarchive would pad the claim).
struct OversizedClaimTests {
    /// A ustar header for a regular file `name` claiming `size` bytes (base-256 size field).
    static func header(_ name: String, size: Int64) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { h[offset + i] = b } }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        h[124] = 0x80
        for i in 0..<8 { h[135 - i] = UInt8(truncatingIfNeeded: size >> (8 * i)) }
        put("00000000000", at: 136)
        h[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum), at: 148)
        h[154] = 0
        return h
    }

    @Test func claimLargerThanTheFreeSpaceIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "snapshot-claim")
        let archive = dir.path + "/claim.tar"
        let name = "01HF7XJCR03HZ2A27YZ0D109RQ/chunks/000001"
        try Data(Self.header(name, size: 1 << 50) + [UInt8](repeating: 0, count: 1024)).write(to: URL(fileURLWithPath: archive))
        let target = dir.path + "/target"
        let error = try #require(throws: SnapshotError.self) {
            try SnapshotImporter.importSnapshot(archive: archive, into: target, limits: SnapshotLimits(maximumEntrySize: .max))
        }
        #expect("\(error)".contains(name), "\(error)")
        #expect("\(error)".contains("free"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
