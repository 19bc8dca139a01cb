import Foundation

/// Debian's `prometheus` started for a test: on a loopback port of its own, its log in a
/// file, stopped when the value goes away.
public final class PrometheusServer {
    /// A configuration that scrapes a port nobody listens on every second, so that `up`
    /// and the `scrape_*` series get a sample a second.
    public static let scrapeNothingConfig = """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: nothing
            static_configs: [{targets: ['127.0.0.1:1']}]
        """

    public let port: Int
    /// The log file (Prometheus logs to standard error).
    public let log: String
    private let process = Process()

    /// Starts `prometheus` with `config` (YAML text, written beside the log) over the data
    /// directory `data`, with `arguments` added; waits until it serves (up to a minute).
    public init(executable: String, config: String, data: String, in directory: String, arguments: [String] = []) throws {
        port = try LoopbackPort.free()
        let configPath = directory + "/prometheus.yml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        log = directory + "/prometheus.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--config.file=\(configPath)", "--storage.tsdb.path=\(data)", "--web.listen-address=127.0.0.1:\(port)"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
    }

    /// Waits until the server says it is ready (slow on a busy machine); false when it
    /// exited or a minute passed.
    public func waitUntilReady() -> Bool {
        for _ in 0..<600 {
            if logText.contains("Server is ready to receive web requests") { return true }
            if !process.isRunning { return false }
            usleep(100_000)
        }
        return false
    }

    public var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Stops the server and waits for it to exit.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
