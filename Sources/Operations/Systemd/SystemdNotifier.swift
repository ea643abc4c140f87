import Glibc
import Platform

/// Tells systemd what the service is doing (`sd_notify` protocol, no libsystemd): datagrams to the
/// socket named by `$NOTIFY_SOCKET`, a path or an abstract name written `@name`. Without
/// `NOTIFY_SOCKET` (not started by systemd) every call does nothing.
///
/// For `Type=notify-reload` (and `Type=notify` with `ExecReload=`), a reload is
/// ``reloading(status:)`` when it starts and ``ready(status:)`` when it ends, whether it worked
/// or not: the old policy still runs after a failed reload, so the service is ready either way.
public final class SystemdNotifier: Sendable {
    /// Where messages go, or nil when notifications are off.
    public let destination: String?
    private let fd: Int32
    private let openError: Errno

    /// Reads `NOTIFY_SOCKET` from `environment` (the process environment by default).
    public convenience init(environment: [String: String]? = nil) {
        if let environment {
            self.init(socket: environment["NOTIFY_SOCKET"])
        } else {
            self.init(socket: getenv("NOTIFY_SOCKET").map { String(cString: $0) })
        }
    }

    /// Sends to `socket` (a path, or `@name` for an abstract socket); nil or empty turns it off.
    public init(socket: String?) {
        guard let socket, !socket.isEmpty, socket.hasPrefix("/") || socket.hasPrefix("@") else {
            destination = nil
            fd = -1
            openError = Errno(rawValue: 0)
            return
        }
        destination = socket
        fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        openError = fd < 0 ? .current : Errno(rawValue: 0)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Whether messages are sent at all.
    public var isEnabled: Bool { destination != nil }

    /// Start-up finished (or a reload ended): `READY=1` and a `STATUS=` line.
    public func ready(status: String) throws(NotifyError) {
        try send(["READY=1", "STATUS=" + Self.oneLine(status)])
    }

    /// A reload starts: `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC in µs), which
    /// `Type=notify-reload` needs to tell this reload from an earlier one.
    public func reloading(status: String = "reloading the policy") throws(NotifyError) {
        try send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())", "STATUS=" + Self.oneLine(status)])
    }

    /// A `STATUS=` line for `systemctl status`.
    public func status(_ text: String) throws(NotifyError) {
        try send(["STATUS=" + Self.oneLine(text)])
    }

    /// The service is shutting down: `STOPPING=1`.
    public func stopping(status: String = "stopping") throws(NotifyError) {
        try send(["STOPPING=1", "STATUS=" + Self.oneLine(status)])
    }

    /// Keep-alive for `WatchdogSec=`: `WATCHDOG=1`.
    public func watchdog() throws(NotifyError) {
        try send(["WATCHDOG=1"])
    }

    /// How often systemd expects ``watchdog()`` (half of `WATCHDOG_USEC`, as sd_watchdog_enabled
    /// advises), in microseconds; nil when no watchdog is set for this process.
    public static func watchdogInterval(environment: [String: String]) -> UInt64? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], pid != String(getpid()) { return nil }
        return usec / 2
    }

    /// Sends `fields` as one datagram, one `KEY=VALUE` per line.
    public func send(_ fields: [String]) throws(NotifyError) {
        guard let destination else { return }
        guard fd >= 0 else { throw .socket(errno: openError) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(destination.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { throw .addressTooLong(destination) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let message = Array(fields.joined(separator: "\n").utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        guard sent == message.count else { throw .send(destination: destination, errno: .current) }
    }

    /// CLOCK_MONOTONIC in microseconds, the clock systemd compares `MONOTONIC_USEC=` with.
    public static func monotonicMicroseconds() -> UInt64 {
        MonotonicClock.now() / 1000
    }

    /// A value on one line: systemd reads a message line by line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}

/// Why a notification could not be sent.
public enum NotifyError: Error, Sendable, Equatable, CustomStringConvertible {
    case socket(errno: Errno)
    case addressTooLong(String)
    case send(destination: String, errno: Errno)

    public var description: String {
        switch self {
        case .socket(let code):
            return "cannot open a socket for systemd notifications: \(code)"
        case .addressTooLong(let address):
            return "NOTIFY_SOCKET is too long (108 bytes at most): \(address)"
        case .send(let destination, let code):
            return "cannot notify systemd at \(destination): \(code)"
        }
    }
}
