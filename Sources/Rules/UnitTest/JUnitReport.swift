/// The JUnit XML promtool writes with `--junit`: one `<testsuite>` per test file, one
/// `<testcase>` per test group that ran, a `<failure>` per failure, an `<error>` when the
/// file could not be used at all. Encoded as Go's `encoding/xml` does (no declaration,
/// no indentation, its escapes).
public enum JUnitReport {
    public static func xml(_ reports: [RuleTestFileReport]) -> String {
        var out = "<testsuites>"
        for report in reports {
            // A file that could not be used is one "unknown" case with an error.
            var cases = report.groups.map { (name: $0.name, failures: $0.failures, error: "") }
            if !report.fileErrors.isEmpty {
                if cases.isEmpty { cases.append((name: "unknown", failures: [], error: "")) }
                cases[cases.count - 1].error = report.fileErrors.joined(separator: "\n")
            }
            let failures = cases.reduce(0) { $0 + $1.failures.count }
            let errors = report.fileErrors.isEmpty ? 0 : 1
            out += "<testsuite name=\"\(escape(report.path))\" tests=\"\(cases.count)\" failures=\"\(failures)\" "
            out += "errors=\"\(errors)\" skipped=\"0\" timestamp=\"\(escape(report.timestamp))\">"
            for c in cases {
                out += "<testcase name=\"\(escape(c.name))\">"
                for failure in c.failures { out += "<failure>\(escape(failure))</failure>" }
                if !c.error.isEmpty { out += "<error>\(escape(c.error))</error>" }
                out += "</testcase>"
            }
            out += "</testsuite>"
        }
        return out + "</testsuites>"
    }

    /// Go's `xml.EscapeText`.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t": out += "&#x9;"
            case "\n": out += "&#xA;"
            case "\r": out += "&#xD;"
            default:
                let v = scalar.value
                let allowed = v == 0x09 || v == 0x0A || v == 0x0D || (v >= 0x20 && v <= 0xD7FF)
                    || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}
