import CLinuxShim
import Glibc

/// One poll() on `fd`; returns the revents, or 0 on timeout.
public func pollOnce(_ fd: Int32, events: Int16 = Int16(POLLIN), timeoutMilliseconds: Int32) -> Int16 {
    var descriptor = pollfd(fd: fd, events: events, revents: 0)
    let result = poll(&descriptor, 1, timeoutMilliseconds)
    return result > 0 ? descriptor.revents : 0
}

/// Calls `condition` every 20 ms until it is true or `timeout` seconds pass.
public func waitUntil(timeout: Double = 3, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = monotonicSeconds() + timeout
    while monotonicSeconds() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
