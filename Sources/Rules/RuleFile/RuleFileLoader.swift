import Foundation
import Model
import Yams

/// Loads Prometheus rule files (`groups: [{name, interval, query_offset, limit, labels,
/// rules: [{record | alert, expr, for, keep_firing_for, labels, annotations}]}]`) with all
/// of Prometheus's validation (`rulefmt.Parse` with strict fields).
///
/// A file loads completely or not at all: every problem is collected — YAML syntax, unknown
/// fields, wrong types, bad durations, names, expressions and templates — and thrown
/// together as a ``RuleFileError`` whose diagnostics read `FILE:LINE:COLUMN: MESSAGE`,
/// messages about a rule naming it (`group "api", rule 2, "HighLatency": …`). Expression and
/// template errors point at the offending character inside the value, not just at the
/// value. Only the first YAML document of a file is read, as Prometheus does.
public enum RuleFileLoader {
    public struct Options: Sendable {
        /// Accept unknown keys (promtool's `--ignore-unknown-fields`); strict by default.
        public var ignoreUnknownFields: Bool
        /// Parse expressions with Prometheus's experimental PromQL (`limitk`, `limit_ratio`,
        /// experimental functions, duration expressions), which Prometheus enables with
        /// feature flags; off by default, as there.
        public var experimentalPromQL: Bool
        /// Which metric and label names are valid: Prometheus 3's UTF-8 names by default.
        public var nameValidation: NameValidationScheme

        public init(ignoreUnknownFields: Bool = false, experimentalPromQL: Bool = false, nameValidation: NameValidationScheme = .utf8) {
            self.ignoreUnknownFields = ignoreUnknownFields
            self.experimentalPromQL = experimentalPromQL
            self.nameValidation = nameValidation
        }
    }

    /// The rule file at `path`.
    public static func load(path: String, options: Options = Options()) throws(RuleFileError) -> RuleFile {
        let bytes: [UInt8]
        do {
            bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw RuleFileError(diagnostics: [RuleFileDiagnostic(file: path, location: nil, message: readFailure(path))])
        }
        return try parse(bytes, path: path, options: options)
    }

    /// Every file of `paths`, in order; throws all problems of all files if any has one.
    /// (Glob patterns are expanded by the caller.)
    public static func load(paths: [String], options: Options = Options()) throws(RuleFileError) -> [RuleFile] {
        var files: [RuleFile] = []
        var diagnostics: [RuleFileDiagnostic] = []
        for path in paths {
            do {
                files.append(try load(path: path, options: options))
            } catch {
                diagnostics += error.diagnostics
            }
        }
        if !diagnostics.isEmpty { throw RuleFileError(diagnostics: diagnostics) }
        return files
    }

    /// A rule file's content; `path` names it in the result and in messages.
    public static func parse(_ bytes: [UInt8], path: String, options: Options = Options()) throws(RuleFileError) -> RuleFile {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let position = invalidUTF8Position(bytes)
            throw RuleFileError(diagnostics: [RuleFileDiagnostic(
                file: path, location: SourceLocation(file: path, line: position.line, column: position.column),
                message: "yaml: invalid UTF-8")])
        }
        return try parse(text, path: path, options: options)
    }

    /// A rule file's text; `path` names it in the result and in messages.
    public static func parse(_ text: String, path: String, options: Options = Options()) throws(RuleFileError) -> RuleFile {
        let root: YAMLNode?
        do {
            // The first document only, as Prometheus's decoder reads it.
            root = try Yams.Parser(yaml: text).nextRoot()
        } catch {
            throw RuleFileError(diagnostics: [yamlDiagnostic(error, path: path, text: text)])
        }
        var validator = RuleFileValidator(path: path, text: text, options: options)
        let groups = validator.groups(of: root)
        if !validator.diagnostics.isEmpty { throw RuleFileError(diagnostics: validator.diagnostics) }
        return RuleFile(path: path, groups: groups)
    }

    // MARK: Errors before validation

    private static func readFailure(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "open \(path): no such file or directory"
        }
        if isDirectory.boolValue { return "read \(path): is a directory" }
        return "open \(path): permission denied"
    }

    private static func invalidUTF8Position(_ bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1, i = 0
        while i < bytes.count {
            let b = bytes[i]
            let width = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            guard width > 0, i + width <= bytes.count,
                  String(validating: bytes[i..<(i + width)], as: UTF8.self) != nil
            else { return (line, column) }
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += width
        }
        return (line, column)
    }

    /// A YAML syntax error as a diagnostic at its place.
    private static func yamlDiagnostic(_ error: any Error, path: String, text: String) -> RuleFileDiagnostic {
        func at(_ line: Int, _ column: Int, _ message: String) -> RuleFileDiagnostic {
            RuleFileDiagnostic(file: path, location: SourceLocation(file: path, line: line, column: column), message: message)
        }
        func at(_ mark: Yams.Mark, _ message: String) -> RuleFileDiagnostic { at(mark.line, mark.column, message) }
        func describe(_ context: Yams.YamlError.Context?, _ problem: String) -> String {
            guard let context else { return "yaml: \(problem)" }
            return "yaml: \(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        guard let error = error as? Yams.YamlError else {
            return RuleFileDiagnostic(file: path, location: nil, message: "yaml: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return at(mark, describe(context, problem))
        case .reader(let problem, let offset, _, _):
            // The offset counts Characters.
            var line = 1, column = 1
            for character in text.prefix(offset ?? 0) {
                if character == "\n" || character == "\r\n" || character == "\r" {
                    line += 1
                    column = 1
                } else {
                    column += character.unicodeScalars.count
                }
            }
            return at(line, column, "yaml: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            // Yams marks the first occurrence; the repetition is the next key of that name
            // at the same column.
            let first = context.mark
            let source = SourceText(text)
            let keyScalars = Array(key.unicodeScalars)
            for line in first.line..<source.lines.count {
                let columns = source.lines[line]
                let c = first.column - 1
                guard c + keyScalars.count <= columns.count, Array(columns[c..<(c + keyScalars.count)]) == keyScalars else { continue }
                let rest = columns[(c + keyScalars.count)...].drop { $0 == " " || $0 == "\t" }
                guard rest.first == ":" else { continue }
                return at(line + 1, first.column,
                          "yaml: mapping key \(GoString.quote(key)) already defined at line \(first.line)")
            }
            return at(first, "yaml: mapping key \(GoString.quote(key)) defined more than once")
        default:
            return RuleFileDiagnostic(file: path, location: nil, message: "yaml: \(error)")
        }
    }
}
