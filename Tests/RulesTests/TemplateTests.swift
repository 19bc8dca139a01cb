import Testing
@testable import Rules

/// Shared fixtures for the template suites: the alert data Prometheus would pass.
enum TemplateFixture {
    static let labels = ["__name__": "m", "job": "j", "instance": "host.example.com:9090"]
    static let data = TemplateData(labels: labels, value: 1234.5)
    static let environment = TemplateEnvironment(time: 1_700_000_000_123, externalURL: "https://prom.example.com/sub/path")

    /// Parses and expands `text` as Prometheus does for the alert `X`.
    static func expand(
        _ text: String, data: TemplateData = data, environment: TemplateEnvironment = environment
    ) throws -> String {
        try RuleTemplate(text, name: "__alert_X").expand(data, environment: environment)
    }

    /// The parse error of `text`.
    static func parseError(_ text: String) -> TemplateError? {
        do {
            _ = try RuleTemplate(text, name: "__alert_X")
            return nil
        } catch {
            return error
        }
    }

    /// Prometheus's text for an execution error at COLUMN on line 1 (counting the prepended
    /// definitions, 112 bytes).
    static func execError(_ column: Int, _ node: String, _ message: String, line: Int = 1) -> String {
        "<error expanding template: error executing template __alert_X: template: __alert_X:\(line):\(column): executing \"__alert_X\" at <\(node)>: \(message)>"
    }
}

@Suite("Template expansions checked against promtool")
struct TemplatePromtoolTests {
    @Test(arguments: TemplatePrometheusCases.promtoolCases + TemplatePrometheusCases.promtoolCases2 + TemplatePrometheusCases.promtoolCases3)
    func expandsLikePrometheus(_ c: (String, String)) throws {
        #expect(try TemplateFixture.expand(c.0) == c.1, "\(c.0)")
    }

    @Test(arguments: TemplatePrometheusCases.valueCases)
    func printsValuesLikeGo(_ c: (Double, String, String)) throws {
        let data = TemplateData(labels: TemplateFixture.labels, value: c.0)
        #expect(try TemplateFixture.expand(c.1, data: data) == c.2, "\(c.0): \(c.1)")
    }

    @Test(arguments: TemplatePrometheusCases.promtoolCasesParseErrors + TemplatePrometheusCases.promtoolCases2ParseErrors
        + TemplatePrometheusCases.promtoolCases3ParseErrors)
    func rejectsLikePrometheus(_ c: (String, String)) throws {
        let error = try #require(TemplateFixture.parseError(c.0), "\(c.0) parsed")
        #expect(error.message == c.1, "\(c.0)")
        #expect(error.description == "error parsing template __alert_X: " + c.1)
    }
}
