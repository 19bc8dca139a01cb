import Model

/// The usual shape of an alert template — text, and actions that print `$value` or a label,
/// directly or through functions (`{{ $labels.instance }}`, `{{ $value | humanize }}`,
/// `{{ printf "%.2f" $value }}`) — expanded without the interpreter and without building the
/// template data: labels are read from the sample's ``Labels``.
///
/// It does what ``Executor`` does for these templates, calling the same function bodies with
/// the same argument conversions. Anything unusual on the way (a value a parameter does not
/// accept, a function that fails) gives up, and the caller runs the interpreter, which also
/// writes Go's error message; so only the successful expansions are done here.
struct DirectTemplate: Sendable {
    /// A value an action starts from or passes to a function.
    enum Operand: Sendable {
        /// `$value`.
        case value
        /// `$labels.NAME` or `.Labels.NAME` (a missing label is empty, as `missingkey=zero` gives).
        case label(String)
        /// A string constant.
        case string(String)
    }

    /// One command of a pipeline.
    enum Command: Sendable {
        /// An operand alone (only first in a pipeline).
        case operand(Operand)
        /// A function with its arguments; the previous command's value comes last.
        case call(TemplateFunction, [Operand])
    }

    enum Piece: Sendable {
        case text(String)
        /// An action without variable declarations: its pipeline's value is printed.
        case action([Command])
    }

    let pieces: [Piece]
    /// Whether the expansion depends on the sample's labels alone: no `$value`, and no
    /// function that reads the evaluation's surroundings.
    let readsLabelsOnly: Bool

    /// Functions left to the interpreter: `and`/`or` evaluate their arguments lazily, `call`
    /// words its errors differently, and `query` runs PromQL, which must happen once only.
    private static let interpreted: Set<String> = ["and", "or", "call", "query"]
    /// Functions whose result depends on the evaluation time or the external URL.
    private static let environmental: Set<String> = ["now", "externalURL", "pathPrefix"]

    /// The direct form of `set`'s template `name` (whose first four actions are
    /// ``RuleTemplate/definitions``), or nil when some part of it needs the interpreter.
    init?(_ set: TemplateSet, name: String) {
        guard set.trees.count == 1, let root = set.trees[name], root.nodes.count >= 4 else { return nil }
        for (node, variable) in zip(root.nodes, ["$labels", "$externalLabels", "$externalURL", "$value"]) {
            guard case .action(let action) = node, action.pipe.decl.count == 1, !action.pipe.isAssign,
                  action.pipe.decl[0].ident == [variable] else { return nil }
        }
        var pieces: [Piece] = []
        var readsLabelsOnly = true
        for node in root.nodes.dropFirst(4) {
            switch node {
            case .text(_, let text):
                pieces.append(.text(text))
            case .action(let action):
                guard action.pipe.decl.isEmpty, let commands = Self.commands(action.pipe) else { return nil }
                pieces.append(.action(commands))
                for command in action.pipe.cmds {
                    for arg in command.args {
                        switch arg {
                        case .variable(let v) where v.ident == ["$value"]: readsLabelsOnly = false
                        case .identifier(_, let name) where Self.environmental.contains(name): readsLabelsOnly = false
                        default: break
                        }
                    }
                }
            default:
                return nil
            }
        }
        self.pieces = pieces
        self.readsLabelsOnly = readsLabelsOnly
    }

    private static func commands(_ pipe: PipeNode) -> [Command]? {
        var commands: [Command] = []
        for (i, cmd) in pipe.cmds.enumerated() {
            guard let first = cmd.args.first else { return nil }
            if case .identifier(_, let name) = first {
                guard !interpreted.contains(name), let function = TemplateFunctions.lookup(name) else { return nil }
                var operands: [Operand] = []
                for arg in cmd.args.dropFirst() {
                    guard let operand = operand(arg) else { return nil }
                    operands.append(operand)
                }
                // Go's argument count check (with the piped value as last argument).
                let count = operands.count + (i > 0 ? 1 : 0)
                if function.variadic == nil ? count != function.params.count : count < function.params.count { return nil }
                commands.append(.call(function, operands))
            } else {
                // An operand takes no arguments, so it can only start a pipeline.
                guard i == 0, cmd.args.count == 1, let operand = operand(first) else { return nil }
                commands.append(.operand(operand))
            }
        }
        return commands.isEmpty ? nil : commands
    }

    private static func operand(_ node: Node) -> Operand? {
        switch node {
        case .variable(let v) where v.ident == ["$value"]: .value
        case .variable(let v) where v.ident.count == 2 && v.ident[0] == "$labels": .label(v.ident[1])
        case .field(_, let ident) where ident.count == 2 && ident[0] == "Labels": .label(ident[1])
        case .string(_, _, let text): .string(text)
        default: nil
        }
    }

    /// The expansion for a sample with `labels` and `value`, or nil when the interpreter must
    /// do it.
    func expand(labels: Labels, value: Double, environment: TemplateEnvironment) -> String? {
        let context = FunctionContext(environment: environment)
        var output = ""
        var argv: [GoValue] = []
        for piece in pieces {
            switch piece {
            case .text(let text):
                output += text
            case .action(let commands):
                var result: GoValue = .invalid
                for (i, command) in commands.enumerated() {
                    switch command {
                    case .operand(let operand):
                        result = Self.evaluate(operand, labels: labels, value: value)
                    case .call(let function, let operands):
                        argv.removeAll(keepingCapacity: true)
                        for (k, operand) in operands.enumerated() {
                            let type = k < function.params.count ? function.params[k] : function.variadic ?? .any
                            guard let arg = Self.convert(Self.evaluate(operand, labels: labels, value: value), to: type) else { return nil }
                            argv.append(arg)
                        }
                        if i > 0 {
                            // The piped value goes to the last fixed parameter or the variadic one.
                            let k = argv.count
                            let type = function.variadic.map { k < function.params.count ? function.params[k] : $0 }
                                ?? function.params.last ?? .any
                            guard let arg = Self.convert(result, to: type) else { return nil }
                            argv.append(arg)
                        }
                        do {
                            result = try function.body(argv, context)
                        } catch {
                            return nil
                        }
                    }
                    // A value in an interface is dug out between commands.
                    result = result.unboxed
                }
                output += GoPrinter.printValue(result)
            }
        }
        return output
    }

    private static func evaluate(_ operand: Operand, labels: Labels, value: Double) -> GoValue {
        switch operand {
        case .value: .float(value)
        case .label(let name): .string(labels[name] ?? "")
        case .string(let text): .string(text)
        }
    }

    /// Go's `validateType` for a valid value, or nil where it would not pass it as is.
    private static func convert(_ value: GoValue, to type: ParamType) -> GoValue? {
        guard value.isValid else { return nil }
        if type == .any || type == .value || type.accepts(value) { return value }
        if case .boxed(let inner) = value, inner.isValid, type.accepts(inner) { return inner }
        return nil
    }
}
