import Foundation

/// One self-overwriting progress line on standard error, shown only when standard error
/// is a terminal and the user did not ask for quiet; at most ten updates a second.
final class TerminalProgress {
    let isEnabled: Bool
    private let started = Date()
    private var lastDrawn = Date.distantPast

    init(quiet: Bool) {
        isEnabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Draws `label` with the share done, `detail` (when given), the rate of `done` in
    /// `unit` per second and the time left.
    func update(_ label: String, fraction: Double, done: Double, unit: String, detail: String? = nil) {
        guard isEnabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.1 || fraction >= 1 else { return }
        lastDrawn = now
        let elapsed = now.timeIntervalSince(started)
        let rate = elapsed > 0 ? done / elapsed : 0
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let middle = detail.map { "  " + $0 } ?? ""
        let line = String(format: "\r\u{1B}[K%@: %5.1f%%%@  %.*f %@/s  ETA %.0fs", label, fraction * 100, middle, rate < 1000 ? 1 : 0, rate, unit, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Erases the line.
    func finish() {
        guard isEnabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
