import Exposition
import Foundation
import TestSupport
import Testing

/// No byte sequence crashes either parser or the OpenMetrics validator: every failure is
/// a thrown ``ExpositionError`` with a line and column inside the input.
@Suite(.enabled(if: Conformance.shouldRun))
struct FuzzTests {
    /// Seeds: every OpenMetrics case plus slices of Prometheus's textparse inputs.
    static func seeds() throws -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        let root = Conformance.url("openmetrics/parsers")
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            seeds.append(Array(try Data(contentsOf: root.appendingPathComponent(name).appendingPathComponent("metrics"))))
        }
        for file in ["alltypes.237mfs.prom.txt", "alltypes.5mfs.om.txt", "1histogram.om.txt"] {
            let bytes = try Conformance.bytes("textparse/" + file)
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 600)
                seeds.append(Array(bytes[start..<end]))
                start = end
            }
        }
        return seeds
    }

    /// Bytes that matter to the grammars, to splice in.
    static let interesting: [[UInt8]] = [
        "{", "}", "\"", "\\", "=", ",", " ", "\t", "\n", "#", "# ", "# EOF\n", "# HELP ", "# TYPE ", "# UNIT ",
        "_total", "_bucket", "le=\"+Inf\"", "NaN", "+Inf", "-1", "1e400", "0x1p3", "\u{0}", "☃", "é",
        "# {a=\"b\"} 1 1", "counter", "histogram", "stateset", "info",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x98], [0x80]]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty:  // flip a bit
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !bytes.isEmpty:  // delete a range
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                let n = Int.random(in: 1...min(8, bytes.count - i), using: &rng)
                bytes.removeSubrange(i..<(i + n))
            case 2:  // insert an interesting token
                let i = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: interesting.randomElement(using: &rng) ?? [], at: i)
            case 3 where !bytes.isEmpty:  // random byte
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 4 where !bytes.isEmpty:  // truncate
                bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
            case 5 where bytes.count > 2:  // duplicate a slice
                let i = Int.random(in: 0..<(bytes.count - 1), using: &rng)
                let j = Int.random(in: (i + 1)...bytes.count, using: &rng)
                bytes.insert(contentsOf: bytes[i..<j], at: Int.random(in: 0...bytes.count, using: &rng))
            default:
                break
            }
        }
        return bytes
    }

    static func random(_ rng: inout SplitMix64) -> [UInt8] {
        let n = Int.random(in: 0..<96, using: &rng)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(n)
        while bytes.count < n {
            if Bool.random(using: &rng) {
                bytes.append(contentsOf: interesting.randomElement(using: &rng) ?? [])
            } else {
                bytes.append(UInt8.random(in: 0...127, using: &rng))
            }
        }
        return bytes
    }

    /// Runs one input through both parsers and the strict checker; returns the errors'
    /// places for validation.
    static func exercise(_ input: [UInt8]) -> [ExpositionError] {
        var errors: [ExpositionError] = []
        var text = TextParser(input)
        do { while try text.next() != nil {} } catch { errors.append(error) }
        var om = OpenMetricsParser(input)
        do { while try om.next() != nil {} } catch { errors.append(error) }
        if let error = ExpositionChecker.check(input, format: .openMetrics).error { errors.append(error) }
        if let error = ExpositionChecker.check(input, format: .text).error { errors.append(error) }
        return errors
    }

    @Test func hundredThousandInputsNeverCrash() throws {
        let seeds = try Self.seeds()
        var rng = SplitMix64(state: 0x4849_4E44_5349_4748)  // "HINDSIGH"
        var inputs = 0, failures = 0
        for i in 0..<100_000 {
            let input = i % 4 == 0 ? Self.random(&rng) : Self.mutate(seeds[Int.random(in: 0..<seeds.count, using: &rng)], &rng)
            let lines = input.count { $0 == UInt8(ascii: "\n") } + 1
            for error in Self.exercise(input) {
                failures += 1
                if error.line < 1 || error.line > lines || error.column < 1 {
                    Issue.record("error outside the input (\(lines) lines): \(error) for \(input)")
                }
            }
            inputs += 1
        }
        #expect(inputs == 100_000)
        #expect(failures > 50_000, "mutations should mostly be rejected; got \(failures)")
    }
}
