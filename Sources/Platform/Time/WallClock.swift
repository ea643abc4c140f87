#if canImport(Glibc)
    import Glibc
#endif

/// `CLOCK_REALTIME` in nanoseconds since the Unix epoch, for timestamps people read (log lines,
/// capture records), and its RFC 3339 text. It may jump: measure durations with
/// ``MonotonicClock``.
public enum WallClock {
    /// Now, in nanoseconds since 1970-01-01T00:00:00Z.
    @inlinable @inline(__always)
    public static func now() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// RFC 3339 in UTC with seconds precision, e.g. `2026-11-26T15:44:00Z`.
    public static func rfc3339(_ nanoseconds: UInt64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(parts.tm_year + 1900)-\(twoDigits(parts.tm_mon + 1))-\(twoDigits(parts.tm_mday))T"
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec))Z"
    }

    private static func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
