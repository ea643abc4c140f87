import Glibc
import Platform

/// A non-blocking TCP listening socket for a ``ListenAddress``.
struct ListeningSocket {
    let fd: Int32
    /// The address actually bound (with the port the kernel chose for port 0).
    let address: ListenAddress

    init(_ address: ListenAddress) throws(MetricsError) {
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        var family: Int32
        switch address.host {
        case .ipv4: family = AF_INET
        case .ipv6, .any: family = AF_INET6
        }
        var fd = socket(family, flags, 0)
        if fd < 0, address.host == .any, errno == EAFNOSUPPORT {
            // No IPv6 on this host: every IPv4 address then.
            family = AF_INET
            fd = socket(family, flags, 0)
        }
        guard fd >= 0 else { throw .cannotListen(address.description, errno: .current) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            var only: Int32 = address.host == .any ? 0 : 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &only, socklen_t(MemoryLayout<Int32>.size))
        }
        var storage = sockaddr_storage()
        let length = Self.fill(&storage, family: family, address: address)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = Errno.current
            close(fd)
            switch code {
            case .addressInUse: throw .portInUse(address.description)
            case .addressNotAvailable: throw .addressUnavailable(address.description)
            case .permissionDenied, .notPermitted: throw .permissionDenied(address.description)
            default: throw .cannotListen(address.description, errno: code)
            }
        }
        self.fd = fd
        var actual = address
        actual.port = Self.boundPort(fd) ?? address.port
        self.address = actual
    }

    private static func fill(_ storage: inout sockaddr_storage, family: Int32, address: ListenAddress) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) { raw in
            if family == AF_INET {
                var socketAddress = sockaddr_in()
                socketAddress.sin_family = sa_family_t(AF_INET)
                socketAddress.sin_port = address.port.bigEndian
                if case .ipv4(let bytes) = address.host {
                    withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: bytes) }
                }
                withUnsafeBytes(of: socketAddress) { raw.copyMemory(from: $0) }
                return socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = address.port.bigEndian
            if case .ipv6(let bytes) = address.host {
                withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { $0.copyBytes(from: bytes) }
            }
            withUnsafeBytes(of: socketAddress) { raw.copyMemory(from: $0) }
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    private static func boundPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port sit at the same offset, right after the family.
            UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        }
    }
}
