import Foundation

/// Finds the upstream conformance corpus (`../shared/conformance` beside the package,
/// or `$HINDSIGHT_CONFORMANCE`). Suites that need it are skipped loudly when it is
/// absent, except under `CI=true`, where absence must fail.
public enum Conformance {
    /// The package root, derived from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The corpus directory, if present.
    public static let directory: URL? = {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let path = environment["HINDSIGHT_CONFORMANCE"], !path.isEmpty {
            candidates.append(URL(fileURLWithPath: path))
        }
        candidates.append(packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance"))
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("SOURCE.md").path) {
            return candidate
        }
        return nil
    }()

    /// Whether we run under CI, where missing inputs are failures rather than skips.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether conformance suites should run: the corpus is here, or CI demands it
    /// (they then fail on the missing files). Prints the loud skip message otherwise.
    public static var shouldRun: Bool {
        if directory != nil || isCI { return true }
        warnOnce
        return false
    }

    private static let warnOnce: Void = {
        FileHandle.standardError.write(Data("""
            ********************************************************************************
            WARNING: conformance corpus not found (../shared/conformance or $HINDSIGHT_CONFORMANCE).
            Conformance suites are SKIPPED. Run scripts/fetch-conformance to fetch it.
            ********************************************************************************

            """.utf8))
    }()

    /// A file or folder inside the corpus.
    public static func url(_ relativePath: String) -> URL {
        (directory ?? packageRoot.appendingPathComponent("missing-conformance")).appendingPathComponent(relativePath)
    }

    /// The bytes of a corpus file.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relativePath)))
    }
}

/// Runs an external program and captures its output.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum Subprocess {
    /// Runs `executable` with `arguments`, feeding `input` on standard input.
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async {
            errBox.data = errHandle.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The full path of a program on PATH, if installed.
    public static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = String(dir) + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// A small, fast, seeded random generator (SplitMix64), so that randomized tests reproduce.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A temporary folder, removed when the value goes away.
public final class TemporaryDirectory {
    public let path: String

    public init(prefix: String = "hindsight-test") throws {
        path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension SplitMix64 {
    /// A uniformly distributed integer in 0..<n.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

/// Network helpers for tests that start real servers.
public enum LoopbackPort {
    /// A TCP port on 127.0.0.1 that the kernel just handed out, so that tests running in
    /// parallel in one process do not pick the same one.
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
