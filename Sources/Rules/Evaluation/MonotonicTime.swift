#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The monotonic clock in nanoseconds, for timing rule evaluations. A rule evaluation reads
/// the clock three times (its query's start and end, its own end), so the read is one
/// `clock_gettime` call, without the 128-bit arithmetic of `ContinuousClock` instants.
enum MonotonicTime {
    @inline(__always)
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }
}
