import Foundation
import TestSupport
import Testing
@testable import TSDB

/// A data directory written by real Prometheus (Debian's 2.42): its snappy-compressed WAL
/// reads exactly as promtool reads it.
@Suite(.serialized, .enabled(if: Subprocess.which("prometheus") != nil || Conformance.isCI))
struct PrometheusDataTests {
    @Test func dumpOfAPrometheusWALEqualsPromtool() throws {
        let prometheus = try #require(Subprocess.which("prometheus"), "prometheus is not installed (scripts/setup installs it)")
        let promtool = try #require(Subprocess.which("promtool"))
        let dir = try TemporaryDirectory(prefix: "hindsight-prom")
        let config = dir.path + "/prometheus.yml"
        // Scrape a port nobody listens on: `up` and the scrape_* series get a sample a second.
        try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: nothing
                static_configs: [{targets: ['127.0.0.1:1']}]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let data = dir.path + "/data"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prometheus)
        process.arguments = ["--config.file=\(config)", "--storage.tsdb.path=\(data)", "--web.listen-address=127.0.0.1:0"]
        let log = dir.path + "/prometheus.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        // Wait until it serves (startup is slow on a busy machine), then let it scrape a few
        // times: Prometheus hands targets to the scrape manager only every 5 s.
        for _ in 0..<600 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("Server is ready to receive web requests") { break }
            usleep(100_000)
        }
        sleep(9)
        process.terminate()
        process.waitUntilExit()

        let theirs = try Subprocess.run(promtool, ["tsdb", "dump", data])
        let ours = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "dump", data])
        #expect(theirs.status == 0, "\(theirs.stderr)")
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == theirs.stdout)
        #expect(ours.stdout.contains("{__name__=\"up\", instance=\"127.0.0.1:1\", job=\"nothing\"} 0 "))
    }
}
