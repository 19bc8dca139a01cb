/// Which names are valid: Prometheus 3 accepts any non-empty UTF-8 name (quoted in PromQL
/// and the exposition formats when it is not legacy-valid); the legacy scheme is the
/// classic `[a-zA-Z_:][a-zA-Z0-9_:]*` charset.
public enum NameValidationScheme: String, Sendable, CaseIterable {
    case legacy
    case utf8
}

/// Metric and label name validation.
public enum MetricNames {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValidLegacyMetricName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let ok = isLetterOrUnderscore(byte) || byte == UInt8(ascii: ":") || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    public static func isValidLegacyLabelName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let ok = isLetterOrUnderscore(byte) || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Whether `name` is a valid metric name under `scheme`.
    public static func isValidMetricName(_ name: String, scheme: NameValidationScheme = .utf8) -> Bool {
        switch scheme {
        case .legacy: return isValidLegacyMetricName(name)
        case .utf8: return !name.isEmpty  // Swift strings are always valid UTF-8.
        }
    }

    /// Whether `name` is a valid label name under `scheme`.
    public static func isValidLabelName(_ name: String, scheme: NameValidationScheme = .utf8) -> Bool {
        switch scheme {
        case .legacy: return isValidLegacyLabelName(name)
        case .utf8: return !name.isEmpty
        }
    }

    @inline(__always) static func isLetterOrUnderscore(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b == 0x5f
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
