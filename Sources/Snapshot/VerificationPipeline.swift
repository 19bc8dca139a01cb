import Foundation

/// Checks staged blocks while the archive is still being read: a block of a snapshot with
/// a manifest is checked on another thread as soon as its last listed file is staged
/// (SHA-256 of every file against the manifest, then its structure and CRCs), so that
/// decompression, extraction and checking run on different cores. Blocks of archives
/// without a manifest (whose entries may come in any order) are checked at the end,
/// several at once.
final class VerificationPipeline: @unchecked Sendable {
    private let root: String
    private let deep: Bool
    private let durable: Bool
    private let queue = DispatchQueue(label: "hindsight.snapshot.verify")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var filesLeft: [String: Int]?
    private var staged: [String: [StagedFile]] = [:]
    private var submitted = Set<String>()
    private var results: [String: Result<VerifiedBlock, SnapshotError>] = [:]

    /// `durable` fsyncs every checked file, so that writing back to disk overlaps the
    /// rest of the extraction (an import needs that before moving the blocks in).
    init(root: String, deep: Bool, durable: Bool) {
        self.root = root
        self.deep = deep
        self.durable = durable
    }

    /// Called by the extractor for every staged block file.
    func fileStaged(_ file: StagedFile, manifest: SnapshotManifest?) {
        let complete = lock.withLock { () -> [StagedFile]? in
            staged[file.ulid, default: []].append(file)
            guard let manifest else { return nil }
            if filesLeft == nil { filesLeft = Dictionary(uniqueKeysWithValues: manifest.blocks.map { ($0.ulid, $0.files.count) }) }
            guard let left = filesLeft?[file.ulid] else { return nil }
            filesLeft?[file.ulid] = left - 1
            guard left == 1 else { return nil }
            submitted.insert(file.ulid)
            return staged[file.ulid]
        }
        guard let files = complete, let manifest else { return }
        let listed = manifest.blocks.first { $0.ulid == file.ulid }
        group.enter()
        queue.async { [self] in
            let result = check(file.ulid, files: files, manifest: listed)
            lock.withLock { results[file.ulid] = result }
            group.leave()
        }
    }

    /// Waits for checks in flight (before the caller removes the staging folder).
    func abandon() { group.wait() }

    /// Checks the blocks not yet checked, and returns all of them in `blocks`' order, or
    /// throws the first failure in that order.
    func finish(_ blocks: [String], manifest: SnapshotManifest?) throws(SnapshotError) -> [VerifiedBlock] {
        group.wait()
        let rest = lock.withLock { blocks.filter { !submitted.contains($0) }.map { ($0, staged[$0] ?? []) } }
        DispatchQueue.concurrentPerform(iterations: rest.count) { index in
            let (ulid, files) = rest[index]
            let result = check(ulid, files: files, manifest: manifest?.blocks.first { $0.ulid == ulid })
            lock.withLock { results[ulid] = result }
        }
        let collected = lock.withLock { blocks.compactMap { results[$0] } }
        var verified: [VerifiedBlock] = []
        for result in collected { verified.append(try result.get()) }
        return verified
    }

    /// The checksums of a block's files, then the block itself.
    private func check(_ ulid: String, files: [StagedFile], manifest: SnapshotManifest.Block?) -> Result<VerifiedBlock, SnapshotError> {
        Result { () throws(SnapshotError) in
            for file in files {
                guard let expected = file.expectedSHA256 else { continue }
                guard try SHA256Digest.hex(ofFileAt: file.path, entry: file.entry, durable: durable) == expected else {
                    throw .mismatch(entry: file.entry, reason: "the content does not match its SHA-256 in the manifest (corrupt or altered)")
                }
            }
            return try SnapshotVerifier.verifyBlock(ulid, in: root, manifest: manifest, deep: deep)
        }
    }
}
