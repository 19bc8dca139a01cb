import Foundation
import TSDB

/// A block about to go into a snapshot: its files opened up front, so that the snapshot
/// reads what was there when it began even if the block is deleted meanwhile.
final class SourceBlock {
    struct File {
        /// The entry path: `<ulid>/<path inside the block>`.
        var entry: String
        var descriptor: Int32
        var size: Int64
        var modificationTime: Int
    }

    let meta: BlockMeta
    let files: [File]
    let counts: (series: UInt64, samples: UInt64, chunks: UInt64)

    init(directory: String, meta: BlockMeta) throws(SnapshotError) {
        self.meta = meta
        var names = ["meta.json", "index"]
        if FileManager.default.fileExists(atPath: directory + "/tombstones") { names.append("tombstones") }
        let segments = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/chunks")) ?? [])
            .filter { $0.utf8.count == 6 && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        names += segments.map { "chunks/" + $0 }
        var files: [File] = []
        for name in names.sorted() {
            let path = directory + "/" + name
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                for file in files { close(file.descriptor) }
                throw .io(path: path, reason: "cannot open (was the block deleted while the snapshot began? try again): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            fstat(fd, &info)
            files.append(File(entry: meta.ulid + "/" + name, descriptor: fd, size: Int64(info.st_size), modificationTime: Int(info.st_mtim.tv_sec)))
        }
        self.files = files
        if let stats = meta.stats, let series = stats.numSeries, let samples = stats.numSamples, let chunks = stats.numChunks {
            counts = (series, samples, chunks)
        } else {
            // No statistics: count by reading the block (which also checks it).
            let verification: BlockVerification
            do { verification = try Block(directory: directory).verify() } catch {
                for file in files { close(file.descriptor) }
                throw .invalidBlock(block: meta.ulid, reason: "\(error)")
            }
            counts = (UInt64(verification.series), UInt64(verification.samples), UInt64(verification.chunks))
        }
    }

    deinit { for file in files { close(file.descriptor) } }
}

/// SHA-256 of open files, several at once.
enum FileHasher {
    /// The hex digests of `files` (descriptor, size, name for errors), in order.
    /// `progress` hears the bytes hashed so far, from one thread at a time.
    static func sha256(of files: [(descriptor: Int32, size: Int64, name: String)], progress: @escaping (Int64) -> Void) throws(SnapshotError) -> [String] {
        let state = State(count: files.count, progress: progress)
        let threads = max(1, min(files.count, ProcessInfo.processInfo.activeProcessorCount))
        // Largest first, so that one big file does not run alone at the end.
        let order = files.indices.sorted { files[$0].size > files[$1].size }
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let position = state.take(below: order.count) {
                let index = order[position]
                let file = files[index]
                let digest = SHA256Digest()
                do throws(SnapshotError) {
                    try forEachChunk(of: file.descriptor, size: file.size, name: file.name) { chunk in
                        digest.update(chunk)
                        state.advance(by: chunk.count)
                    }
                } catch {
                    state.fail(error)
                    return
                }
                state.record(digest.finalize(), at: index)
            }
        }
        return try state.result()
    }

    /// What the hashing threads share, behind one lock.
    private final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var digests: [String]
        private var failure: SnapshotError?
        private var done: Int64 = 0
        private var next = 0
        private let progress: (Int64) -> Void

        init(count: Int, progress: @escaping (Int64) -> Void) {
            digests = [String](repeating: "", count: count)
            self.progress = progress
        }

        /// Hands out 0, 1, 2, … to whichever thread asks, until a failure.
        func take(below limit: Int) -> Int? {
            lock.withLock {
                guard failure == nil, next < limit else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func advance(by n: Int) {
            lock.withLock {
                done += Int64(n)
                progress(done)
            }
        }

        func record(_ digest: String, at index: Int) { lock.withLock { digests[index] = digest } }
        func fail(_ error: SnapshotError) { lock.withLock { failure = failure ?? error } }

        func result() throws(SnapshotError) -> [String] {
            if let failure { throw failure }
            return digests
        }
    }
}
