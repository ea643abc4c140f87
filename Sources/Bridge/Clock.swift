#if canImport(Glibc)
    import Glibc
#endif

/// Clocks in nanoseconds, without allocation.
public enum Clock {
    /// CLOCK_MONOTONIC, for deadlines and durations.
    @inline(__always)
    public static func monotonic() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// CLOCK_REALTIME, for timestamps people read.
    public static func wall() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// RFC 3339 UTC, seconds precision: `2026-11-26T15:44:00Z`.
    public static func rfc3339(_ wallNanoseconds: UInt64) -> String {
        var seconds = time_t(wallNanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
