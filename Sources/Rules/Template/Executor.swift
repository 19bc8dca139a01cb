/// How execution stops early: an error (Go's full `template: …` text) or a loop jump.
enum ExecSignal: Error {
    case failure(String)
    case breakLoop
    case continueLoop
}

/// Executes parsed templates with Go's text/template semantics (`exec.go`): variable scoping,
/// pipelines with the previous value as final argument, argument conversion with Go's checks,
/// `missingkey=zero`, and errors that name the node being evaluated as Go does.
struct Executor {
    /// Deepest nesting of `{{template}}` calls plus the blocks inside them (Go allows 100000
    /// template calls and reports that number; recursion here is bounded lower so that a
    /// recursive template cannot exhaust a thread's stack).
    static let maxTemplateDepth = 200

    private let set: TemplateSet
    private let parseName: String
    private let input: [UInt8]
    private let context: FunctionContext

    private var templateName: String
    private var node: Node?
    private var vars: [(name: String, value: GoValue)] = []
    private var depth = 0
    private(set) var output = ""

    init(set: TemplateSet, parseName: String, input: [UInt8], context: FunctionContext) {
        self.set = set
        self.parseName = parseName
        self.input = input
        self.context = context
        templateName = parseName
    }

    /// Runs the top-level template with `data` as dot and `$`.
    mutating func execute(_ data: GoValue) throws(ExecSignal) {
        vars = [("$", data)]
        guard let root = set.trees[parseName] else {
            try fail("\(GoQuote.quote(parseName)) is an incomplete or empty template")
        }
        do {
            try walk(data, .list(root))
        } catch .breakLoop, .continueLoop {
            // Not reachable: the parser allows them only inside range.
        }
    }

    // MARK: Errors

    private func fail(_ message: String) throws(ExecSignal) -> Never {
        guard let node else { throw .failure("template: \(templateName): \(message)") }
        let pos = min(node.pos, input.count)
        var lineStart = 0
        var line = 1
        for i in 0..<pos where input[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        let column = line == 1 ? pos : pos - lineStart
        throw .failure("template: \(parseName):\(line):\(column): executing \(GoQuote.quote(templateName)) at <\(node.description)>: \(message)")
    }

    // MARK: Variables

    private mutating func setVar(_ name: String, _ value: GoValue) throws(ExecSignal) {
        for i in stride(from: vars.count - 1, through: 0, by: -1) where vars[i].name == name {
            vars[i].value = value
            return
        }
        try fail("undefined variable: \(name)")
    }

    private mutating func setTopVar(_ n: Int, _ value: GoValue) {
        vars[vars.count - n].value = value
    }

    private func varValue(_ name: String) throws(ExecSignal) -> GoValue {
        for i in stride(from: vars.count - 1, through: 0, by: -1) where vars[i].name == name {
            return vars[i].value
        }
        try fail("undefined variable: \(name)")
    }

    private mutating func pop(_ mark: Int) {
        if vars.count > mark { vars.removeLast(vars.count - mark) }
    }

    // MARK: Walking

    private mutating func walk(_ dot: GoValue, _ n: Node) throws(ExecSignal) {
        node = n
        switch n {
        case .action(let a):
            let value = try evalPipeline(dot, a.pipe)
            if a.pipe.decl.isEmpty {
                node = n
                output += GoPrinter.printValue(value)
            }
        case .breakLoop:
            throw .breakLoop
        case .continueLoop:
            throw .continueLoop
        case .branch(let b):
            depth += 1
            defer { depth -= 1 }
            switch b.kind {
            case .ifBranch, .with: try walkIfOrWith(b, dot)
            case .rangeLoop: try walkRange(b, dot)
            }
        case .list(let l):
            for child in l.nodes { try walk(dot, child) }
        case .template(let t):
            try walkTemplate(t, dot)
        case .text(_, let text):
            output += text
        default:
            try fail("unknown node: \(n.description)")
        }
    }

    private mutating func walkIfOrWith(_ b: BranchNode, _ dot: GoValue) throws(ExecSignal) {
        let mark = vars.count
        defer { pop(mark) }
        let value = try evalPipeline(dot, b.pipe)
        guard let truth = value.unboxed.truth else {
            try fail("if/with can't use \(GoPrinter.printValue(value))")
        }
        if truth {
            try walk(b.kind == .with ? value : dot, .list(b.list))
        } else if let elseList = b.elseList {
            try walk(dot, .list(elseList))
        }
    }

    private mutating func walkRange(_ r: BranchNode, _ dot: GoValue) throws(ExecSignal) {
        node = .branch(r)
        let mark = vars.count
        defer { pop(mark) }
        let value = try evalPipeline(dot, r.pipe).unboxed
        let bodyMark = vars.count

        // Runs the body once; returns false after {{break}}.
        func iteration(_ this: inout Executor, _ index: GoValue, _ element: GoValue) throws(ExecSignal) -> Bool {
            let decl = r.pipe.decl
            if !decl.isEmpty {
                if r.pipe.isAssign {
                    try this.setVar(decl[0].ident[0], decl.count > 1 ? index : element)
                } else {
                    this.setTopVar(1, element)
                }
            }
            if decl.count > 1 {
                if r.pipe.isAssign {
                    try this.setVar(decl[1].ident[0], element)
                } else {
                    this.setTopVar(2, index)
                }
            }
            defer { this.pop(bodyMark) }
            do {
                try this.walk(element, .list(r.list))
            } catch .continueLoop {
            } catch .breakLoop {
                return false
            }
            return true
        }

        var ranOnce = false
        switch value {
        case .samples(let list):
            for (i, s) in list.enumerated() {
                ranOnce = true
                if try !iteration(&self, .int(i), .sample(s)) { break }
            }
        case .labels(let m):
            for k in m.keys.sorted(by: GoStringOrder.less) {
                ranOnce = true
                if try !iteration(&self, .string(k), .string(m[k]!)) { break }
            }
        case .anyMap(let m):
            for k in m.keys.sorted(by: GoStringOrder.less) {
                ranOnce = true
                if try !iteration(&self, .string(k), .boxed(m[k]!)) { break }
            }
        case let v where v.signedInteger != nil:
            if r.pipe.decl.count > 1 {
                try fail("can't use \(GoPrinter.printValue(v)) to iterate over more than one variable")
            }
            let n = v.signedInteger!
            var i: Int64 = 0
            while i < n {
                ranOnce = true
                let element: GoValue = switch v {
                case .int: .int(Int(i))
                case .int64: .int64(i)
                case .month: .month(Int(i))
                case .weekday: .weekday(Int(i))
                default: .duration(nanoseconds: i, pointer: false)
                }
                if try !iteration(&self, element, element) { break }
                i += 1
            }
        case .invalid:
            break
        case .sample(let s?):
            try fail("range can't iterate over \(GoPrinter.sprint([.sampleStruct(s)]))")
        default:
            try fail("range can't iterate over \(GoPrinter.printValue(value))")
        }
        if !ranOnce, let elseList = r.elseList {
            try walk(dot, .list(elseList))
        }
    }

    private mutating func walkTemplate(_ t: TemplateNode, _ dot: GoValue) throws(ExecSignal) {
        node = .template(t)
        guard let root = set.trees[t.name] else { try fail("template \(GoQuote.quote(t.name)) not defined") }
        if depth >= Executor.maxTemplateDepth { try fail("exceeded maximum template depth (100000)") }
        let newDot = try evalPipeline(dot, t.pipe)
        let saved = (vars, templateName, node, depth)
        vars = [("$", newDot)]
        templateName = t.name
        depth += 1
        defer { (vars, templateName, node, depth) = saved }
        try walk(newDot, .list(root))
    }

    // MARK: Pipelines and commands

    private mutating func evalPipeline(_ dot: GoValue, _ pipe: PipeNode?) throws(ExecSignal) -> GoValue {
        guard let pipe else { return .invalid }
        node = .pipe(pipe)
        var value: GoValue? = nil
        for cmd in pipe.cmds {
            var v = try evalCommand(dot, cmd, final: value)
            // Dig into an interface{} value.
            if case .boxed(let inner) = v { v = inner }
            value = v
        }
        let result = value ?? .invalid
        for variable in pipe.decl {
            if pipe.isAssign {
                try setVar(variable.ident[0], result)
            } else {
                vars.append((variable.ident[0], result))
            }
        }
        return result
    }

    private mutating func notAFunction(_ args: [Node]?, _ final: GoValue?) throws(ExecSignal) {
        let count = args?.count ?? 0
        if count > 1 || final != nil {
            try fail("can't give argument to non-function \(args?.first?.description ?? "")")
        }
    }

    private mutating func evalCommand(_ dot: GoValue, _ cmd: CommandNode, final: GoValue?) throws(ExecSignal) -> GoValue {
        let first = cmd.args[0]
        switch first {
        case .field(_, let ident):
            return try evalFieldNode(dot, first, ident, cmd.args, final)
        case .chain(let c):
            return try evalChainNode(dot, c, cmd.args, final)
        case .identifier(_, let name):
            return try evalFunction(dot, first, name, .command(cmd), cmd.args, final)
        case .pipe(let p):
            try notAFunction(cmd.args, final)
            return try evalPipeline(dot, p)
        case .variable(let v):
            return try evalVariableNode(dot, v, cmd.args, final)
        default:
            break
        }
        node = first
        try notAFunction(cmd.args, final)
        switch first {
        case .bool(_, let b): return .bool(b)
        case .dot: return dot
        case .nilValue: try fail("nil is not a command")
        case .number(let n): return try idealConstant(n)
        case .string(_, _, let text): return .string(text)
        default: try fail("can't evaluate command \(GoQuote.quote(first.description))")
        }
    }

    /// A number literal where no type is expected: int, float64 or complex128 by its syntax.
    private mutating func idealConstant(_ n: NumberNode) throws(ExecSignal) -> GoValue {
        node = .number(n)
        if n.isComplex { return .complex(n.complex.re, n.complex.im) }
        let t = n.text
        let isHexInt = t.count > 2 && t.hasPrefix("0") && (t.dropFirst().first == "x" || t.dropFirst().first == "X")
            && !t.contains(where: { $0 == "p" || $0 == "P" })
        let isRuneInt = t.hasPrefix("'")
        if n.isFloat && !isHexInt && !isRuneInt && t.contains(where: { ".eEpP".contains($0) }) {
            return .float(n.float64)
        }
        if n.isInt { return .int(Int(n.int64)) }
        if n.isUint { try fail("\(t) overflows int") }
        return .invalid
    }

    private mutating func evalFieldNode(_ dot: GoValue, _ field: Node, _ ident: [String], _ args: [Node]?, _ final: GoValue?) throws(ExecSignal) -> GoValue {
        node = field
        return try evalFieldChain(dot, dot, field, ident, args, final)
    }

    private mutating func evalChainNode(_ dot: GoValue, _ chain: ChainNode, _ args: [Node]?, _ final: GoValue?) throws(ExecSignal) -> GoValue {
        node = .chain(chain)
        if chain.fields.isEmpty { try fail("internal error: no fields in evalChainNode") }
        if case .nilValue = chain.node { try fail("indirection through explicit nil in \(chain.description)") }
        let pipe = try evalArg(dot, nil, chain.node)
        return try evalFieldChain(dot, pipe, .chain(chain), chain.fields, args, final)
    }

    private mutating func evalVariableNode(_ dot: GoValue, _ v: VariableNode, _ args: [Node]?, _ final: GoValue?) throws(ExecSignal) -> GoValue {
        node = .variable(v)
        let value = try varValue(v.ident[0])
        if v.ident.count == 1 {
            try notAFunction(args, final)
            return value
        }
        return try evalFieldChain(dot, value, .variable(v), Array(v.ident.dropFirst()), args, final)
    }

    private mutating func evalFieldChain(_ dot: GoValue, _ receiver: GoValue, _ n: Node, _ ident: [String], _ args: [Node]?, _ final: GoValue?) throws(ExecSignal) -> GoValue {
        var r = receiver
        for name in ident.dropLast() {
            r = try evalField(dot, name, n, nil, nil, r)
        }
        return try evalField(dot, ident[ident.count - 1], n, args, final, r)
    }

    private mutating func evalFunction(_ dot: GoValue, _ ident: Node, _ name: String, _ cmd: Node, _ args: [Node]?, _ final: GoValue?) throws(ExecSignal) -> GoValue {
        node = ident
        guard let fn = TemplateFunctions.lookup(name) else { try fail("\(GoQuote.quote(name)) is not a defined function") }
        return try evalCall(dot, fn, cmd, name, args, final)
    }

    /// `.Field` of a value: a struct field or a map key (missing keys give the zero value).
    private mutating func evalField(_ dot: GoValue, _ name: String, _ n: Node, _ args: [Node]?, _ final: GoValue?, _ receiver: GoValue) throws(ExecSignal) -> GoValue {
        guard receiver.isValid else { return .invalid }
        let typ = receiver.typeName
        let r = receiver.unboxed
        if case .boxed = receiver, !r.isValid { try fail("nil pointer evaluating \(typ).\(name)") }
        if let method = Methods.lookup(r, name) {
            return try evalCall(dot, method, n, name, args, final)
        }
        let hasArgs = (args?.count ?? 0) > 1 || final != nil
        switch r {
        case .data(let d):
            let value: GoValue? = switch name {
            case "Labels": .labels(d.labels)
            case "ExternalLabels": .labels(d.externalLabels)
            case "ExternalURL": .string(d.externalURL)
            case "Value": .boxed(.float(d.value))
            default: nil
            }
            if let value {
                if hasArgs { try fail("\(name) has arguments but cannot be invoked as function") }
                return value
            }
        case .sample(let s):
            if name == "Labels" || name == "Value" {
                guard let s else { try fail("nil pointer evaluating \(typ).\(name)") }
                if hasArgs { try fail("\(name) has arguments but cannot be invoked as function") }
                return name == "Labels" ? .labels(s.labels) : .boxed(.float(s.value))
            }
        case .labels(let m):
            if hasArgs { try fail("\(name) is not a method but has arguments") }
            return .string(m[name] ?? "")
        case .anyMap(let m):
            if hasArgs { try fail("\(name) is not a method but has arguments") }
            return .boxed(m[name] ?? .invalid)
        default:
            break
        }
        try fail("can't evaluate field \(name) in type \(typ)")
    }

    // MARK: Calls

    private mutating func evalCall(_ dot: GoValue, _ fn: TemplateFunction, _ callNode: Node, _ name: String, _ args: [Node]?, _ final: GoValue?) throws(ExecSignal) -> GoValue {
        let argNodes = args.map { Array($0.dropFirst()) } ?? []
        let numIn = argNodes.count + (final == nil ? 0 : 1)
        var numFixed = argNodes.count
        if fn.variadic != nil {
            numFixed = fn.params.count
            if numIn < numFixed {
                try fail("wrong number of args for \(name): want at least \(fn.params.count) got \(argNodes.count)")
            }
        } else if numIn != fn.params.count {
            try fail("wrong number of args for \(name): want \(fn.params.count) got \(numIn)")
        }

        // and/or evaluate their arguments lazily and return one of them.
        if fn.isBuiltin && (name == "and" || name == "or") {
            var v: GoValue = .invalid
            for arg in argNodes {
                v = try evalArg(dot, .value, arg)
                if (v.unboxed.truth ?? false) == (name == "or") { return v }
            }
            if let final { v = try validateType(final, .value) }
            return v
        }

        var argv: [GoValue] = []
        var i = 0
        while i < numFixed && i < argNodes.count {
            argv.append(try evalArg(dot, fn.params[i], argNodes[i]))
            i += 1
        }
        if let variadic = fn.variadic {
            while i < argNodes.count {
                argv.append(try evalArg(dot, variadic, argNodes[i]))
                i += 1
            }
        }
        if let final {
            var t = fn.params.last ?? .any
            if let variadic = fn.variadic {
                t = numIn - 1 < numFixed ? fn.params[numIn - 1] : variadic
            }
            argv.append(try validateType(final, t))
        }
        if fn.isBuiltin && name == "call", argNodes.isEmpty == false {
            // Go names the callee in call's error messages.
            let callee = argNodes[0].description
            do {
                return try fn.body(argv, context)
            } catch {
                node = callNode
                try fail("error calling call: \(error.message.replacingFirstText("non-function ", with: "non-function \(callee) "))")
            }
        }
        do {
            return try fn.body(argv, context)
        } catch {
            node = callNode
            try fail("error calling \(name): \(error.message)")
        }
    }

    /// Go's `validateType`: the value converted for a parameter, or an error.
    private mutating func validateType(_ value: GoValue, _ typ: ParamType?) throws(ExecSignal) -> GoValue {
        guard value.isValid else {
            guard let typ else { return .invalid }
            if typ.canBeNil { return typ.zero }
            try fail("invalid value; expected \(typ.goName)")
        }
        guard let typ, typ != .any, typ != .value else { return value }
        if typ.accepts(value) { return value }
        if case .boxed(let inner) = value, inner.isValid {
            if typ.accepts(inner) { return inner }
            try fail("wrong type for value; expected \(typ.goName); got \(inner.typeName)")
        }
        try fail("wrong type for value; expected \(typ.goName); got \(value.typeName)")
    }

    private mutating func evalArg(_ dot: GoValue, _ typ: ParamType?, _ n: Node) throws(ExecSignal) -> GoValue {
        node = n
        switch n {
        case .dot:
            return try validateType(dot, typ)
        case .nilValue:
            if let typ, typ.canBeNil { return typ.zero }
            try fail("cannot assign nil to \(typ?.goName ?? "<nil>")")
        case .field(_, let ident):
            return try validateType(try evalFieldNode(dot, n, ident, [n], nil), typ)
        case .variable(let v):
            return try validateType(try evalVariableNode(dot, v, nil, nil), typ)
        case .pipe(let p):
            return try validateType(try evalPipeline(dot, p), typ)
        case .identifier(_, let name):
            return try validateType(try evalFunction(dot, n, name, n, nil, nil), typ)
        case .chain(let c):
            return try validateType(try evalChainNode(dot, c, nil, nil), typ)
        default:
            break
        }
        guard let typ else { try fail("can't handle \(n.description) for arg of type <nil>") }
        switch typ {
        case .string:
            node = n
            if case .string(_, _, let text) = n { return .string(text) }
            try fail("expected string; found \(n.description)")
        case .any, .value:
            return try evalEmptyInterface(dot, n)
        case .samples, .sample:
            try fail("can't handle \(n.description) for arg of type \(typ.goName)")
        }
    }

    private mutating func evalEmptyInterface(_ dot: GoValue, _ n: Node) throws(ExecSignal) -> GoValue {
        node = n
        switch n {
        case .bool(_, let b): return .bool(b)
        case .dot: return dot
        case .field(_, let ident): return try evalFieldNode(dot, n, ident, nil, nil)
        case .identifier(_, let name): return try evalFunction(dot, n, name, n, nil, nil)
        case .nilValue: try fail("evalEmptyInterface: nil (can't happen)")
        case .number(let num): return try idealConstant(num)
        case .string(_, _, let text): return .string(text)
        case .variable(let v): return try evalVariableNode(dot, v, nil, nil)
        case .pipe(let p): return try evalPipeline(dot, p)
        default: try fail("can't handle assignment of \(n.description) to empty interface argument")
        }
    }
}

/// The functions a Prometheus template can call: Prometheus's map, then text/template's builtins.
enum TemplateFunctions {
    static func lookup(_ name: String) -> TemplateFunction? {
        PrometheusFunctions.table[name] ?? Builtins.table[name]
    }

    static let names: Set<String> = Set(PrometheusFunctions.table.keys).union(Builtins.table.keys)
}

extension String {
    fileprivate func replacingFirstText(_ target: String, with replacement: String) -> String {
        guard let r = firstRange(ofText: target) else { return self }
        return String(self[..<r.lowerBound]) + replacement + String(self[r.upperBound...])
    }

    fileprivate func firstRange(ofText target: String) -> Range<String.Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(target) { return i..<index(i, offsetBy: target.count) }
            i = index(after: i)
        }
        return nil
    }
}
