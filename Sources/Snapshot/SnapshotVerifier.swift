import Foundation
import TSDB

/// A block of a snapshot that passed every check.
public struct VerifiedBlock: Sendable, Hashable {
    public var meta: BlockMeta
    public var verification: BlockVerification
    /// Where the block was unpacked.
    public var directory: String
}

/// The result of checking a whole snapshot.
public struct SnapshotVerification: Sendable, Hashable {
    /// The manifest (nil for a plain tar of Prometheus blocks).
    public var manifest: SnapshotManifest?
    public var blocks: [VerifiedBlock]
    /// Entries of a Prometheus data directory that are not blocks, skipped.
    public var skippedEntries: [String]
    /// Bytes of block files.
    public var bytes: Int64
}

/// Checks a snapshot completely: every entry (see ``SnapshotExtractor``), every checksum
/// of the manifest, and every block's structure, index and chunk CRCs (``Block/verify(decodingSamples:)``).
public enum SnapshotVerifier {
    /// Unpacks `archive` into a temporary folder under `temporaryDirectory`, checks it, and
    /// removes the folder again, whatever happens.
    /// `deep` also decodes every sample (see ``Block/verify(decodingSamples:)``).
    public static func verify(
        archive: String, limits: SnapshotLimits = SnapshotLimits(), deep: Bool = false,
        temporaryDirectory: String = NSTemporaryDirectory(), progress: SnapshotProgressHandler? = nil
    ) throws(SnapshotError) -> SnapshotVerification {
        let root = try makeStagingFolder(in: temporaryDirectory, name: "hindsight-verify")
        defer { try? FileManager.default.removeItem(atPath: root) }
        return try unpack(archive: archive, into: root, limits: limits, deep: deep, progress: progress)
    }

    /// Unpacks `archive` into the existing, empty folder `root` and verifies every block
    /// there; the blocks stay in `root` (one folder per ULID, readable as a data
    /// directory) for the caller, who removes `root` when done, also after an error.
    /// `durable` fsyncs the files as they are checked.
    public static func unpack(
        archive: String, into root: String, limits: SnapshotLimits, deep: Bool = false, durable: Bool = false,
        progress: SnapshotProgressHandler?
    ) throws(SnapshotError) -> SnapshotVerification {
        let archiveSize = (try? FileManager.default.attributesOfItem(atPath: archive)[.size] as? NSNumber)?.int64Value ?? 0
        let pipeline = VerificationPipeline(root: root, deep: deep, durable: durable)
        let staged: StagedSnapshot
        do {
            staged = try SnapshotExtractor.stage(archive: archive, into: root, limits: limits, progress: { read in
                progress?(SnapshotProgress(phase: .reading, done: read, total: archiveSize))
            }, fileStaged: pipeline.fileStaged)
        } catch {
            pipeline.abandon()
            throw error
        }
        progress?(SnapshotProgress(phase: .verifying, done: 0, total: Int64(staged.blocks.count)))
        let blocks = try pipeline.finish(staged.blocks, manifest: staged.manifest)
        return SnapshotVerification(manifest: staged.manifest, blocks: blocks, skippedEntries: staged.skippedEntries, bytes: staged.bytes)
    }

    /// Opens and fully reads one staged block; with a manifest, its range and counts must
    /// be the ones the manifest gives.
    static func verifyBlock(_ ulid: String, in root: String, manifest: SnapshotManifest.Block?, deep: Bool) throws(SnapshotError) -> VerifiedBlock {
        let directory = root + "/" + ulid
        // A block without chunk segments (no samples) may come without its chunks/ folder.
        try? FileManager.default.createDirectory(atPath: directory + "/chunks", withIntermediateDirectories: true)
        let block: Block
        let verification: BlockVerification
        do throws(TSDBError) {
            block = try Block(directory: directory)
            verification = try block.verify(decodingSamples: deep)
        } catch {
            throw .invalidBlock(block: ulid, reason: describe(error, under: root))
        }
        let meta = block.meta
        guard meta.ulid == ulid else { throw .invalidBlock(block: ulid, reason: "its meta.json names the block \(meta.ulid)") }
        if let manifest {
            guard manifest.minTime == meta.minTime, manifest.maxTime == meta.maxTime else {
                throw .mismatch(entry: ulid + "/meta.json", reason: "range [\(meta.minTime), \(meta.maxTime)) differs from the manifest's [\(manifest.minTime), \(manifest.maxTime))")
            }
            guard manifest.numSeries == UInt64(verification.series), manifest.numChunks == UInt64(verification.chunks),
                  verification.histogramChunks > 0 || manifest.numSamples == UInt64(verification.samples) else {
                throw .mismatch(entry: ulid, reason: "holds \(verification.series) series, \(verification.chunks) chunks and \(verification.samples) samples; the manifest says \(manifest.numSeries), \(manifest.numChunks) and \(manifest.numSamples)")
            }
        }
        return VerifiedBlock(meta: meta, verification: verification, directory: directory)
    }

    /// A TSDB error with the staging folder cut from its paths, so it names the entry.
    static func describe(_ error: TSDBError, under root: String) -> String {
        "\(error)".replacingOccurrences(of: root + "/", with: "")
    }

    /// A new, empty folder `<directory>/<name>-<random>.tmp-for-creation` (the suffix
    /// makes the TSDB remove it, should the process die before it does).
    static func makeStagingFolder(in directory: String, name: String) throws(SnapshotError) -> String {
        let path = directory.hasSuffix("/") ? directory : directory + "/"
        let folder = path + name + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp-for-creation"
        guard mkdir(folder, 0o755) == 0 else {
            throw .io(path: folder, reason: "cannot create the staging folder: \(String(cString: strerror(errno)))")
        }
        return folder
    }
}
