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
        let data = dir.path + "/data"
        // Scrape a port nobody listens on: `up` and the scrape_* series get a sample a second.
        let server = try PrometheusServer(executable: prometheus, config: PrometheusServer.scrapeNothingConfig, data: data, in: dir.path)
        // Wait until it serves, then let it scrape a few times: Prometheus hands targets to
        // the scrape manager only every 5 s.
        _ = server.waitUntilReady()
        sleep(9)
        server.stop()

        let theirs = try Subprocess.run(promtool, ["tsdb", "dump", data])
        let ours = try Subprocess.run(BlockReaderTests.hindsight, ["tsdb", "dump", data])
        #expect(theirs.status == 0, "\(theirs.stderr)")
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == theirs.stdout)
        #expect(ours.stdout.contains("{__name__=\"up\", instance=\"127.0.0.1:1\", job=\"nothing\"} 0 "))
    }
}
