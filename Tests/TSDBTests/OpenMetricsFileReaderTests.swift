import Exposition
import Foundation
import TestSupport
import Testing
@testable import TSDB

/// Reading an OpenMetrics file in pieces gives exactly what parsing it whole gives,
/// errors included, whatever the piece size.
struct OpenMetricsFileReaderTests {
    static func whole(_ text: String) -> (entries: [ExpositionEntry], error: ExpositionError?) {
        var parser = OpenMetricsParser(text)
        var entries: [ExpositionEntry] = []
        do {
            while let e = try parser.next() { entries.append(e) }
            return (entries, nil)
        } catch {
            return (entries, error)
        }
    }

    static func pieces(_ text: String, pieceSize: Int) throws -> (entries: [ExpositionEntry], error: ExpositionError?) {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/in.om"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var reader = try OpenMetricsFileReader(path: path, pieceSize: pieceSize)
        defer { reader.close() }
        var entries: [ExpositionEntry] = []
        do {
            while let e = try reader.next() { entries.append(e) }
            return (entries, nil)
        } catch {
            guard case let .parse(e) = error else { throw error }
            return (entries, e)
        }
    }

    static let inputs: [String] = [
        BlockReaderTests.openMetricsInput(seriesPerMetric: 2, hours: 1),
        "# TYPE a gauge\na 1 1\n# EOF",                 // no newline after EOF
        "# TYPE a gauge\na 1 1\n# EOF\n",
        "# TYPE a gauge\na 1 1\n",                      // missing EOF
        "# TYPE a gauge\na 1 1\n# EOF\nb 2 2\n",        // content after EOF
        "# TYPE a gauge\na{x=\"" + String(repeating: "y", count: 500) + "\"} 1 1\n# EOF\n",  // a line longer than a piece
        "# TYPE a gauge\na 1 1\nbad line\n# EOF\n",     // a syntax error with its line number
        "",
    ]

    @Test(arguments: [7, 64, 100, 4096, 1 << 20])
    func piecesReadLikeTheWhole(pieceSize: Int) throws {
        for input in Self.inputs {
            let expected = Self.whole(input)
            let actual = try Self.pieces(input, pieceSize: pieceSize)
            #expect(actual.entries == expected.entries, "piece size \(pieceSize): \(input.prefix(40).debugDescription)")
            #expect(actual.error?.line == expected.error?.line, "piece size \(pieceSize): \(input.prefix(40).debugDescription): \(String(describing: actual.error)) vs \(String(describing: expected.error))")
            #expect((actual.error == nil) == (expected.error == nil))
        }
    }
}
