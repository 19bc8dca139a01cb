import Foundation

/// Verifies staged blocks while the archive is still being read: a block of a snapshot
/// with a manifest is checked on a second thread as soon as its last listed file is
/// staged, so reading and checking overlap; blocks of archives without a manifest (whose
/// entries may come in any order) are checked at the end, several at once.
final class VerificationPipeline: @unchecked Sendable {
    private let root: String
    private let deep: Bool
    private let queue = DispatchQueue(label: "hindsight.snapshot.verify")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var filesLeft: [String: Int]?
    private var submitted = Set<String>()
    private var results: [String: Result<VerifiedBlock, SnapshotError>] = [:]

    init(root: String, deep: Bool) {
        self.root = root
        self.deep = deep
    }

    /// Called by the extractor for every staged (and manifest-checked) block file.
    func fileStaged(_ ulid: String, manifest: SnapshotManifest?) {
        guard let manifest else { return }
        let complete = lock.withLock { () -> Bool in
            if filesLeft == nil { filesLeft = Dictionary(uniqueKeysWithValues: manifest.blocks.map { ($0.ulid, $0.files.count) }) }
            guard let left = filesLeft?[ulid] else { return false }
            filesLeft?[ulid] = left - 1
            return left == 1
        }
        guard complete else { return }
        let block = manifest.blocks.first { $0.ulid == ulid }
        lock.withLock { _ = submitted.insert(ulid) }
        group.enter()
        queue.async { [root, deep] in
            let result = Result { () throws(SnapshotError) in try SnapshotVerifier.verifyBlock(ulid, in: root, manifest: block, deep: deep) }
            self.lock.withLock { self.results[ulid] = result }
            self.group.leave()
        }
    }

    /// Waits for checks in flight (before the caller removes the staging folder).
    func abandon() { group.wait() }

    /// Checks the blocks not yet checked, and returns all of them in `blocks`' order, or
    /// throws the first failure in that order.
    func finish(_ blocks: [String], manifest: SnapshotManifest?) throws(SnapshotError) -> [VerifiedBlock] {
        group.wait()
        let rest = lock.withLock { blocks.filter { !submitted.contains($0) } }
        DispatchQueue.concurrentPerform(iterations: rest.count) { index in
            let ulid = rest[index]
            let listed = manifest?.blocks.first { $0.ulid == ulid }
            let result = Result { () throws(SnapshotError) in try SnapshotVerifier.verifyBlock(ulid, in: root, manifest: listed, deep: deep) }
            lock.withLock { results[ulid] = result }
        }
        let collected = lock.withLock { blocks.compactMap { results[$0] } }
        var verified: [VerifiedBlock] = []
        for result in collected { verified.append(try result.get()) }
        return verified
    }
}
