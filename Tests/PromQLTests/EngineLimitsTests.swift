import Model
import TSDB
import Testing
@testable import PromQL

/// The engine's limits: samples held, timeout and cancellation, each a clear error.
@Suite struct EngineLimitsTests {
    static func storage(series: Int, samples: Int) throws -> Head {
        let head = Head()
        var appender = head.appender()
        for s in 0..<series {
            let labels = Labels(["__name__": "m", "i": String(s)])
            for t in 0..<samples { try appender.append(labels, Int64(t) * 15_000, Double(t)) }
        }
        try appender.commit()
        return head
    }

    @Test func tooManySamplesIsAnError() throws {
        let head = try Self.storage(series: 10, samples: 100)
        var options = EngineOptions()
        options.maxSamples = 50
        let engine = Engine(options: options)
        // 10 series × 40 samples in a 10m window exceed 50.
        #expect(throws: QueryError.tooManySamples(limit: 50)) {
            try engine.instantQuery("m[10m]", at: 1_400_000, on: head)
        }
        // A range query holding 10 series × 61 steps exceeds it too.
        #expect(throws: QueryError.tooManySamples(limit: 50)) {
            try engine.rangeQuery("m", start: 0, end: 900_000, step: 15_000, on: head)
        }
        // Within the limit it works.
        options.maxSamples = 10_000
        let result = try Engine(options: options).instantQuery("sum(m)", at: 1_400_000, on: head)
        #expect(result.value == .vector([VectorSample(labels: .empty, timestamp: 1_400_000, value: 930)]))
        #expect(QueryError.tooManySamples(limit: 50).description == "query processing would load too many samples into memory in query execution")
    }

    @Test func cancellationAndTimeoutStopTheQuery() throws {
        let head = try Self.storage(series: 5, samples: 50)
        #expect(throws: QueryError.canceled) {
            try Engine().rangeQuery("rate(m[1m])", start: 0, end: 700_000, step: 1000, on: head, isCancelled: { true })
        }
        var options = EngineOptions()
        options.timeout = .zero
        #expect(throws: QueryError.timeout) {
            try Engine(options: options).instantQuery("m", at: 0, on: head)
        }
    }

    @Test func rangeQueryArgumentErrors() throws {
        let head = try Self.storage(series: 1, samples: 1)
        #expect(throws: QueryError.execution("zero or negative query resolution step widths are not accepted. Try a positive integer")) {
            try Engine().rangeQuery("m", start: 0, end: 10, step: 0, on: head)
        }
        #expect(throws: QueryError.execution("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")) {
            try Engine().rangeQuery("m[1m]", start: 0, end: 10, step: 1, on: head)
        }
    }
}
