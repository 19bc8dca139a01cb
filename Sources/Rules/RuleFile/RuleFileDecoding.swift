import Yams

/// Yams's node (the Rules module has a template `Node` of its own).
typealias YAMLNode = Yams.Node

/// Reading YAML nodes the way Prometheus's strict yaml.v3 decoding into `rulefmt`'s types
/// does: any scalar may be a string (`name: 123` is the name "123"), null is the zero value,
/// a wrong kind is `cannot unmarshal !!seq into string`, and an unknown key is
/// `field foo not found in type rulefmt.Rule` — except that every problem is kept, with
/// its place, instead of the first one ending the decoding.
struct YAMLFields {
    /// A problem at a place (1-based), not yet tied to a group or rule.
    struct Problem {
        var position: SourceText.Position?
        var message: String
    }

    /// A mapping's entries, merge keys (`<<: *defaults`) applied: explicit keys win over
    /// merged ones, and earlier merged mappings over later ones, as in yaml.v3.
    static func entries(of mapping: YAMLNode.Mapping) -> [(key: YAMLNode, value: YAMLNode)] {
        var explicit: [(key: YAMLNode, value: YAMLNode)] = []
        var merged: [(key: YAMLNode, value: YAMLNode)] = []
        for (key, value) in mapping {
            if case .scalar(let k) = key, k.string == "<<", k.style == .plain || k.style == .any {
                switch value {
                case .mapping(let m):
                    merged += entries(of: m)
                    continue
                case .sequence(let s) where s.allSatisfy({ $0.mapping != nil }):
                    for case .mapping(let m) in s { merged += entries(of: m) }
                    continue
                default:
                    break
                }
            }
            explicit.append((key, value))
        }
        guard !merged.isEmpty else { return explicit }
        var seen = Set(explicit.compactMap { $0.key.scalar?.string })
        var result: [(key: YAMLNode, value: YAMLNode)] = []
        for entry in merged {
            guard let name = entry.key.scalar?.string, !seen.contains(name) else { continue }
            seen.insert(name)
            result.append(entry)
        }
        return result + explicit
    }

    /// The 1-based place of a node (where its first character, anchor or tag is).
    static func position(of node: YAMLNode) -> SourceText.Position? {
        node.mark.map { SourceText.Position(line: $0.line, column: $0.column) }
    }

    static func isNull(_ node: YAMLNode) -> Bool {
        guard case .scalar(let s) = node else { return false }
        guard s.style == .plain || s.style == .any else { return false }
        switch s.string {
        case "", "~", "null", "Null", "NULL": return true
        default: return s.tag.rawValue == Yams.Tag.Name.null.rawValue
        }
    }

    /// yaml.v3's short tag of a node: `!!map`, `!!seq`, `!!str`, `!!int`, …
    static func shortTag(of node: YAMLNode) -> String {
        switch node {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return "!!alias"
        case .scalar:
            let name = node.tag.rawValue
            let prefix = "tag:yaml.org,2002:"
            if name.hasPrefix(prefix) { return "!!" + name.dropFirst(prefix.count) }
            return name.isEmpty ? "!!str" : name
        }
    }

    /// yaml.v3's type error: `cannot unmarshal !!str `abc` into int` (long values cut to
    /// seven characters and `...`).
    static func typeError(_ node: YAMLNode, into type: String) -> Problem {
        var shown = ""
        if case .scalar(let s) = node {
            let value = s.string
            shown = value.count > 10 ? " `" + value.prefix(7) + "...`" : " `" + value + "`"
        }
        return Problem(position: position(of: node), message: "cannot unmarshal \(shortTag(of: node))\(shown) into \(type)")
    }

    /// A key of a struct-like mapping, or a problem when it is not a scalar.
    static func keyName(_ key: YAMLNode, problems: inout [Problem]) -> String? {
        if case .scalar(let s) = key { return isNull(key) ? "" : s.string }
        problems.append(typeError(key, into: "string"))
        return nil
    }

    static func unknownField(_ name: String, key: YAMLNode, type: String) -> Problem {
        Problem(position: position(of: key), message: "field \(name) not found in type \(type)")
    }

    /// A string field: any scalar as written, null as "".
    static func string(_ node: YAMLNode, problems: inout [Problem]) -> String? {
        guard case .scalar(let s) = node else {
            problems.append(typeError(node, into: "string"))
            return nil
        }
        return isNull(node) ? "" : s.string
    }

    /// An int field (`limit`): a plain integer (decimal, 0x, 0o, 0b, `_` separators), null as 0.
    static func int(_ node: YAMLNode, problems: inout [Problem]) -> Int? {
        if isNull(node) { return 0 }
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any, let value = parseInt(s.string) else {
            problems.append(typeError(node, into: "int"))
            return nil
        }
        return value
    }

    private static func parseInt(_ text: String) -> Int? {
        var body = Substring(text.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        var radix = 10
        for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            radix = r
            body = body.dropFirst(2)
        }
        guard !body.isEmpty, let magnitude = Int(body, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// A `model.Duration` field, in ms; null as 0. A non-scalar is a type error; a bad
    /// string gets Prometheus's message (`not a valid duration string: "5x"`).
    static func duration(_ node: YAMLNode, problems: inout [Problem]) -> Int64? {
        if isNull(node) { return 0 }
        guard case .scalar(let s) = node else {
            problems.append(typeError(node, into: "model.Duration"))
            return nil
        }
        switch RuleDuration.milliseconds(s.string) {
        case .success(let ms): return ms
        case .failure(let error):
            problems.append(Problem(position: position(of: node), message: error.message))
            return nil
        }
    }

    /// One `name: value` entry of a `map[string]string` (labels, annotations), with the
    /// nodes for positions.
    struct StringPair {
        var name: String
        var value: String
        var key: YAMLNode
        var valueNode: YAMLNode
    }

    /// A `map[string]string` field; null as empty. Entries whose key or value has the wrong
    /// kind are left out (with a problem).
    static func stringMap(_ node: YAMLNode, problems: inout [Problem]) -> [StringPair]? {
        if isNull(node) { return [] }
        guard case .mapping(let m) = node else {
            problems.append(typeError(node, into: "map[string]string"))
            return nil
        }
        var pairs: [StringPair] = []
        var failed = false
        for (key, value) in entries(of: m) {
            let name = string(key, problems: &problems)
            let text = string(value, problems: &problems)
            guard let name, let text else {
                failed = true
                continue
            }
            pairs.append(StringPair(name: name, value: text, key: key, valueNode: value))
        }
        return failed ? nil : pairs
    }

    /// A sequence field; null as empty.
    static func sequence(_ node: YAMLNode, of type: String, problems: inout [Problem]) -> [YAMLNode]? {
        if isNull(node) { return [] }
        guard case .sequence(let s) = node else {
            problems.append(typeError(node, into: type))
            return nil
        }
        return Array(s)
    }
}
