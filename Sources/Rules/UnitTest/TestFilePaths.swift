#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `path/filepath` operations promtool applies to `rule_files`: each entry joined to
/// the test file's folder, then expanded as a glob.
enum TestFilePaths {
    /// `filepath.Dir`: the folder of `path`, cleaned (`.` for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return clean(dir.isEmpty ? "/" : dir)
    }

    /// `filepath.Join(base, path)` for a relative `path`; absolute paths are kept.
    static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.isEmpty || path.hasPrefix("/") { return path }
        return clean(base + "/" + path)
    }

    /// `filepath.Clean`: no `.` parts, `..` resolved lexically, no repeated or trailing `/`.
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !rooted {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// The files `pattern` matches, sorted (`filepath.Glob`: `*`, `?`, `[…]`, `\` escapes;
    /// a pattern without wildcards names its file if it exists). nil: a malformed pattern.
    static func glob(_ pattern: String) -> [String]? {
        var result = glob_t()
        defer { globfree(&result) }
        #if canImport(Glibc)
        let status = Glibc.glob(pattern, GLOB_PERIOD, nil, &result)
        #else
        let status = Darwin.glob(pattern, 0, nil, &result)
        #endif
        switch status {
        case 0:
            var paths: [String] = []
            for i in 0..<Int(result.gl_pathc) {
                if let p = result.gl_pathv[i] { paths.append(String(cString: p)) }
            }
            return paths.sorted()
        case GLOB_NOMATCH:
            return []
        default:
            return nil
        }
    }
}
