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
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        sleep(6)
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
