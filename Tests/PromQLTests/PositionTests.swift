import Testing
@testable import PromQL

@Suite struct PositionTests {
    @Test(arguments: [
        ("rate(metric[5m])", 5, "1:6"),
        ("a\n  + b", 4, "2:3"),
        ("x", 0, "1:1"),
    ])
    func lineColumn(query: String, offset: Int, expected: String) {
        #expect(PositionRange(start: offset, end: offset + 1).startLineColumn(in: query) == expected)
    }
}
