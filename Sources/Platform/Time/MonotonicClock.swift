#if canImport(Glibc)
    import Glibc
#endif

/// `CLOCK_MONOTONIC` in nanoseconds, for deadlines and durations, and sleeping until a point on
/// it. Never allocates, so the forwarding and transmit loops may read it per batch or per frame.
///
/// Named so it shadows nothing: the standard library's `Clock` protocol and `ContinuousClock`
/// stay usable beside it.
public enum MonotonicClock {
    /// Now, in nanoseconds since an arbitrary start (boot, on Linux).
    @inlinable @inline(__always)
    public static func now() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Sleeps until `deadline` (absolute, on this clock), through signals. Returns at once when it
    /// has passed.
    public static func sleep(until deadline: UInt64) {
        var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }

    /// A span of `nanoseconds` as a `timespec`, for `ppoll` timeouts.
    @inlinable
    public static func timeout(nanoseconds: UInt64) -> timespec {
        Glibc.timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}
