import Yams

/// The text of a YAML file as lines of Unicode scalars, to find where a character of a
/// scalar's *value* was written in the file: an error at byte 17 of an `expr` must be
/// reported at the file line and column of that byte.
///
/// Positions are 1-based; columns count Unicode scalars, as libyaml's marks (and
/// Prometheus's yaml.v3) do. The value of a scalar differs from its source: quoted
/// scalars have escapes (`\"`, `''`, `\u00e9`), flow and plain scalars fold line breaks
/// into spaces, block scalars (`|`, `>`) drop their indentation and header. The mapping
/// replays those rules over the source and aligns the result with the value: exact for
/// plain and block scalars, and for quoted ones except in rare folding corners, where a
/// position may land on the neighbouring whitespace.
struct SourceText {
    struct Position: Hashable {
        var line: Int
        var column: Int
    }

    /// Lines without their line breaks (`\n`, `\r\n` or `\r`).
    let lines: [[Unicode.Scalar]]

    init(_ text: String) {
        var lines: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var afterCR = false
        for scalar in text.unicodeScalars {
            if afterCR {
                afterCR = false
                if scalar == "\n" { continue }
            }
            if scalar == "\n" || scalar == "\r" {
                lines.append(current)
                current = []
                afterCR = scalar == "\r"
            } else {
                current.append(scalar)
            }
        }
        lines.append(current)
        self.lines = lines
    }

    /// Where the scalar at `index` (counted in Unicode scalars) of `scalar`'s value was
    /// written; `index == value count` is the place just after the last one. Falls back
    /// to the start of the scalar's value when the source cannot be matched.
    ///
    /// `parentIndent` is the indentation (0-based column) of the mapping that holds the
    /// scalar; block scalars with an explicit indentation indicator (`|2`) need it.
    func position(ofValueScalar index: Int, in scalar: YAMLNode.Scalar, parentIndent: Int) -> Position {
        guard let mark = scalar.mark else { return Position(line: 0, column: 0) }
        let value = Array(scalar.string.unicodeScalars)
        guard let start = contentStart(of: scalar, at: Position(line: mark.line - 1, column: mark.column - 1)) else {
            return Position(line: mark.line, column: mark.column)
        }
        let stream = contentStream(of: scalar, from: start, value: value, parentIndent: parentIndent)
        guard let positions = Self.align(value, with: stream), !positions.isEmpty else {
            let first = stream.first?.position ?? start
            return Position(line: first.line + 1, column: first.column + 1)
        }
        var p: Position
        if index < positions.count {
            p = positions[max(index, 0)]
        } else {
            // The end of the value: just after its last character, or at the end of the
            // last line when the value ends with a line break.
            p = positions[positions.count - 1]
            if value.last != "\n" { p.column += 1 }
        }
        return Position(line: p.line + 1, column: p.column + 1)
    }

    /// The 1-based place in the file of `offset` bytes into `scalar`'s value (PromQL
    /// positions are byte offsets).
    func position(ofValueByte offset: Int, in scalar: YAMLNode.Scalar, parentIndent: Int) -> Position {
        position(ofValueScalar: Self.scalarIndex(ofByte: offset, in: scalar.string), in: scalar, parentIndent: parentIndent)
    }

    /// The 1-based place in the file of 1-based `line` and `column` (in Unicode scalars)
    /// inside `scalar`'s value, as template errors give them.
    func position(ofValueLine line: Int, column: Int, in scalar: YAMLNode.Scalar, parentIndent: Int) -> Position {
        var index = 0
        var currentLine = 1
        let value = Array(scalar.string.unicodeScalars)
        while currentLine < line, index < value.count {
            if value[index] == "\n" { currentLine += 1 }
            index += 1
        }
        index = min(index + max(column - 1, 0), value.count)
        return position(ofValueScalar: index, in: scalar, parentIndent: parentIndent)
    }

    static func scalarIndex(ofByte offset: Int, in text: String) -> Int {
        var bytes = 0
        var index = 0
        for scalar in text.unicodeScalars {
            if bytes >= offset { break }
            bytes += UTF8.width(scalar)
            index += 1
        }
        return index
    }

    // MARK: Replaying the source

    /// One character of the source as the value sees it, with the (0-based) place it
    /// was written. `synthetic` marks a character decoded from an escape.
    private struct Piece {
        var scalar: Unicode.Scalar
        var position: Position
    }

    private func scalarAt(_ p: Position) -> Unicode.Scalar? {
        guard p.line >= 0, p.line < lines.count, p.column >= 0, p.column < lines[p.line].count else { return nil }
        return lines[p.line][p.column]
    }

    private static func isBlank(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" }

    /// The 0-based place of the scalar's first source character: past an anchor or a tag
    /// written before it (the node's mark is where those start), and on the quote or
    /// block indicator for those styles.
    private func contentStart(of scalar: YAMLNode.Scalar, at mark: Position) -> Position? {
        var p = mark
        var guardCount = 0
        while let s = scalarAt(p), s == "&" || s == "!", guardCount < 4 {
            guardCount += 1
            while let t = scalarAt(p), !Self.isBlank(t) { p.column += 1 }
            // The value may follow on the same line or on a later one.
            while true {
                if let t = scalarAt(p), Self.isBlank(t) { p.column += 1; continue }
                if p.line < lines.count, p.column >= lines[p.line].count, p.line + 1 < lines.count {
                    p = Position(line: p.line + 1, column: 0)
                    continue
                }
                break
            }
        }
        return p.line < lines.count ? p : nil
    }

    /// The source of the scalar as a sequence of characters to align with its value:
    /// escapes decoded for quoted styles, indentation removed for block styles, line
    /// breaks kept as `\n`. Long enough for the value: a value with k spaces and line
    /// breaks spans at most k + 1 source lines beyond its empty ones, which are breaks too.
    private func contentStream(of scalar: YAMLNode.Scalar, from start: Position, value: [Unicode.Scalar], parentIndent: Int) -> [Piece] {
        let spanLimit = value.count { $0 == " " || $0 == "\n" || $0 == "\t" } + 2
        let lastLine = min(lines.count - 1, start.line + spanLimit)
        switch scalar.style {
        case .literal, .folded:
            return blockStream(from: start, lastLine: lastLine + 1, parentIndent: parentIndent)
        case .singleQuoted:
            return quotedStream(from: Position(line: start.line, column: start.column + 1), quote: "'", lastLine: lastLine)
        case .doubleQuoted:
            return quotedStream(from: Position(line: start.line, column: start.column + 1), quote: "\"", lastLine: lastLine)
        case .plain, .any:
            return plainStream(from: start, lastLine: lastLine)
        }
    }

    private func plainStream(from start: Position, lastLine: Int) -> [Piece] {
        var out: [Piece] = []
        var p = start
        while p.line <= lastLine {
            let line = lines[p.line]
            while p.column < line.count {
                out.append(Piece(scalar: line[p.column], position: p))
                p.column += 1
            }
            out.append(Piece(scalar: "\n", position: p))
            p = Position(line: p.line + 1, column: 0)
        }
        return out
    }

    private func quotedStream(from start: Position, quote: Unicode.Scalar, lastLine: Int) -> [Piece] {
        var out: [Piece] = []
        var p = start
        lines: while p.line <= lastLine {
            let line = lines[p.line]
            while p.column < line.count {
                let s = line[p.column]
                if quote == "'" && s == "'" {
                    // '' is one quote; a lone one ends the scalar.
                    guard p.column + 1 < line.count, line[p.column + 1] == "'" else { break lines }
                    out.append(Piece(scalar: "'", position: p))
                    p.column += 2
                    continue
                }
                if quote == "\"" && s == "\"" { break lines }
                if quote == "\"" && s == "\\" {
                    let escapeStart = p
                    guard p.column + 1 < line.count else {
                        // An escaped line break: nothing in the value, and the next line's
                        // leading blanks go too.
                        p = Position(line: p.line + 1, column: 0)
                        if p.line < lines.count {
                            while p.column < lines[p.line].count, Self.isBlank(lines[p.line][p.column]) { p.column += 1 }
                        }
                        continue lines
                    }
                    let (decoded, length) = Self.decodeEscape(line, at: p.column + 1)
                    out.append(Piece(scalar: decoded, position: escapeStart))
                    p.column += 1 + length
                    continue
                }
                out.append(Piece(scalar: s, position: p))
                p.column += 1
            }
            out.append(Piece(scalar: "\n", position: p))
            p = Position(line: p.line + 1, column: 0)
        }
        return out
    }

    /// The character an escape (after its backslash) stands for, and its length.
    private static func decodeEscape(_ line: [Unicode.Scalar], at i: Int) -> (Unicode.Scalar, Int) {
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "0": "\u{0}", "a": "\u{7}", "b": "\u{8}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{B}",
            "f": "\u{C}", "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "/": "/", "\\": "\\",
            "N": "\u{85}", "_": "\u{A0}", "L": "\u{2028}", "P": "\u{2029}",
        ]
        let c = line[i]
        if let decoded = simple[c] { return (decoded, 1) }
        let digits: Int
        switch c {
        case "x": digits = 2
        case "u": digits = 4
        case "U": digits = 8
        default: return (c, 1)
        }
        guard i + digits < line.count else { return (c, 1) }
        let hex = String(String.UnicodeScalarView(line[(i + 1)...(i + digits)]))
        guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else { return (c, 1) }
        return (decoded, 1 + digits)
    }

    /// A block scalar's content lines after its header line, each without the block's
    /// indentation.
    private func blockStream(from start: Position, lastLine: Int, parentIndent: Int) -> [Piece] {
        // The header: `|` or `>`, then chomping (+/-) and indentation (1-9) indicators.
        var explicitIndent: Int?
        var c = start.column + 1
        let header = lines[start.line]
        while c < header.count, header[c] == "+" || header[c] == "-" || (header[c].value >= 0x31 && header[c].value <= 0x39) {
            if header[c] != "+" && header[c] != "-" { explicitIndent = Int(header[c].value - 0x30) }
            c += 1
        }
        let first = start.line + 1
        guard first < lines.count else { return [] }
        let last = min(lastLine, lines.count - 1)
        let indent: Int
        if let explicitIndent {
            indent = max(parentIndent, 0) + explicitIndent
        } else {
            let firstContent = lines[first...last].first { line in line.contains { !Self.isBlank($0) } }
            indent = firstContent.map { $0.prefix { $0 == " " }.count } ?? 0
        }
        var out: [Piece] = []
        for l in first...last {
            let line = lines[l]
            var column = 0
            while column < indent, column < line.count, line[column] == " " { column += 1 }
            while column < line.count {
                out.append(Piece(scalar: line[column], position: Position(line: l, column: column)))
                column += 1
            }
            out.append(Piece(scalar: "\n", position: Position(line: l, column: column)))
        }
        return out
    }

    /// Each value character's place, matching the value against the source stream: equal
    /// characters pair up; a space or line break of the value may stand for a source line
    /// break (folding); source blanks and line breaks the value dropped are skipped.
    /// Nil when a visible character cannot be matched.
    private static func align(_ value: [Unicode.Scalar], with stream: [Piece]) -> [Position]? {
        var positions: [Position] = []
        positions.reserveCapacity(value.count)
        var j = 0
        for v in value {
            while true {
                guard j < stream.count else { return nil }
                let s = stream[j].scalar
                if s == v || (s == "\n" && (v == " " || v == "\n")) {
                    positions.append(stream[j].position)
                    j += 1
                    break
                }
                if s == "\n" || isBlank(s) {
                    j += 1
                    continue
                }
                if v == " " || v == "\n" {
                    // A folded break the stream shows differently: keep the place.
                    positions.append(stream[j].position)
                    break
                }
                return nil
            }
        }
        return positions
    }
}
