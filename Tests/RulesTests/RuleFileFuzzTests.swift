import Rules
import TestSupport
import Testing

/// Mutated rule files never crash the loader; it loads them or places every problem
/// inside the file.
struct RuleFileFuzzTests {
    static let seed = """
        groups:
          - name: api
            interval: 30s
            limit: 3
            labels: {team: core}
            rules:
              - record: job:http_requests:rate5m
                expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
              - alert: HighErrorRate
                expr: |
                  job:http_requests:rate5m
                    > on(job) group_left() job:threshold
                for: 10m
                labels: {severity: "page"}
                annotations:
                  summary: "High error rate on {{ $labels.job }}: {{ $value | humanize }}"
                  text: >
                    folded {{ .Labels.job }}
                    text
              - {alert: 'Quoted ''name''', expr: "up{a=\\"x\\"} == 0 and up{b=\\"\\u00e9\\"}"}

        """

    @Test func mutationsLoadOrArePlaced() throws {
        #expect(try RuleFileLoader.parse(Self.seed, path: "f.yml").groups[0].rules.count == 3)
        var random = SplitMix64(state: 0x5EED_0F_2025)
        let base = Array(Self.seed.utf8)
        let alphabet = Array("{}[]()\"'|>-:#&*!, \n\t\\abc0125mh=~".utf8)
        var loaded = 0
        for _ in 0..<1500 {
            var bytes = base
            for _ in 0..<(1 + random.below(3)) {
                let at = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes[at] = alphabet[random.below(alphabet.count)]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[random.below(alphabet.count)], at: at)
                }
            }
            let lineCount = bytes.count { $0 == UInt8(ascii: "\n") } + 1
            do {
                _ = try RuleFileLoader.parse(bytes, path: "f.yml")
                loaded += 1
            } catch {
                #expect(!error.diagnostics.isEmpty)
                for diagnostic in error.diagnostics {
                    guard let location = diagnostic.location else {
                        Issue.record("no place: \(diagnostic)\n\(String(decoding: bytes, as: UTF8.self))")
                        continue
                    }
                    #expect(location.line >= 1 && location.line <= lineCount + 1, "\(diagnostic)")
                    #expect(location.column >= 1, "\(diagnostic)")
                }
            }
        }
        #expect(loaded > 0)
    }
}
