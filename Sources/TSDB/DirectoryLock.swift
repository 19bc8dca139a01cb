import Foundation

/// The `lock` file of a data directory, held with `flock` by whoever writes the directory
/// (a running server, an import), so that two writers never share it.
///
/// The lock is advisory and tied to the open file: it is released by ``release()``, on
/// deinit, or when the process ends, so a crashed writer never leaves it held.
public final class DirectoryLock: @unchecked Sendable {
    public let path: String
    private var descriptor: Int32

    /// Takes the lock of `directory` (creating the `lock` file when missing); throws when
    /// another process holds it.
    public init(directory: String) throws(TSDBError) {
        path = directory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Foundation.close(fd)
            throw .io(path: path, reason: "the data directory is in use by another process (its lock file is held)")
        }
        descriptor = fd
    }

    /// Releases the lock; later calls do nothing.
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        Foundation.close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
