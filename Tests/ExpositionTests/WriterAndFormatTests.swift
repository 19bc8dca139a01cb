import Exposition
import Model
import Testing

struct WriterTests {
    @Test func writesTextFormatLikePrometheus() {
        let family = MetricFamily(
            name: "http_requests_total", type: .counter, help: "Requests \\ with\nnewline.",
            samples: [
                ExpositionSample(labels: ["__name__": "http_requests_total", "code": "200", "path": "/a\"b\\c\nd"], value: 1_027),
                ExpositionSample(labels: ["__name__": "http_requests_total", "code": "500"], value: 3e-7, timestamp: 1_395_066_363_000),
            ])
        let text = ExpositionWriter(format: .text).write([family])
        #expect(text == """
            # HELP http_requests_total Requests \\\\ with\\nnewline.
            # TYPE http_requests_total counter
            http_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 1027
            http_requests_total{code="500"} 3e-07 1395066363000

            """)
    }

    @Test func writesOpenMetrics() {
        let family = MetricFamily(
            name: "rpc_seconds", type: .histogram, help: "Latency \"quoted\".", unit: "seconds",
            samples: [
                ExpositionSample(labels: ["__name__": "rpc_seconds_bucket", "le": "+Inf"], value: 15,
                                 exemplar: Exemplar(labels: ["trace_id": "abc"], value: 0.25, timestamp: 1_726_839_814_223)),
                ExpositionSample(labels: ["__name__": "rpc_seconds_count"], value: 15, timestamp: 1_500),
                ExpositionSample(labels: ["__name__": "rpc_seconds_sum"], value: 2_000_000, timestamp: -1_500),
            ])
        let text = ExpositionWriter(format: .openMetrics).write([family])
        #expect(text == """
            # TYPE rpc_seconds histogram
            # UNIT rpc_seconds seconds
            # HELP rpc_seconds Latency \\"quoted\\".
            rpc_seconds_bucket{le="+Inf"} 15.0 # {trace_id="abc"} 0.25 1726839814.223
            rpc_seconds_count 15.0 1.500
            rpc_seconds_sum 2e+06 -1.500
            # EOF

            """)
    }

    @Test func quotesUTF8Names() throws {
        let sample = ExpositionSample(labels: ["__name__": "my.metric", "a.b": "c", "d": "e"], value: 1)
        let family = MetricFamily(name: "my.metric", type: .gauge, samples: [sample])
        for format in ExpositionFormat.allCases {
            let text = ExpositionWriter(format: format).write([family])
            #expect(text.contains("{\"my.metric\",\"a.b\"=\"c\",d=\"e\"} 1"))
            let back = try MetricFamilyCollector.collect(Array(text.utf8), format: format)
            #expect(back.first?.samples == [sample])
            #expect(back.first?.type == .gauge)
        }
    }

    /// Every millisecond timestamp survives OpenMetrics' seconds with Prometheus's truncation.
    @Test func openMetricsTimestampsRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        var stamps: [Int64] = [0, 1, -1, 999, -999, 1_726_839_814_223, -1_726_839_814_223, 4_102_444_800_123]
        for _ in 0..<20_000 { stamps.append(Int64.random(in: -5_000_000_000_000...5_000_000_000_000, using: &rng)) }
        for t in stamps {
            let text = "# TYPE a gauge\na 1 \(ExpositionWriterProbe.seconds(t))\n# EOF\n"
            var parser = OpenMetricsParser(text)
            let entries = try parser.readAll()
            guard case let .sample(s) = entries.last else { Issue.record("no sample for \(t)"); continue }
            #expect(s.timestamp == t, "\(t) written as \(ExpositionWriterProbe.seconds(t))")
        }
    }
}

/// Reaches the writer's timestamp formatting through a one-sample exposition.
enum ExpositionWriterProbe {
    static func seconds(_ t: Int64) -> String {
        let line = ExpositionWriter(format: .openMetrics).write([MetricFamily(name: "a", samples: [ExpositionSample(labels: ["__name__": "a"], value: 1, timestamp: t)])])
        let first = line.split(separator: "\n")[0]
        return String(first.split(separator: " ")[2])
    }
}

struct ContentTypeTests {
    @Test(arguments: [
        ("text/plain; version=0.0.4; charset=utf-8", ExpositionFormat.text),
        ("text/plain", .text),
        ("TEXT/PLAIN;version=0.0.4", .text),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        ("application/openmetrics-text;version=0.0.1", .openMetrics),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text; version=\"1.0.0\"", .openMetrics),
    ])
    func recognises(_ header: String, _ format: ExpositionFormat) {
        #expect(ExpositionFormat(contentType: header) == format)
    }

    @Test(arguments: [
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
        "text/html", "", "application/json", "text/plain; version=0.0.5", "application/openmetrics-text; version=2.0.0",
    ])
    func refusesUnsupported(_ header: String) {
        #expect(ExpositionFormat(contentType: header) == nil)
    }

    @Test func missingHeaderIsNil() {
        #expect(ExpositionFormat(contentType: nil) == nil)
    }

    @Test func picksTheMatchingParser() throws {
        var parser = try #require(ExpositionFormat(contentType: "application/openmetrics-text")).makeParser(Array("a 1\n# EOF\n".utf8))
        #expect(try parser.readAll().count == 1)
        var text = try #require(ExpositionFormat(contentType: "text/plain")).makeParser(Array("a 1\n# EOF\n".utf8))
        #expect(try text.readAll().count == 2)  // the sample and a comment
    }
}
