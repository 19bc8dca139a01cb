import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Model
import Rules
import Testing
import TSDB
@testable import Replay

/// `hindsight replay --format html`: page structure, escaping, determinism, well-formed SVG,
/// and (when Chromium is installed) that the page renders to a non-blank screenshot.
@Suite struct ReplayHTMLTests {
    static let hostile = "<script>alert(1)</script> & \"q\" 'a'"

    static let rules = """
        groups:
          - name: cpu
            interval: 1m
            rules:
              - record: cpu:max
                expr: max(cpu)
              - alert: HighCPU
                expr: cpu > 50
                for: 5m
                labels:
                  severity: page
                  note: "<script>alert(2)</script>"
                annotations:
                  summary: "{{ $labels.host }} at {{ $value }} <b>hot</b>"
              - alert: Down
                expr: absent(cpu{host="a"})
              - alert: Never
                expr: cpu > 1000
        """

    /// Two hosts over an hour: `a` above 50 from minute 10 to 30, the hostile host briefly at 80.
    static func data() throws -> ReplayFixture {
        let a = perMinute((0...60).map { i -> Double? in (10..<30).contains(i) ? 100 + Double(i) : 10 })
        let b = perMinute((0...60).map { i -> Double? in (40..<43).contains(i) ? 80 : 20 + Double(i % 5) })
        return try ReplayFixture([
            (Labels(["__name__": "cpu", "host": "a"]), a),
            (Labels(["__name__": "cpu", "host": Self.hostile]), b),
        ])
    }

    static func render(_ data: ReplayFixture, from: Int64 = 0, to: Int64 = minutes(60)) throws -> (ReplayReport, String) {
        let path = try data.ruleFile(rules)
        let files = try RuleFileLoader.load(paths: [path])
        let db = try ReadOnlyDB(directory: data.path)
        let configuration = ReplayConfiguration(from: from, to: to, alignment: .start, dataStart: 0)
        let report = try Replayer(files: files, data: db, configuration: configuration).run()
        return (report, report.html(files: files, configuration: configuration))
    }

    static func svgs(_ html: String, class name: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(name)\"") {
            guard let end = rest[start.upperBound...].range(of: "</svg>") else { break }
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    @Test func pageHasHeaderSummaryTimelinesAndPlots() throws {
        let (report, html) = try Self.render(try Self.data())
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</body>\n</html>\n"))
        #expect(html.contains("<dt>Range</dt><dd>1970-01-01T00:00:00Z .. 1970-01-01T01:00:00Z (1h)</dd>"))
        #expect(html.contains("<dt>Group evaluations</dt><dd>\(report.evaluations)</dd>"))
        #expect(html.contains("rules.yml</code>"))
        // The summary: one row per rule, the figures of the text report.
        #expect(html.contains("<tr><td>cpu:max</td><td>record</td><td>cpu</td><td class=\"n\">-</td>"))
        #expect(html.contains("<tr><td><a href=\"#rule-1\">HighCPU</a></td><td>alert</td><td>cpu</td><td class=\"n\">1</td><td class=\"n\">2</td><td class=\"n\">15m</td>"))
        #expect(html.contains("<tr class=\"never\"><td><a href=\"#rule-3\">Never</a></td>"))
        #expect(html.contains("<p>Never fired: <code>Down</code>, <code>Never</code></p>"))
        // One section, one timeline and one plot per alerting rule, in rule order.
        #expect(Self.svgs(html, class: "timeline").count == 3)
        #expect(Self.svgs(html, class: "plot").count == 3)
        let sections = ["rule-1", "rule-2", "rule-3"].map { html.range(of: "<section class=\"rule\" id=\"\($0)\">") }
        #expect(sections.allSatisfy { $0 != nil })
        #expect(sections.compactMap { $0?.lowerBound } == sections.compactMap { $0?.lowerBound }.sorted())
        // HighCPU's timeline: a row per instance, its pending and firing bands with times.
        let timeline = Self.svgs(html, class: "timeline")[0]
        #expect(timeline.contains("{host=&quot;a&quot;}"))
        #expect(timeline.contains("<rect class=\"pending\""))
        #expect(timeline.contains("<rect class=\"firing\""))
        #expect(timeline.contains("firing: pending 1970-01-01T00:10:00Z, firing 1970-01-01T00:15:00Z, resolved 1970-01-01T00:30:00Z"))
        #expect(timeline.contains(">00:30</text>"))
        // HighCPU's plot: the compared side over the whole range, the threshold, shading.
        let plot = Self.svgs(html, class: "plot")[0]
        #expect(plot.contains("<line class=\"threshold\""))
        #expect(plot.contains("<rect class=\"firing\""))
        #expect(plot.components(separatedBy: "<path class=\"series\"").count - 1 == 2)
        #expect(html.contains("Value of <code>cpu</code>; the alert condition <code>&gt; 50</code> is the dashed line"))
        // Never's timeline says it was quiet; the episode table lists the episode.
        #expect(Self.svgs(html, class: "timeline")[2].contains("no alert was pending or firing in the range"))
        #expect(html.contains("<h2>Alert timeline: \(report.alerts.count) episode"))
        #expect(!html.contains("<script"))
    }

    @Test func labelAndAnnotationTextIsEscaped() throws {
        let (_, html) = try Self.render(try Self.data())
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>hot"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\&quot;q\\&quot; &#39;a&#39;"))
        #expect(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
        #expect(html.contains("&lt;b&gt;hot&lt;/b&gt;"))
        #expect(HTMLEscape.text("a\u{1}b<\u{7}") == "a\u{FFFD}b&lt;\u{FFFD}")
        #expect(HTMLEscape.text("plain ünïcode\t") == "plain ünïcode\t")
    }

    @Test func sameInputsGiveTheSameBytes() throws {
        let data = try Self.data()
        let (_, first) = try Self.render(data)
        let (_, second) = try Self.render(data)
        #expect(first == second)
        let (_, other) = try Self.render(try Self.data())
        #expect(first.replacingOccurrences(of: data.path, with: "") == other.replacingOccurrences(of: try #require(Self.dataPath(other)), with: ""))
        // No generation date, fixed-point coordinates.
        #expect(!first.contains("Generated"))
        #expect(FixedPoint.coordinate(1.005) == "1" || FixedPoint.coordinate(1.005) == "1.01")
        #expect(FixedPoint.coordinate(12.5) == "12.5")
        #expect(FixedPoint.coordinate(-0.004) == "0")
        #expect(FixedPoint.coordinate(-3.25) == "-3.25")
        #expect(FixedPoint.coordinate(7.06) == "7.06")
    }

    /// The temporary directory a page names in its rule file list.
    static func dataPath(_ html: String) -> String? {
        guard let end = html.range(of: "/rules.yml</code>"),
              let start = html[..<end.lowerBound].range(of: "<code>", options: .backwards)
        else { return nil }
        return String(html[start.upperBound..<end.lowerBound])
    }

    @Test func pageAndEverySVGAreWellFormedXML() throws {
        let (_, html) = try Self.render(try Self.data())
        try Self.expectWellFormed(html, what: "the page")
        let svgs = Self.svgs(html, class: "timeline") + Self.svgs(html, class: "plot")
        #expect(svgs.count == 6)
        for svg in svgs { try Self.expectWellFormed(svg, what: "an SVG") }
    }

    static func expectWellFormed(_ text: String, what: String) throws {
        let parser = XMLParser(data: Data(text.utf8))
        let ok = parser.parse()
        #expect(ok, "\(what) is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
    }

    @Test func timeAndValueTicksAreRound() {
        let ticks = SVGAxes.timeTicks(from: 0, to: minutes(60))
        #expect(ticks.map(\.label) == ["00:00", "00:10", "00:20", "00:30", "00:40", "00:50", "01:00"])
        #expect(ticks.map(\.secondLine) == ["1970-01-01", nil, nil, nil, nil, nil, nil])
        let days = SVGAxes.timeTicks(from: 0, to: 3 * 86_400_000 - 1)
        #expect(days.filter { $0.secondLine != nil }.count == 3)
        let values = SVGAxes.valueTicks(low: 0.13, high: 0.97)
        #expect(values.ticks.map(\.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        #expect(SVGAxes.valueTicks(low: 5, high: 5).ticks.count >= 2)
    }

    @Test func timelineAndPlotsAreCapped() throws {
        // 25 instances: the timeline draws 40 rows at most, the plot 20 series at most.
        var series: [(Labels, [(Int64, Double)])] = []
        for i in 0..<25 {
            series.append((Labels(["__name__": "cpu", "host": "h\(i < 10 ? "0" : "")\(i)"]), perMinute(Array(repeating: 100, count: 20))))
        }
        let data = try ReplayFixture(series)
        let (_, html) = try Self.render(data, to: minutes(19))
        let plot = Self.svgs(html, class: "plot")[0]
        #expect(plot.components(separatedBy: "<path class=\"series\"").count - 1 == ReplayReport.htmlMaxPlotSeries)
        #expect(html.contains("Showing 20 of 25 series"))
        let timeline = Self.svgs(html, class: "timeline")[0]
        #expect(timeline.components(separatedBy: "<g class=\"instance\">").count - 1 == 25)
    }

    // MARK: rendering in headless Chromium

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var chromium: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    /// The `hindsight` binary built next to this test bundle.
    static var hindsight: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("hindsight").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install -y chromium): screenshot check skipped"),
          .enabled(if: hindsight != nil, "no hindsight binary beside the test bundle (swift build first): screenshot check skipped"))
    func rendersInHeadlessChromium() throws {
        let process = Process()
        process.executableURL = Self.repository.appendingPathComponent("scripts/check-html-report")
        var environment = ProcessInfo.processInfo.environment
        environment["HINDSIGHT"] = Self.hindsight
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "scripts/check-html-report failed:\n\(text)")
        #expect(text.contains("check-html-report: OK"))
    }
}
