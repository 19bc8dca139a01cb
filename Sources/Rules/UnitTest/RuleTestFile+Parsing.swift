import Foundation
import Model
import PromQL
import Yams

extension RuleTestFile {
    /// Reads and parses the test file at `path`.
    public static func load(path: String) throws(RuleTestFileError) -> RuleTestFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            var isDirectory: ObjCBool = false
            let message = !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                ? "open \(path): no such file or directory"
                : isDirectory.boolValue ? "read \(path): is a directory" : "open \(path): permission denied"
            throw RuleTestFileError(diagnostics: [RuleFileDiagnostic(file: path, location: nil, message: message)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleTestFileError(diagnostics: [RuleFileDiagnostic(file: path, location: nil, message: "yaml: invalid UTF-8")])
        }
        return try parse(text, path: path)
    }

    /// Parses a test file's text with promtool's strictness: unknown fields, wrong types,
    /// bad durations and repeated keys are errors, all reported at their place.
    public static func parse(_ text: String, path: String) throws(RuleTestFileError) -> RuleTestFile {
        let root: Yams.Node?
        do {
            root = try Yams.Parser(yaml: text).nextRoot()
        } catch {
            throw RuleTestFileError(diagnostics: [TestFileDecoder.yamlDiagnostic(error, path: path)])
        }
        var decoder = TestFileDecoder(path: path)
        let file = decoder.file(root)
        if !decoder.diagnostics.isEmpty { throw RuleTestFileError(diagnostics: decoder.diagnostics) }
        return file
    }
}

/// Turns the YAML tree into a ``RuleTestFile`` the way Go's `yaml.UnmarshalStrict` fills
/// promtool's structs: null leaves the default, scalars convert to strings, numbers and
/// booleans by YAML 1.1 rules, and every problem is collected with its position.
struct TestFileDecoder {
    let path: String
    var diagnostics: [RuleFileDiagnostic] = []

    init(path: String) { self.path = path }

    // MARK: The document

    mutating func file(_ root: Yams.Node?) -> RuleTestFile {
        var file = RuleTestFile(path: path)
        guard let root, !isNull(root) else { return file }
        guard let mapping = mapping(root, as: "a test file") else { return file }
        for (key, value) in fields(mapping, in: "the test file", allowed: [
            "rule_files", "evaluation_interval", "group_eval_order", "tests", "fuzzy_compare",
        ]) {
            switch key {
            case "rule_files": file.ruleFiles = strings(value, field: key)
            case "evaluation_interval": file.evaluationInterval = duration(value, field: key) ?? 0
            case "group_eval_order": file.groupEvalOrder = strings(value, field: key)
            case "fuzzy_compare": file.fuzzyCompare = bool(value, field: key) ?? false
            case "tests": file.tests = sequence(value, field: key).map { testGroup($0) }
            default: break
            }
        }
        if file.evaluationInterval == 0 { file.evaluationInterval = 60_000 }
        return file
    }

    private mutating func testGroup(_ node: Yams.Node) -> RuleTestGroup {
        var group = RuleTestGroup(location: location(node))
        guard !isNull(node), let mapping = mapping(node, as: "a test group") else { return group }
        for (key, value) in fields(mapping, in: "a test group", allowed: [
            "interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url",
            "name", "start_timestamp",
        ]) {
            switch key {
            case "interval":
                let ms = duration(value, field: key) ?? 0
                group.interval = ms == 0 ? nil : ms
            case "input_series": group.inputSeries = sequence(value, field: key).map { inputSeries($0) }
            case "alert_rule_test": group.alertTests = sequence(value, field: key).map { alertTest($0) }
            case "promql_expr_test": group.promqlTests = sequence(value, field: key).map { promqlTest($0) }
            case "external_labels": group.externalLabels = Labels(stringMap(value, field: key).map { Label($0.key, $0.value) })
            case "external_url": group.externalURL = string(value, field: key) ?? ""
            case "name": group.name = string(value, field: key) ?? ""
            case "start_timestamp":
                if let text = string(value, field: key) {
                    if let ms = Self.timestamp(text) {
                        group.startTimestamp = ms
                    } else {
                        report(value, "cannot parse \(GoString.quote(text)) to a valid timestamp")
                    }
                }
            default: break
            }
        }
        return group
    }

    private mutating func inputSeries(_ node: Yams.Node) -> InputSeries {
        var series = InputSeries(series: "", values: "", location: location(node))
        guard !isNull(node), let mapping = mapping(node, as: "an input series") else { return series }
        for (key, value) in fields(mapping, in: "an input series", allowed: ["series", "values"]) {
            switch key {
            case "series": series.series = string(value, field: key) ?? ""
            case "values": series.values = string(value, field: key) ?? ""
            default: break
            }
        }
        return series
    }

    private mutating func alertTest(_ node: Yams.Node) -> AlertTestCase {
        var test = AlertTestCase(evalTime: 0, alertname: "", location: location(node))
        guard !isNull(node), let mapping = mapping(node, as: "an alert test") else { return test }
        for (key, value) in fields(mapping, in: "an alert test", allowed: ["eval_time", "alertname", "exp_alerts"]) {
            switch key {
            case "eval_time": test.evalTime = duration(value, field: key) ?? 0
            case "alertname": test.alertname = string(value, field: key) ?? ""
            case "exp_alerts": test.expectedAlerts = sequence(value, field: key).map { expectedAlert($0) }
            default: break
            }
        }
        return test
    }

    private mutating func expectedAlert(_ node: Yams.Node) -> ExpectedAlert {
        var alert = ExpectedAlert()
        guard !isNull(node), let mapping = mapping(node, as: "an expected alert") else { return alert }
        for (key, value) in fields(mapping, in: "an expected alert", allowed: ["exp_labels", "exp_annotations"]) {
            switch key {
            case "exp_labels": alert.labels = stringMap(value, field: key)
            case "exp_annotations": alert.annotations = stringMap(value, field: key)
            default: break
            }
        }
        return alert
    }

    private mutating func promqlTest(_ node: Yams.Node) -> PromQLTestCase {
        var test = PromQLTestCase(expr: "", evalTime: 0, location: location(node))
        guard !isNull(node), let mapping = mapping(node, as: "a PromQL test") else { return test }
        for (key, value) in fields(mapping, in: "a PromQL test", allowed: ["expr", "eval_time", "exp_samples"]) {
            switch key {
            case "expr": test.expr = string(value, field: key) ?? ""
            case "eval_time": test.evalTime = duration(value, field: key) ?? 0
            case "exp_samples": test.expectedSamples = sequence(value, field: key).map { expectedSample($0) }
            default: break
            }
        }
        return test
    }

    private mutating func expectedSample(_ node: Yams.Node) -> ExpectedSample {
        var sample = ExpectedSample(labels: "", value: 0, location: location(node))
        guard !isNull(node), let mapping = mapping(node, as: "an expected sample") else { return sample }
        for (key, value) in fields(mapping, in: "an expected sample", allowed: ["labels", "value", "histogram"]) {
            switch key {
            case "labels": sample.labels = string(value, field: key) ?? ""
            case "value": sample.value = float(value, field: key) ?? 0
            case "histogram": sample.histogram = string(value, field: key) ?? ""
            default: break
            }
        }
        return sample
    }

    // MARK: Structure

    private func location(_ node: Yams.Node) -> SourceLocation {
        SourceLocation(file: path, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    private mutating func report(_ node: Yams.Node, _ message: String) {
        diagnostics.append(RuleFileDiagnostic(file: path, location: location(node), message: message))
    }

    /// What a node is, in yaml.v2's words (`!!seq`, `!!map`, `!!str`…), for type errors.
    private func kind(_ node: Yams.Node) -> String {
        switch node {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return "!!alias"
        case .scalar(let scalar):
            guard scalar.style == .plain else { return "!!str `\(scalar.string)`" }
            if isNull(node) { return "!!null" }
            if Self.yamlBool(scalar.string) != nil { return "!!bool `\(scalar.string)`" }
            if Self.yamlNumber(scalar.string) != nil { return "!!number `\(scalar.string)`" }
            return "!!str `\(scalar.string)`"
        }
    }

    private func isNull(_ node: Yams.Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private mutating func mapping(_ node: Yams.Node, as what: String) -> Yams.Node.Mapping? {
        if case .mapping(let m) = node { return m }
        report(node, "cannot unmarshal \(kind(node)) into \(what)")
        return nil
    }

    /// The key-value pairs of `mapping` whose keys are known; unknown and non-scalar keys are reported.
    private mutating func fields(_ mapping: Yams.Node.Mapping, in what: String, allowed: [String]) -> [(String, Yams.Node)] {
        var out: [(String, Yams.Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, allowed.contains(scalar.string) else {
                let name = key.scalar?.string ?? kind(key)
                report(key, "field \(name) not found in \(what) (known fields: \(allowed.joined(separator: ", ")))")
                continue
            }
            out.append((scalar.string, value))
        }
        return out
    }

    private mutating func sequence(_ node: Yams.Node, field: String) -> [Yams.Node] {
        if isNull(node) { return [] }
        if case .sequence(let s) = node { return Array(s) }
        report(node, "\(field): cannot unmarshal \(kind(node)) into a list")
        return []
    }

    /// A scalar as a string (yaml.v2 turns numbers and booleans into their text); nil for null.
    private mutating func string(_ node: Yams.Node, field: String) -> String? {
        if isNull(node) { return nil }
        if case .scalar(let scalar) = node { return scalar.string }
        report(node, "\(field): cannot unmarshal \(kind(node)) into a string")
        return nil
    }

    private mutating func strings(_ node: Yams.Node, field: String) -> [String] {
        sequence(node, field: field).map { string($0, field: field) ?? "" }
    }

    private mutating func stringMap(_ node: Yams.Node, field: String) -> [String: String] {
        if isNull(node) { return [:] }
        guard case .mapping(let mapping) = node else {
            report(node, "\(field): cannot unmarshal \(kind(node)) into a map of strings")
            return [:]
        }
        var out: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = string(key, field: field) else { continue }
            out[name] = string(value, field: field) ?? ""
        }
        return out
    }

    private mutating func duration(_ node: Yams.Node, field: String) -> Int64? {
        guard let text = string(node, field: field) else { return nil }
        do {
            return try PromQLParser.parseDuration(text)
        } catch {
            report(node, "\(field): not a valid duration string: \(GoString.quote(text))")
            return nil
        }
    }

    private mutating func bool(_ node: Yams.Node, field: String) -> Bool? {
        if isNull(node) { return nil }
        if case .scalar(let scalar) = node, scalar.style == .plain, let value = Self.yamlBool(scalar.string) { return value }
        report(node, "\(field): cannot unmarshal \(kind(node)) into bool")
        return nil
    }

    private mutating func float(_ node: Yams.Node, field: String) -> Double? {
        if isNull(node) { return nil }
        if case .scalar(let scalar) = node, scalar.style == .plain, let value = Self.yamlNumber(scalar.string) { return value }
        report(node, "\(field): cannot unmarshal \(kind(node)) into float64")
        return nil
    }

    // MARK: YAML 1.1 scalars, as yaml.v2 resolves them

    static func yamlBool(_ text: String) -> Bool? {
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": true
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": false
        default: nil
        }
    }

    /// An integer (decimal, `0x`, `0b`, leading-zero octal, `_` separators) or a float
    /// (`1.5`, `1e3`, `.inf`, `-.Inf`, `.nan`) as yaml.v2 reads a plain scalar.
    static func yamlNumber(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let plain = text.replacingOccurrences(of: "_", with: "")
        var body = Substring(plain)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
        let lower = body.lowercased()
        var integer: Int64?
        if lower.hasPrefix("0x") {
            integer = Int64(lower.dropFirst(2), radix: 16)
        } else if lower.hasPrefix("0b") {
            integer = Int64(lower.dropFirst(2), radix: 2)
        } else if lower.count > 1, lower.hasPrefix("0"), lower.allSatisfy({ $0 >= "0" && $0 <= "7" }) {
            integer = Int64(lower.dropFirst(), radix: 8)
        } else if lower.allSatisfy({ $0.isASCII && $0.isNumber }) {
            integer = Int64(lower)
        }
        if let integer { return negative ? -Double(integer) : Double(integer) }
        // Floats: digits with an optional fraction and exponent (yaml.v2 then uses ParseFloat).
        guard lower.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "." || $0 == "e" || $0 == "+" || $0 == "-" }),
              let value = GoFloat.parse(String(body))
        else { return nil }
        return negative ? -value : value
    }

    /// promtool's `parseTime`: Unix seconds (fractions allowed) or RFC 3339, as ms.
    static func timestamp(_ text: String) -> Int64? {
        if let seconds = GoFloat.parse(text), seconds.isFinite {
            let whole = seconds.rounded(.towardZero)
            return Int64(whole) * 1000 + Int64(((seconds - whole) * 1e9).rounded(.towardZero)) / 1_000_000
        }
        return RFC3339.milliseconds(text)
    }

    // MARK: YAML syntax errors

    static func yamlDiagnostic(_ error: any Error, path: String) -> RuleFileDiagnostic {
        func at(_ mark: Mark, _ message: String) -> RuleFileDiagnostic {
            RuleFileDiagnostic(file: path, location: SourceLocation(file: path, line: mark.line, column: mark.column), message: message)
        }
        guard let error = error as? YamlError else { return RuleFileDiagnostic(file: path, location: nil, message: "yaml: \(error)") }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let suffix = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return at(mark, "yaml: \(problem)\(suffix)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return at(context.mark, "yaml: mapping key \(GoString.quote(duplicates.first ?? "")) defined more than once")
        default:
            return RuleFileDiagnostic(file: path, location: nil, message: "yaml: \(error)")
        }
    }
}

/// RFC 3339 timestamps (`2021-01-01T00:00:00Z`, `…T12:30:00.5+02:00`), as Go's
/// `time.Parse(time.RFC3339Nano, …)` accepts them.
enum RFC3339 {
    static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        func byte(_ i: Int, _ c: Character) -> Bool { i < b.count && b[i] == c.asciiValue! }
        guard let year = digits(0, 4), byte(4, "-"), let month = digits(5, 2), byte(7, "-"), let day = digits(8, 2),
              byte(10, "T") || byte(10, "t"), let hour = digits(11, 2), byte(13, ":"), let minute = digits(14, 2),
              byte(16, ":"), let second = digits(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month, year), hour < 24, minute < 60, second < 60
        else { return nil }
        var i = 19
        var millis = 0
        if byte(i, ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > start else { return nil }
            let fraction = b[start..<min(i, start + 3)].reduce(0) { $0 * 10 + Int($1 - 48) }
            millis = fraction * [100, 10, 1][min(i, start + 3) - start - 1]
        }
        var offset = 0
        if byte(i, "Z") || byte(i, "z") {
            i += 1
        } else if byte(i, "+") || byte(i, "-") {
            guard let h = digits(i + 1, 2), byte(i + 3, ":"), let m = digits(i + 4, 2), h < 24, m < 60 else { return nil }
            offset = (h * 60 + m) * 60 * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return seconds * 1000 + Int64(millis)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
