import ArgumentParser
import Foundation

/// Sizes as Prometheus writes them (`512MB`, `1GB`: powers of 1024) or plain bytes.
enum ByteSize {
    static func parse(_ text: String, option: String) throws -> Int64 {
        let units: [(String, Int64)] = [("EB", 1 << 60), ("PB", 1 << 50), ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        let upper = text.uppercased().replacingOccurrences(of: "IB", with: "B")
        for (unit, factor) in units where upper.hasSuffix(unit) {
            if let n = Int64(upper.dropLast(unit.count)), n >= 0, n <= Int64.max / factor { return n * factor }
            break
        }
        if let n = Int64(text), n >= 0 { return n }
        throw ValidationError("\(option): cannot parse \"\(text)\" as a size (such as 512MB or 64GB)")
    }

    static func human(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}
