import Model

/// Parses PromQL with Prometheus 3's grammar, positions and error messages.
public enum PromQLParser {
    /// The expression `query` denotes, type-checked.
    ///
    /// `experimental` enables Prometheus's experimental functions, the `limitk` and
    /// `limit_ratio` aggregations and duration expressions (`foo[5m+1m]`, `offset step()`).
    public static func parse(_ query: String, experimental: Bool = true) throws(ParseError) -> Expr {
        var parser = Parser(query: query, experimental: experimental)
        let expr: Expr
        do {
            expr = try parser.parseQuery()
        } catch {
            // Errors recorded while parsing came first in the text; Prometheus reports the first.
            throw parser.recorded.first ?? error
        }
        if let first = parser.recorded.first { throw first }
        var checker = TypeChecker(query: query)
        let checked = checker.check(expr)
        if let first = checker.errors.first { throw first }
        return checked
    }

    /// The labels of a series written as `metric{a="b", …}` (also `{a="b"}` or a bare name),
    /// as test scripts and `promtool` write them.
    public static func parseMetric(_ text: String) throws(ParseError) -> Labels {
        var parser = Parser(query: text, experimental: true)
        let labels: Labels
        do {
            labels = try parser.parseMetricDescription()
        } catch {
            throw parser.recorded.first ?? error
        }
        if let first = parser.recorded.first { throw first }
        return labels
    }

    /// Milliseconds of a duration in Prometheus's syntax (`model.ParseDuration`): one or more
    /// number-unit pairs from `y` down to `ms` (`1h30m`, `5m`, `100ms`), or `0`.
    public static func parseDuration(_ text: String) throws(ParseError) -> Int64 {
        switch DurationSyntax.milliseconds(text) {
        case .success(let ms): return ms
        case .failure(let message):
            throw ParseError(position: PositionRange(start: 0, end: text.utf8.count), message: message.text, query: text)
        }
    }

    /// The deepest expression accepted: nesting (a parenthesis costs two levels, a call,
    /// an aggregation or a sign one), operators chained in one expression and subqueries
    /// applied in a row all count. Deeper queries are rejected rather than risking the
    /// stack here, in the type checker, the printer and the engine, which all recurse over
    /// the tree (debug builds overflow somewhere past 2,000 levels).
    static let maxNestingDepth = 512
}

/// One parse of one query: the tokens, the cursor, and the errors recorded so far.
///
/// Syntax errors are thrown and end the parse. Errors Prometheus finds while building
/// nodes (an unknown function, a bad regular expression, an offset set twice) are
/// recorded and parsing goes on, so that the first error in the text is the one reported.
struct Parser {
    let query: String
    let experimental: Bool
    var tokens: [Token]
    var index = 0
    var recorded: [ParseError] = []
    /// Current recursion depth, bounded by ``PromQLParser/maxNestingDepth``.
    var depth = 0
    /// The innermost construct with its own wording for unexpected tokens ("aggregation").
    var errorContexts: [String] = []

    init(query: String, experimental: Bool) {
        self.query = query
        self.experimental = experimental
        tokens = Lexer.tokenize(query)
    }

    // MARK: Tokens

    var current: Token { tokens[index] }

    /// The token `offset` places after the current one (the last token when past the end).
    func peek(_ offset: Int = 1) -> Token {
        tokens[min(index + offset, tokens.count - 1)]
    }

    /// Consumes and returns the current token (never moves past the final one).
    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// The end of the last consumed token.
    var lastEnd: Int { index > 0 ? tokens[index - 1].end : 0 }

    func isKeyword(_ token: Token, _ keyword: Keyword) -> Bool {
        if case .keyword(let k) = token.kind, k == keyword { return true }
        return false
    }

    // MARK: Errors

    func error(_ message: String, _ position: PositionRange) -> ParseError {
        ParseError(position: position, message: message, query: query)
    }

    /// Records an error and lets parsing continue.
    mutating func record(_ message: String, _ position: PositionRange) {
        recorded.append(error(message, position))
    }

    /// Prometheus's "unexpected <token> in <context>, expected <what>"; a lexer error
    /// token is reported as itself.
    func unexpected(_ context: String? = nil, expected: String? = nil) -> ParseError {
        let token = current
        if token.kind == .error { return error(token.text, token.position) }
        var message = "unexpected " + token.errorDescription
        if let context = context ?? errorContexts.last, !context.isEmpty { message += " in " + context }
        if let expected, !expected.isEmpty { message += ", expected " + expected }
        return error(message, token.position)
    }

    /// Consumes a token of `kind` or throws "unexpected …".
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ context: String? = nil, expected: String? = nil) throws(ParseError) -> Token {
        guard current.kind == kind else { throw unexpected(context, expected: expected) }
        return advance()
    }

    mutating func enter() throws(ParseError) {
        depth += 1
        if depth > PromQLParser.maxNestingDepth {
            throw error("expression nested too deeply (more than \(PromQLParser.maxNestingDepth) levels)", current.position)
        }
    }

    mutating func leave() { depth -= 1 }

    // MARK: Entry points

    mutating func parseQuery() throws(ParseError) -> Expr {
        if current.kind == .eof {
            throw error("no expression found in input", PositionRange(start: 0, end: 0))
        }
        let expr = try parseExpr()
        guard current.kind == .eof else { throw unexpected() }
        return expr
    }
}
