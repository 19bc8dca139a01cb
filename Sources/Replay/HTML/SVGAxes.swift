import Foundation
import Model

/// Axis ticks for the report's SVG charts: time ticks at round UTC instants, value ticks at
/// 1, 2 or 5 × 10^k.
enum SVGAxes {
    /// One tick: where it sits (ms or value) and its label lines (one or two).
    struct Tick: Equatable {
        var at: Double
        var label: String
        /// The date under the time, on the first tick and where the day changes.
        var secondLine: String?
    }

    /// Tick steps for time axes (ms), smallest first.
    static let timeSteps: [Int64] = [
        1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
        172_800, 604_800, 1_209_600, 2_592_000, 7_776_000, 31_536_000,
    ].map { $0 * 1000 }

    /// Ticks at multiples of a round step (UTC) inside [from, to], at most about `maxTicks`.
    static func timeTicks(from: Int64, to: Int64, maxTicks: Int = 8) -> [Tick] {
        let span = max(1, to - from)
        let step = timeSteps.first { span / $0 <= Int64(maxTicks) } ?? timeSteps.last!
        var t = floorDivide(from, step) * step
        if t < from { t += step }
        var ticks: [Tick] = []
        var lastDay: Int64?
        while t <= to && ticks.count <= maxTicks * 2 {
            let seconds = floorDivide(t, 1000)
            let day = floorDivide(seconds, 86_400)
            let secondOfDay = seconds - day * 86_400
            let (y, m, d) = ReplayFormat.civil(fromDays: day)
            func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            var label = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60))"
            if step < 60_000 { label += ":\(two(secondOfDay % 60))" }
            let date = "\(y)-\(two(m))-\(two(d))"
            var second: String? = lastDay == day ? nil : date
            if step >= 86_400_000 {
                label = date
                second = nil
            }
            ticks.append(Tick(at: Double(t), label: label, secondLine: second))
            lastDay = day
            t += step
        }
        return ticks
    }

    /// A padded value range and round ticks over it, for values in [low, high].
    static func valueTicks(low: Double, high: Double, maxTicks: Int = 6) -> (low: Double, high: Double, ticks: [Tick]) {
        var low = low, high = high
        if !(low.isFinite && high.isFinite) || low > high { (low, high) = (0, 1) }
        if low == high {
            let pad = low == 0 ? 1 : Swift.abs(low) * 0.1
            low -= pad
            high += pad
        }
        let rough = (high - low) / Double(max(1, maxTicks - 1))
        let magnitude = pow10(Int((log10(rough)).rounded(.down)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let decimals = max(0, -Int((log10(step)).rounded(.down)))
        let scale = pow10(decimals)
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        var ticks: [Tick] = []
        var k = first
        while k <= last && ticks.count < 64 {
            let value = (k * step * scale).rounded() / scale
            ticks.append(Tick(at: value, label: ReplayFormat.value(value == 0 ? 0 : value), secondLine: nil))
            k += 1
        }
        return (first * step, last * step, ticks)
    }

    /// 10^n, exactly for the integers the axes use.
    static func pow10(_ n: Int) -> Double {
        var out = 1.0
        if n >= 0 {
            for _ in 0..<min(n, 308) { out *= 10 }
        } else {
            for _ in 0..<min(-n, 308) { out /= 10 }
        }
        return out
    }
}
