import Foundation
import Testing
import TestSupport
@testable import PromQL

/// The queries of the conformance corpus: Prometheus's promqltest scripts and the
/// PromQL compliance query list.
enum ParserCorpus {
    struct Query: Sendable, CustomStringConvertible {
        var file: String
        var line: Int
        var text: String
        /// Followed by `expect fail`, or an `eval_fail` / `should_fail: true` query.
        var expectFail: Bool
        var failMessage: String?

        var description: String { "\(file):\(line): \(text)" }
    }

    /// Script files whose features Hindsight's parser does not have; their queries may
    /// fail to parse (with Prometheus's "not enabled" wording). None today: the last two,
    /// `extended_vectors.test` and `fill-modifier.test`, left when `anchored`/`smoothed`
    /// and the `fill` modifiers landed.
    static let unsupportedFiles: Set<String> = []

    /// Syntax the AST cannot represent yet, used outside those files: the native-histogram
    /// trim operators `</` and `>/` (no `BinaryOp` case), and `start_timestamp()` (start
    /// timestamps are not stored, so the function is not in the table).
    static func usesUnsupportedSyntax(_ query: String) -> Bool {
        query.contains("</") || query.contains(">/") || query.contains("start_timestamp(")
    }

    static let scripts: [Query] = {
        guard let directory = Conformance.directory else { return [] }
        let folder = directory.appendingPathComponent("promqltest")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".test") }.sorted()
        var queries: [Query] = []
        for file in files {
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (i, line) in lines.enumerated() where line.hasPrefix("eval") {
                guard let query = evalQuery(line) else { continue }
                var fail = line.hasPrefix("eval_fail")
                var message: String?
                var j = i + 1
                while j < lines.count, let first = lines[j].first, first == " " || first == "\t" {
                    let trimmed = lines[j].trimmingCharacters(in: .whitespaces)
                    if trimmed.hasPrefix("expect fail") {
                        fail = true
                        if let range = trimmed.range(of: "msg:") {
                            message = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
                        }
                    }
                    j += 1
                }
                queries.append(Query(file: file, line: i + 1, text: query, expectFail: fail, failMessage: message))
            }
        }
        return queries
    }()

    /// The query of an `eval … at T QUERY` or `eval range from A to B step S QUERY` line.
    static func evalQuery(_ line: String) -> String? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2 else { return nil }
        let skip: Int
        switch fields[1] {
        case "instant": skip = 4
        case "range": skip = 8
        default: return nil
        }
        guard fields.count > skip else { return nil }
        let start = fields[skip].startIndex
        return String(line[start...]).trimmingCharacters(in: .whitespaces)
    }

    /// Values for the compliance list's `{{.placeholder}}` variants (a representative few).
    static let variants: [String: [String]] = [
        "arithBinOp": ["+", "-", "*", "/", "%", "^"],
        "binOp": ["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<="],
        "compBinOp": ["==", "!=", ">", "<", ">=", "<="],
        "clampFunc": ["clamp_min", "clamp_max"],
        "dateFunc": ["day_of_month", "day_of_week", "days_in_month", "hour", "minute", "month", "year"],
        "extrapolatedRateFunc": ["delta", "rate", "increase"],
        "instantRateFunc": ["idelta", "irate"],
        "offset": ["1m", "5m", "10m"],
        "quantile": ["-0.5", "0.1", "0.5", "0.75", "0.95", "0.90", "0.99", "1", "1.5"],
        "range": ["1s", "15s", "1m", "5m", "15m", "1h"],
        "simpleAggrOp": ["sum", "avg", "max", "min", "count", "stddev", "stdvar"],
        "simpleMathFunc": ["abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "round"],
        "simpleTimeAggrOp": ["sum", "avg", "max", "min", "count", "stddev", "stdvar", "absent", "last"],
        "topBottomOp": ["topk", "bottomk"],
    ]

    static let compliance: [Query] = {
        guard let directory = Conformance.directory,
              let text = try? String(contentsOf: directory.appendingPathComponent("compliance-queries.yml"), encoding: .utf8)
        else { return [] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var queries: [Query] = []
        for (i, line) in lines.enumerated() {
            guard let range = line.range(of: "query: ") else { continue }
            var value = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            } else if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            var fail = false
            var j = i + 1
            while j < lines.count, !lines[j].contains("query:"), !lines[j].hasPrefix("  - ") {
                if lines[j].contains("should_fail: true") { fail = true }
                j += 1
            }
            for expanded in expand(value) {
                queries.append(Query(file: "compliance-queries.yml", line: i + 1, text: expanded, expectFail: fail))
            }
        }
        return queries
    }()

    /// Every combination of the placeholders' values.
    static func expand(_ template: String) -> [String] {
        guard let open = template.range(of: "{{."), let close = template.range(of: "}}", range: open.upperBound..<template.endIndex)
        else { return [template] }
        let name = String(template[open.upperBound..<close.lowerBound])
        var out: [String] = []
        for value in variants[name] ?? ["x"] {
            out += expand(template.replacingCharacters(in: open.lowerBound..<close.upperBound, with: value))
        }
        return out
    }

    static var all: [Query] { scripts + compliance }
}

@Suite struct ParserCorpusTests {
    /// Every corpus query parses, except the failures the corpus itself expects; those
    /// must still fail cleanly. Runtime failures (`expect fail` for evaluation errors)
    /// parse fine, so expected failures are only checked not to crash here.
    @Test func everyCorpusQueryParses() throws {
        guard Conformance.shouldRun else { return }
        let queries = ParserCorpus.all
        #expect(queries.count > 2000)
        var parsed = 0
        for query in queries {
            do {
                let expr = try PromQLParser.parse(query.text)
                parsed += 1
                // The canonical text parses back to the same tree.
                let printed = expr.description
                let reparsed = try PromQLParser.parse(printed)
                #expect(reparsed.withoutPositions == expr.withoutPositions, "\(query) printed as \(printed)")
            } catch {
                if query.expectFail || ParserCorpus.unsupportedFiles.contains(query.file) { continue }
                if ParserCorpus.usesUnsupportedSyntax(query.text) { continue }
                Issue.record("\(query): \(error)")
            }
        }
        #expect(parsed > 2000)
    }

    /// The corpus's expected failures that are parse errors, each with Prometheus's message.
    /// The other expected failures are evaluation errors and must parse (`deriv(foo[3m]
    /// smoothed)` among them: Prometheus rejects an anchored or smoothed selector passed to
    /// the wrong function when it evaluates the call).
    @Test func expectedFailuresThatAreParseErrors() throws {
        guard Conformance.shouldRun else { return }
        let expected: [String: String] = [
            #"{__name__=~".*"}"#: "vector selector must contain at least one non-empty matcher",
        ]
        var found: [String: String] = [:]
        for query in ParserCorpus.all where query.expectFail {
            if let error = parseError(query.text) { found[query.text] = error.message }
        }
        #expect(found == expected)
    }
}
