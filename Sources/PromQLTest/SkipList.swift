/// Scripts and evals that are not run, each with the reason: features Hindsight does not
/// have yet. Skips are always reported and counted, never silent; remove an entry when its
/// feature lands.
public struct SkipList: Sendable, Hashable {
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// A script's file name, with or without `.test` (`info` or `info.test`).
        public var file: String
        /// One eval's line, or nil for the whole file.
        public var line: Int?
        public var reason: String

        public init(file: String, line: Int? = nil, reason: String) {
            self.file = file
            self.line = line
            self.reason = reason
        }

        public var description: String {
            "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Nothing skipped (`hindsight test promql --no-skip`).
    public static let none = SkipList(entries: [])

    /// The upstream corpus files that exercise features Hindsight does not have yet.
    /// (`duration_expression` and `limit` left the list when duration arithmetic and
    /// `limitk`/`limit_ratio` landed, `fill-modifier` and `extended_vectors` when the fill
    /// modifiers and anchored/smoothed selectors did; `limit` and `extended_vectors` mix
    /// native histograms into some evals, which are skipped one by one.)
    public static let conformance = SkipList(entries: [
        Entry(file: "type_and_unit", reason: "type and unit labels (__type__, __unit__) are not implemented"),
        Entry(file: "start_timestamps", reason: "start timestamps (@st load lines) are not stored"),
        Entry(file: "native_histograms", reason: "native histograms are not stored (the storage holds floats only)"),
    ])

    /// The entry that skips the whole file at `path`.
    public func fileEntry(for path: String) -> Entry? {
        let name = Self.baseName(path)
        return entries.first { $0.line == nil && Self.sameFile($0.file, name) }
    }

    /// The entry that skips the eval at `line` of `path`.
    public func lineEntry(for path: String, line: Int) -> Entry? {
        let name = Self.baseName(path)
        return entries.first { $0.line == line && Self.sameFile($0.file, name) }
    }

    /// Reads `FILE[:LINE] REASON` lines (`#` comments and blank lines ignored).
    public static func parse(_ text: String) throws(ScriptError) -> SkipList {
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = ScriptParser.Words(line)
            guard words.tokens.count >= 2 else {
                throw ScriptError(line: index + 1, message: "expected 'FILE[:LINE] REASON'")
            }
            let target = words.tokens[0]
            let reason = String(decoding: Array(line.utf8)[words.offsets[1]...], as: UTF8.self)
            if let colon = target.lastIndex(of: ":"), let n = Int(target[target.index(after: colon)...]) {
                entries.append(Entry(file: String(target[..<colon]), line: n, reason: reason))
            } else {
                entries.append(Entry(file: target, reason: reason))
            }
        }
        return SkipList(entries: entries)
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func sameFile(_ entry: String, _ name: String) -> Bool {
        entry == name || entry + ".test" == name
    }
}
