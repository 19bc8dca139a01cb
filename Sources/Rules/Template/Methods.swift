import Model

/// The methods a template can call on the values Prometheus's functions return: `toTime`'s
/// `*time.Time` and `toDuration`'s `time.Duration` (and the `time.Month`/`time.Weekday` they give).
enum Methods {
    static func lookup(_ receiver: GoValue, _ name: String) -> TemplateFunction? {
        switch receiver {
        case .time(let ns, _): timeMethod(ns, name)
        case .duration(let ns, _): durationMethod(ns, name)
        case .month, .weekday: name == "String" ? method([]) { _ in .string(GoTime.name(of: receiver)) } : nil
        default: nil
        }
    }

    private static func method(_ params: [ParamType], _ body: @escaping @Sendable ([GoValue]) -> GoValue) -> TemplateFunction {
        TemplateFunction(params: params, variadic: nil, isBuiltin: false) { args, _ in body(args) }
    }

    private static func timeMethod(_ ns: Int64, _ name: String) -> TemplateFunction? {
        let t = GoCivilTime(nanoseconds: ns)
        switch name {
        case "Format":
            return method([.string]) { args in
                guard case .string(let layout) = args[0] else { return .string("") }
                return .string(t.format(layout))
            }
        case "String": return method([]) { _ in .string(GoTime.format(nanoseconds: ns)) }
        case "Unix": return method([]) { _ in .int64(floorDivide(ns, 1_000_000_000)) }
        case "UnixMilli": return method([]) { _ in .int64(floorDivide(ns, 1_000_000)) }
        case "UnixMicro": return method([]) { _ in .int64(floorDivide(ns, 1_000)) }
        case "UnixNano": return method([]) { _ in .int64(ns) }
        case "UTC", "Local": return method([]) { _ in .time(nanoseconds: ns, pointer: false) }
        case "Year": return method([]) { _ in .int(Int(t.year)) }
        case "Month": return method([]) { _ in .month(Int(t.month)) }
        case "Day": return method([]) { _ in .int(Int(t.day)) }
        case "Hour": return method([]) { _ in .int(Int(t.hour)) }
        case "Minute": return method([]) { _ in .int(Int(t.minute)) }
        case "Second": return method([]) { _ in .int(Int(t.second)) }
        case "Nanosecond": return method([]) { _ in .int(Int(t.nanosecond)) }
        case "YearDay": return method([]) { _ in .int(Int(t.yearDay)) }
        case "Weekday": return method([]) { _ in .weekday(Int(t.weekday)) }
        case "IsZero": return method([]) { _ in .bool(false) }
        default: return nil
        }
    }

    private static func durationMethod(_ ns: Int64, _ name: String) -> TemplateFunction? {
        switch name {
        case "String": return method([]) { _ in .string(GoTime.durationString(ns)) }
        case "Seconds": return method([]) { _ in .float(Humanize.durationSeconds(ns)) }
        case "Minutes":
            return method([]) { _ in .float(Double(ns / 60_000_000_000) + Double(ns % 60_000_000_000) / 6e10) }
        case "Hours":
            return method([]) { _ in .float(Double(ns / 3_600_000_000_000) + Double(ns % 3_600_000_000_000) / 3.6e12) }
        case "Milliseconds": return method([]) { _ in .int64(ns / 1_000_000) }
        case "Microseconds": return method([]) { _ in .int64(ns / 1_000) }
        case "Nanoseconds": return method([]) { _ in .int64(ns) }
        case "Abs": return method([]) { _ in .duration(nanoseconds: ns == Int64.min ? Int64.max : abs(ns), pointer: false) }
        default: return nil
        }
    }
}
