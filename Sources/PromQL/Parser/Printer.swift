import Foundation
import Model

/// Prometheus's canonical text of an expression (`Expr.String()` in its printer): one
/// space around binary operators, `sum by (job) (x)`, matchers sorted, durations in
/// `model.Duration` form, `@` timestamps with three decimals.
extension Expr: CustomStringConvertible {
    public var description: String {
        var out = ""
        Printer.write(self, to: &out)
        return out
    }
}

extension DurationExpr: CustomStringConvertible {
    public var description: String {
        var out = ""
        Printer.write(self, to: &out)
        return out
    }
}

enum Printer {
    static func write(_ expr: Expr, to out: inout String) {
        switch expr {
        case .number(let n):
            out += numberText(n)
        case .string(let s):
            out += quote(s.value)
        case .paren(let p):
            out += "("
            write(p.expr, to: &out)
            out += ")"
        case .unary(let u):
            out += u.op.rawValue
            write(u.expr, to: &out)
        case .binary(let b):
            if b.op == .pow, case .number(let n) = b.lhs, n.value == .infinity, n.durationText == nil {
                // `+Inf ^ x` would read back as `+(Inf ^ x)`.
                out += "Inf"
            } else {
                write(b.lhs, to: &out)
            }
            out += " " + b.op.rawValue
            if b.returnBool { out += " bool" }
            if let matching = b.matching { writeMatching(matching, to: &out) }
            out += " "
            write(b.rhs, to: &out)
        case .call(let call):
            out += call.function.name + "("
            for (i, arg) in call.args.enumerated() {
                if i > 0 { out += ", " }
                write(arg, to: &out)
            }
            out += ")"
        case .aggregate(let agg):
            out += agg.op.rawValue
            if agg.without {
                out += " without (" + labelList(agg.grouping) + ") "
            } else if !agg.grouping.isEmpty {
                out += " by (" + labelList(agg.grouping) + ") "
            }
            out += "("
            if let param = agg.param {
                write(param, to: &out)
                out += ", "
            }
            write(agg.expr, to: &out)
            out += ")"
        case .vectorSelector(let vs):
            writeSelector(vs, to: &out)
            writeAt(vs.at, to: &out)
            writeExtendedRange(vs, to: &out)
            writeOffset(vs.offset, vs.offsetExpr, to: &out)
        case .matrixSelector(let ms):
            writeSelector(ms.vectorSelector, to: &out)
            out += "["
            if let e = ms.rangeExpr { write(e, to: &out) } else { out += DurationSyntax.format(milliseconds: ms.range) }
            out += "]"
            writeExtendedRange(ms.vectorSelector, to: &out)
            writeAt(ms.vectorSelector.at, to: &out)
            writeOffset(ms.vectorSelector.offset, ms.vectorSelector.offsetExpr, to: &out)
        case .subquery(let sq):
            write(sq.expr, to: &out)
            out += "["
            if let e = sq.rangeExpr { write(e, to: &out) } else { out += DurationSyntax.format(milliseconds: sq.range) }
            out += ":"
            if let e = sq.stepExpr {
                write(e, to: &out)
            } else if sq.step != 0 {
                out += DurationSyntax.format(milliseconds: sq.step)
            }
            out += "]"
            writeAt(sq.at, to: &out)
            writeOffset(sq.offset, sq.offsetExpr, to: &out)
        }
    }

    static func write(_ expr: DurationExpr, to out: inout String) {
        switch expr {
        case .literal(let ms): out += DurationSyntax.format(milliseconds: ms)
        case .number(let n): out += GoFloat.formatFixed(n)
        case .step: out += "step()"
        case .range: out += "range()"
        case .negate(let e):
            out += "-"
            write(e, to: &out)
        case .paren(let e):
            out += "("
            write(e, to: &out)
            out += ")"
        case .minOf(let a, let b), .maxOf(let a, let b):
            if case .minOf = expr { out += "min_of(" } else { out += "max_of(" }
            write(a, to: &out)
            out += ", "
            write(b, to: &out)
            out += ")"
        case .binary(let op, let a, let b):
            write(a, to: &out)
            out += " " + op.rawValue + " "
            write(b, to: &out)
        }
    }

    static func numberText(_ n: NumberLiteral) -> String {
        if n.durationText != nil { return DurationSyntax.literalText(seconds: n.value) }
        return GoFloat.formatFixed(n.value)
    }

    /// `name{a="b",c=~"d"}`: the name's own matcher left out, the others sorted.
    static func writeSelector(_ vs: VectorSelector, to out: inout String) {
        var matchers: [String] = []
        for m in vs.matchers {
            if m.name == LabelName.metricName, m.type == .equal, let name = vs.name, m.value == name, !name.isEmpty {
                continue
            }
            let name = MetricNames.isValidLegacyLabelName(m.name) ? m.name : quote(m.name)
            matchers.append(name + m.type.rawValue + quote(m.value))
        }
        out += vs.name ?? ""
        if !matchers.isEmpty {
            matchers.sort(by: ByteOrder.less)
            out += "{" + matchers.joined(separator: ",") + "}"
        }
    }

    static func writeAt(_ at: AtModifier?, to out: inout String) {
        switch at {
        case .timestamp(let ms): out += " @ " + GoFormat.seconds3(milliseconds: ms)
        case .start: out += " @ start()"
        case .end: out += " @ end()"
        case nil: break
        }
    }

    static func writeOffset(_ ms: Int64, _ expr: DurationExpr?, to out: inout String) {
        if let expr {
            out += " offset "
            write(expr, to: &out)
        } else if ms != 0 {
            out += " offset " + DurationSyntax.format(milliseconds: ms)
        }
    }

    /// ` anchored` / ` smoothed`: Prometheus writes it after the `@` of an instant selector
    /// (before its offset) and right after the `]` of a range selector.
    static func writeExtendedRange(_ vs: VectorSelector, to out: inout String) {
        if vs.anchored {
            out += " anchored"
        } else if vs.smoothed {
            out += " smoothed"
        }
    }

    /// ` fill (v)` when both sides fill with the same value, else ` fill_left (v)` and/or
    /// ` fill_right (v)`; values in Go's `%v` form.
    static func writeFill(_ fill: FillValues, to out: inout String) {
        func text(_ v: Double) -> String { GoFloat.format(v) }
        if let l = fill.lhs, let r = fill.rhs, l.bitPattern == r.bitPattern || (l.isNaN && r.isNaN) {
            out += " fill (" + text(l) + ")"
            return
        }
        if let l = fill.lhs { out += " fill_left (" + text(l) + ")" }
        if let r = fill.rhs { out += " fill_right (" + text(r) + ")" }
    }

    static func writeMatching(_ m: VectorMatching, to out: inout String) {
        let grouped = m.cardinality == .manyToOne || m.cardinality == .oneToMany
        if !m.matchingLabels.isEmpty || m.on || grouped {
            out += (m.on ? " on (" : " ignoring (") + labelList(m.matchingLabels) + ")"
        }
        if grouped {
            out += (m.cardinality == .manyToOne ? " group_left (" : " group_right (") + labelList(m.include) + ")"
        }
        writeFill(m.fill, to: &out)
    }

    /// Labels as Prometheus writes them: quoted unless legacy-valid. Words the lexer
    /// would not read back as a label (`without`, `inf`, `nan`) are quoted too.
    static func labelList(_ labels: [String]) -> String {
        labels.map { label in
            let lower = label.lowercased()
            let plain = MetricNames.isValidLegacyLabelName(label) && lower != "without" && lower != "inf" && lower != "nan"
            return plain ? label : quote(label)
        }.joined(separator: ", ")
    }

    /// Go's quoting, except that U+FFFD is escaped: it stands for bytes that were not
    /// UTF-8 (Swift strings cannot hold them) and the lexer rejects it written literally.
    static func quote(_ s: String) -> String {
        let quoted = GoString.quote(s)
        guard quoted.unicodeScalars.contains("\u{FFFD}") else { return quoted }
        return quoted.replacingOccurrences(of: "\u{FFFD}", with: "\\ufffd")
    }
}
