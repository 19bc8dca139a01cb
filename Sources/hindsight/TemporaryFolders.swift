import Foundation

/// Folders the process removes whenever it ends: normal return, `exit()` (error paths
/// call it), or SIGINT/SIGTERM/SIGHUP. Used for snapshots unpacked to replay from.
enum TemporaryFolders {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [String] = []
    nonisolated(unsafe) private static var installed = false

    /// Registers `path` for removal at exit.
    static func removeAtExit(_ path: String) {
        lock.withLock {
            paths.append(path)
            guard !installed else { return }
            installed = true
            atexit { TemporaryFolders.removeAll() }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber) { received in
                    TemporaryFolders.removeAll()
                    signal(received, SIG_DFL)
                    raise(received)
                }
            }
        }
    }

    /// Removes every registered folder now.
    static func removeAll() {
        let doomed = lock.withLock { () -> [String] in
            defer { paths = [] }
            return paths
        }
        for path in doomed { try? FileManager.default.removeItem(atPath: path) }
    }
}
