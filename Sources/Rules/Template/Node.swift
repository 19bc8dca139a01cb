/// A node of a parsed template, mirroring Go's `text/template/parse` nodes: positions are
/// byte offsets in the whole parsed input and `description` is Go's `String()` (which appears
/// in execution errors as `at <…>`).
indirect enum Node: Sendable {
    case text(pos: Int, text: String)
    case action(ActionNode)
    case pipe(PipeNode)
    case command(CommandNode)
    case identifier(pos: Int, name: String)
    case variable(VariableNode)
    case dot(pos: Int)
    case nilValue(pos: Int)
    case field(pos: Int, ident: [String])
    case chain(ChainNode)
    case bool(pos: Int, value: Bool)
    case number(NumberNode)
    case string(pos: Int, quoted: String, text: String)
    case branch(BranchNode)
    case template(TemplateNode)
    case breakLoop(pos: Int)
    case continueLoop(pos: Int)
    case list(ListNode)
    /// `{{end}}` and `{{else}}` exist only while parsing.
    case end(pos: Int)
    case elseBranch(pos: Int)

    var pos: Int {
        switch self {
        case .text(let pos, _), .identifier(let pos, _), .dot(let pos), .nilValue(let pos), .field(let pos, _),
             .bool(let pos, _), .string(let pos, _, _), .breakLoop(let pos), .continueLoop(let pos), .end(let pos),
             .elseBranch(let pos):
            return pos
        case .action(let n): return n.pos
        case .pipe(let n): return n.pos
        case .command(let n): return n.pos
        case .variable(let n): return n.pos
        case .chain(let n): return n.pos
        case .number(let n): return n.pos
        case .branch(let n): return n.pos
        case .template(let n): return n.pos
        case .list(let n): return n.pos
        }
    }

    /// Go's `Node.String()`.
    var description: String {
        switch self {
        case .text(_, let text): return text
        case .action(let n): return "{{" + n.pipe.description + "}}"
        case .pipe(let n): return n.description
        case .command(let n): return n.description
        case .identifier(_, let name): return name
        case .variable(let n): return n.description
        case .dot: return "."
        case .nilValue: return "nil"
        case .field(_, let ident): return ident.map { "." + $0 }.joined()
        case .chain(let n): return n.description
        case .bool(_, let value): return value ? "true" : "false"
        case .number(let n): return n.text
        case .string(_, let quoted, _): return quoted
        case .branch(let n): return n.description
        case .template(let n):
            var s = "{{template " + GoQuote.quote(n.name)
            if let pipe = n.pipe { s += " " + pipe.description }
            return s + "}}"
        case .breakLoop: return "{{break}}"
        case .continueLoop: return "{{continue}}"
        case .list(let n): return n.nodes.map(\.description).joined()
        case .end: return "{{end}}"
        case .elseBranch: return "{{else}}"
        }
    }
}

struct ListNode: Sendable {
    var pos: Int
    var nodes: [Node] = []
}

struct ActionNode: Sendable {
    var pos: Int
    var pipe: PipeNode
}

struct VariableNode: Sendable {
    var pos: Int
    /// `$x` followed by field names: `$x.a.b` is `["$x", "a", "b"]`.
    var ident: [String]
    var description: String { ident.joined(separator: ".") }
}

struct PipeNode: Sendable {
    var pos: Int
    var isAssign = false
    var decl: [VariableNode] = []
    var cmds: [CommandNode] = []

    var description: String {
        var s = ""
        if !decl.isEmpty {
            s = decl.map(\.description).joined(separator: ", ")
            s += isAssign ? " = " : " := "
        }
        s += cmds.map(\.description).joined(separator: " | ")
        return s
    }
}

struct CommandNode: Sendable {
    var pos: Int
    var args: [Node] = []

    var description: String {
        args.map { arg in
            if case .pipe(let p) = arg { return "(" + p.description + ")" }
            return arg.description
        }.joined(separator: " ")
    }
}

struct ChainNode: Sendable {
    var pos: Int
    var node: Node
    var fields: [String] = []

    var description: String {
        var s: String
        if case .pipe(let p) = node { s = "(" + p.description + ")" } else { s = node.description }
        for f in fields { s += "." + f }
        return s
    }
}

/// A numeric constant with every representation Go's ideal constants allow.
struct NumberNode: Sendable {
    var pos: Int
    var text: String
    var isInt = false
    var isUint = false
    var isFloat = false
    var isComplex = false
    var int64: Int64 = 0
    var uint64: UInt64 = 0
    var float64: Double = 0
    var complex: (re: Double, im: Double) = (0, 0)
}

enum BranchKind: Sendable { case ifBranch, rangeLoop, with }

struct BranchNode: Sendable {
    var kind: BranchKind
    var pos: Int
    var pipe: PipeNode
    var list: ListNode
    var elseList: ListNode?

    var description: String {
        let name = switch kind {
        case .ifBranch: "if"
        case .rangeLoop: "range"
        case .with: "with"
        }
        var s = "{{" + name + " " + pipe.description + "}}" + Node.list(list).description
        if let elseList { s += "{{else}}" + Node.list(elseList).description }
        return s + "{{end}}"
    }
}

struct TemplateNode: Sendable {
    var pos: Int
    var name: String
    var pipe: PipeNode?
}
