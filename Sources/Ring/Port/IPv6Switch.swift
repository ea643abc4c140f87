import Glibc
import Platform

/// `net.ipv6.conf.<interface>.disable_ipv6`, read and written through /proc/sys (the calling
/// thread's network namespace).
struct IPv6Switch: Sendable {
    let interface: String
    /// The value before it was changed, e.g. "0".
    let previous: String

    static func path(for interface: String) -> String {
        "/proc/sys/net/ipv6/conf/\(interface)/disable_ipv6"
    }

    /// Sets disable_ipv6 to 1 and returns the previous value; nil when the kernel has no IPv6 for
    /// this interface (IPv6 compiled out or disabled at boot: nothing to switch off).
    static func disable(on interface: String) throws(Errno) -> IPv6Switch? {
        let path = path(for: interface)
        guard let previous = try read(path) else { return nil }
        if previous != "1" { try write("1", to: path) }
        return IPv6Switch(interface: interface, previous: previous)
    }

    /// Writes the previous value back.
    func restore() throws(Errno) {
        guard previous != "1" else { return }
        try Self.write(previous, to: Self.path(for: interface))
    }

    /// The file's first line, or nil when it does not exist.
    static func read(_ path: String) throws(Errno) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .current
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw .current }
        let line = buffer[0..<count].prefix { $0 != UInt8(ascii: "\n") }
        return String(decoding: line, as: UTF8.self)
    }

    static func write(_ value: String, to path: String) throws(Errno) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .current }
        defer { close(fd) }
        let text = Array((value + "\n").utf8)
        let count = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard count == text.count else { throw .current }
    }
}
