/// A parse failure: Go's full message (`template: NAME:LINE: …`) and where it happened.
struct ParseFailure: Error {
    var message: String
    var pos: Int
    var line: Int
}

/// The templates one parse produces: the top-level one and every `define`/`block`, by name.
struct TemplateSet: Sendable {
    var trees: [String: ListNode] = [:]
}

/// Go's text/template parser (`text/template/parse/parse.go`): recursive descent over the
/// token stream with the same three-token lookahead, variable scoping, checks and messages.
struct Parser {
    /// The top-level template name, used in every message (Go's `ParseName`).
    let parseName: String
    private var lexer: Lexer
    private let functions: Set<String>
    private(set) var set = TemplateSet()

    // Per-tree state (a `define` or `block` body is parsed as its own tree).
    private var tokens: [Token] = []
    private var peekCount = 0
    private var vars: [String] = ["$"]
    private var rangeDepth = 0
    private var stackDepth = 0
    private var actionLine = 0

    /// Deepest nesting of parenthesized pipelines, and of control structures (Go allows 10000
    /// parentheses and any nesting of blocks; recursion here is bounded lower, with Go's
    /// message, so that a template cannot exhaust a thread's stack).
    static let maxStackDepth = 100
    private var controlDepth = 0

    init(name: String, text: [UInt8], functions: Set<String>) {
        parseName = name
        lexer = Lexer(text)
        self.functions = functions
        let eof = Token(kind: .eof, pos: 0, value: "EOF", line: 1)
        tokens = [eof, eof, eof]
    }

    /// Parses the whole input into `set`.
    mutating func parse() throws(ParseFailure) {
        var root = ListNode(pos: try peek().pos)
        while try peek().kind != .eof {
            if try peek().kind == .leftDelim {
                let delim = try next()
                if try nextNonSpace().kind == .define {
                    try parseSubtree { (p: inout Parser) throws(ParseFailure) in try p.parseDefinition() }
                    continue
                }
                backup2(delim)
            }
            let n = try textOrAction()
            switch n {
            case .end, .elseBranch: try fail("unexpected \(n.description)")
            default: root.nodes.append(n)
            }
        }
        try add(parseName, root)
    }

    // MARK: Token stream

    private mutating func next() throws(ParseFailure) -> Token {
        if peekCount > 0 {
            peekCount -= 1
        } else {
            tokens[0] = lexer.nextToken()
        }
        return tokens[peekCount]
    }

    private mutating func backup() { peekCount += 1 }

    private mutating func backup2(_ t1: Token) {
        tokens[1] = t1
        peekCount = 2
    }

    private mutating func backup3(_ t2: Token, _ t1: Token) {
        tokens[1] = t1
        tokens[2] = t2
        peekCount = 3
    }

    private mutating func peek() throws(ParseFailure) -> Token {
        if peekCount > 0 { return tokens[peekCount - 1] }
        peekCount = 1
        tokens[0] = lexer.nextToken()
        return tokens[0]
    }

    private mutating func nextNonSpace() throws(ParseFailure) -> Token {
        while true {
            let t = try next()
            if t.kind != .space { return t }
        }
    }

    private mutating func peekNonSpace() throws(ParseFailure) -> Token {
        let t = try nextNonSpace()
        backup()
        return t
    }

    // MARK: Errors

    private func fail(_ message: String) throws(ParseFailure) -> Never {
        let t = tokens[0]
        throw ParseFailure(message: "template: \(parseName):\(t.line): \(message)", pos: t.pos, line: t.line)
    }

    private mutating func expectToken(_ kind: TokenKind, _ context: String) throws(ParseFailure) -> Token {
        let t = try nextNonSpace()
        if t.kind != kind { try unexpected(t, context) }
        return t
    }

    private mutating func expectOneOf(_ k1: TokenKind, _ k2: TokenKind, _ context: String) throws(ParseFailure) -> Token {
        let t = try nextNonSpace()
        if t.kind != k1 && t.kind != k2 { try unexpected(t, context) }
        return t
    }

    private func unexpected(_ t: Token, _ context: String) throws(ParseFailure) -> Never {
        if t.kind == .error {
            var extra = ""
            if actionLine != 0 && actionLine != t.line {
                extra = " in action started at \(parseName):\(actionLine)"
                if t.value.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
            }
            try fail(t.value + extra)
        }
        try fail("unexpected \(t.goDescription) in \(context)")
    }

    // MARK: Trees

    /// Parses a `define` or `block` body as a tree of its own, restoring this tree's state after.
    private mutating func parseSubtree(_ body: (inout Parser) throws(ParseFailure) -> Void) throws(ParseFailure) {
        let saved = (tokens, peekCount, vars, rangeDepth, stackDepth, actionLine)
        let eof = Token(kind: .eof, pos: 0, value: "EOF", line: 1)
        tokens = [eof, eof, eof]
        peekCount = 0
        vars = ["$"]
        rangeDepth = 0
        stackDepth = 0
        actionLine = 0
        try body(&self)
        (tokens, peekCount, vars, rangeDepth, stackDepth, actionLine) = saved
    }

    /// Go's `Tree.add`: a name may be defined twice only if one definition is empty.
    private mutating func add(_ name: String, _ root: ListNode) throws(ParseFailure) {
        if let existing = set.trees[name], !Parser.isEmpty(.list(existing)) {
            if !Parser.isEmpty(.list(root)) {
                try fail("template: multiple definition of template \(GoQuote.quote(name))")
            }
            return
        }
        set.trees[name] = root
    }

    /// Go's `IsEmptyTree`: nothing but white space and comments.
    static func isEmpty(_ n: Node) -> Bool {
        switch n {
        case .list(let l): return l.nodes.allSatisfy(isEmpty)
        case .text(_, let text): return text.allSatisfy { $0.isWhitespace }
        default: return false
        }
    }

    private mutating func parseDefinition() throws(ParseFailure) {
        let context = "define clause"
        let nameToken = try expectOneOf(.string, .rawString, context)
        guard let name = GoQuote.unquote(nameToken.value) else { try fail("invalid syntax") }
        _ = try expectToken(.rightDelim, context)
        let (root, end) = try itemList()
        if case .end = end {} else { try fail("unexpected \(end.description) in \(context)") }
        try add(name, root)
    }

    /// `textOrAction*` up to an `{{end}}` or `{{else}}`, which is returned separately.
    private mutating func itemList() throws(ParseFailure) -> (ListNode, Node) {
        var list = ListNode(pos: try peekNonSpace().pos)
        while try peekNonSpace().kind != .eof {
            let n = try textOrAction()
            switch n {
            case .end, .elseBranch: return (list, n)
            default: list.nodes.append(n)
            }
        }
        try fail("unexpected EOF")
    }

    private mutating func textOrAction() throws(ParseFailure) -> Node {
        let t = try nextNonSpace()
        switch t.kind {
        case .text:
            return .text(pos: t.pos, text: t.value)
        case .leftDelim:
            actionLine = t.line
            defer { actionLine = 0 }
            return try action()
        default:
            try unexpected(t, "input")
        }
    }

    private mutating func action() throws(ParseFailure) -> Node {
        let t = try nextNonSpace()
        switch t.kind {
        case .block: return try blockControl()
        case .breakKeyword: return try loopControl(.breakLoop(pos: t.pos), "{{break}}")
        case .continueKeyword: return try loopControl(.continueLoop(pos: t.pos), "{{continue}}")
        case .elseKeyword: return try elseControl()
        case .end: return .end(pos: try expectToken(.rightDelim, "end").pos)
        case .ifKeyword: return .branch(try parseControl(.ifBranch, "if"))
        case .range: return .branch(try parseControl(.rangeLoop, "range"))
        case .template: return try templateControl()
        case .with: return .branch(try parseControl(.with, "with"))
        default: break
        }
        backup()
        let pos = try peek().pos
        return .action(ActionNode(pos: pos, pipe: try pipeline("command", .rightDelim)))
    }

    private mutating func loopControl(_ node: Node, _ name: String) throws(ParseFailure) -> Node {
        let t = try nextNonSpace()
        if t.kind != .rightDelim { try unexpected(t, name) }
        if rangeDepth == 0 { try fail("\(name) outside {{range}}") }
        return node
    }

    /// `declarations? command ('|' command)*`
    private mutating func pipeline(_ context: String, _ end: TokenKind) throws(ParseFailure) -> PipeNode {
        var pipe = PipeNode(pos: try peekNonSpace().pos)
        decls: while true {
            let v = try peekNonSpace()
            guard v.kind == .variable else { break }
            _ = try next()
            // Three tokens of lookahead: in "$x foo" the token after the space decides.
            let tokenAfterVariable = try peek()
            let following = try peekNonSpace()
            if following.kind == .assign || following.kind == .declare {
                pipe.isAssign = following.kind == .assign
                _ = try nextNonSpace()
                pipe.decl.append(VariableNode(pos: v.pos, ident: v.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)))
                vars.append(v.value)
            } else if following.kind == .char && following.value == "," {
                _ = try nextNonSpace()
                pipe.decl.append(VariableNode(pos: v.pos, ident: v.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)))
                vars.append(v.value)
                if context == "range" && pipe.decl.count < 2 {
                    switch try peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen:
                        continue decls // second initialized variable in a range pipeline
                    default:
                        try fail("range can only initialize variables")
                    }
                }
                try fail("too many declarations in \(context)")
            } else if tokenAfterVariable.kind == .space {
                backup3(v, tokenAfterVariable)
            } else {
                backup2(v)
            }
            break
        }
        while true {
            let t = try nextNonSpace()
            if t.kind == end {
                try checkPipeline(pipe, context)
                return pipe
            }
            switch t.kind {
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nilKeyword, .rawString,
                 .string, .variable, .leftParen:
                backup()
                pipe.cmds.append(try command())
            default:
                try unexpected(t, context)
            }
        }
    }

    private func checkPipeline(_ pipe: PipeNode, _ context: String) throws(ParseFailure) {
        if pipe.cmds.isEmpty { try fail("missing value for \(context)") }
        for (i, c) in pipe.cmds.enumerated().dropFirst() {
            switch c.args[0] {
            case .bool, .dot, .nilValue, .number, .string:
                try fail("non executable command in pipeline stage \(i + 1)")
            default:
                break
            }
        }
    }

    private mutating func parseControl(_ kind: BranchKind, _ context: String) throws(ParseFailure) -> BranchNode {
        if controlDepth >= Parser.maxStackDepth { try fail("max expression depth exceeded") }
        controlDepth += 1
        defer { controlDepth -= 1 }
        let savedVars = vars.count
        defer { vars.removeLast(vars.count - savedVars) }
        let pipe = try pipeline(context, .rightDelim)
        if kind == .rangeLoop { rangeDepth += 1 }
        let (list, next) = try itemList()
        if kind == .rangeLoop { rangeDepth -= 1 }
        var elseList: ListNode?
        switch next {
        case .end:
            break
        case .elseBranch:
            // "{{else if …}}" and "{{else with …}}" nest a new if/with whose {{end}} closes both.
            if kind == .ifBranch, try peek().kind == .ifKeyword {
                _ = try self.next()
                elseList = ListNode(pos: next.pos, nodes: [.branch(try parseControl(.ifBranch, "if"))])
            } else if kind == .with, try peek().kind == .with {
                _ = try self.next()
                elseList = ListNode(pos: next.pos, nodes: [.branch(try parseControl(.with, "with"))])
            } else {
                let (l, n) = try itemList()
                if case .end = n {} else { try fail("expected end; found \(n.description)") }
                elseList = l
            }
        default:
            break
        }
        return BranchNode(kind: kind, pos: pipe.pos, pipe: pipe, list: list, elseList: elseList)
    }

    private mutating func elseControl() throws(ParseFailure) -> Node {
        let p = try peekNonSpace()
        if p.kind == .ifKeyword || p.kind == .with { return .elseBranch(pos: p.pos) }
        return .elseBranch(pos: try expectToken(.rightDelim, "else").pos)
    }

    private mutating func blockControl() throws(ParseFailure) -> Node {
        let context = "block clause"
        let t = try nextNonSpace()
        let name = try templateName(t, context)
        let pipe = try pipeline(context, .rightDelim)
        if controlDepth >= Parser.maxStackDepth { try fail("max expression depth exceeded") }
        controlDepth += 1
        defer { controlDepth -= 1 }
        var endNode: Node = .end(pos: 0)
        var body = ListNode(pos: 0)
        try parseSubtree { (p: inout Parser) throws(ParseFailure) in
            (body, endNode) = try p.itemList()
        }
        if case .end = endNode {} else { try fail("unexpected \(endNode.description) in \(context)") }
        try add(name, body)
        return .template(TemplateNode(pos: t.pos, name: name, pipe: pipe))
    }

    private mutating func templateControl() throws(ParseFailure) -> Node {
        let context = "template clause"
        let t = try nextNonSpace()
        let name = try templateName(t, context)
        var pipe: PipeNode?
        if try nextNonSpace().kind != .rightDelim {
            backup()
            pipe = try pipeline(context, .rightDelim)
        }
        return .template(TemplateNode(pos: t.pos, name: name, pipe: pipe))
    }

    private func templateName(_ t: Token, _ context: String) throws(ParseFailure) -> String {
        switch t.kind {
        case .string, .rawString:
            guard let s = GoQuote.unquote(t.value) else { try fail("invalid syntax") }
            return s
        default:
            try unexpected(t, context)
        }
    }

    /// `operand (space operand)*` up to a pipe character or the end of the pipeline.
    private mutating func command() throws(ParseFailure) -> CommandNode {
        var cmd = CommandNode(pos: try peekNonSpace().pos)
        while true {
            _ = try peekNonSpace()
            if let operand = try operand() { cmd.args.append(operand) }
            let t = try next()
            switch t.kind {
            case .space:
                continue
            case .rightDelim, .rightParen:
                backup()
            case .pipe:
                break
            default:
                try unexpected(t, "operand")
            }
            break
        }
        if cmd.args.isEmpty { try fail("empty command") }
        return cmd
    }

    /// A term possibly followed by field accesses.
    private mutating func operand() throws(ParseFailure) -> Node? {
        guard let node = try term() else { return nil }
        guard try peek().kind == .field else { return node }
        var chain = ChainNode(pos: try peek().pos, node: node)
        while try peek().kind == .field {
            chain.fields.append(String(try next().value.dropFirst()))
        }
        switch node {
        case .field(_, let ident):
            return .field(pos: chain.pos, ident: ident + chain.fields)
        case .variable(let v):
            return .variable(VariableNode(pos: chain.pos, ident: v.ident + chain.fields))
        case .bool, .string, .number, .nilValue, .dot:
            try fail("unexpected . after term \(GoQuote.quote(node.description))")
        default:
            return .chain(chain)
        }
    }

    private mutating func term() throws(ParseFailure) -> Node? {
        let t = try nextNonSpace()
        switch t.kind {
        case .identifier:
            if !functions.contains(t.value) { try fail("function \(GoQuote.quote(t.value)) not defined") }
            return .identifier(pos: t.pos, name: t.value)
        case .dot:
            return .dot(pos: t.pos)
        case .nilKeyword:
            return .nilValue(pos: t.pos)
        case .variable:
            let ident = t.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if !vars.contains(ident[0]) { try fail("undefined variable \(GoQuote.quote(ident[0]))") }
            return .variable(VariableNode(pos: t.pos, ident: ident))
        case .field:
            return .field(pos: t.pos, ident: t.value.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init))
        case .bool:
            return .bool(pos: t.pos, value: t.value == "true")
        case .charConstant, .complex, .number:
            switch GoNumberLiteral.parse(t.value, kind: t.kind, pos: t.pos) {
            case .success(let n): return .number(n)
            case .failure(let e): try fail(e.message)
            }
        case .leftParen:
            if stackDepth >= Parser.maxStackDepth { try fail("max expression depth exceeded") }
            stackDepth += 1
            defer { stackDepth -= 1 }
            return .pipe(try pipeline("parenthesized pipeline", .rightParen))
        case .string, .rawString:
            guard let s = GoQuote.unquote(t.value) else { try fail("invalid syntax") }
            return .string(pos: t.pos, quoted: t.value, text: s)
        default:
            backup()
            return nil
        }
    }
}
