import Glibc

/// The IP addresses configured on interfaces, from getifaddrs(3).
enum InterfaceAddresses {
    /// The addresses on `name` an operator put there: every IPv4 address and every IPv6 address
    /// except link-local ones (fe80::/10), which the kernel adds by itself to any interface that is
    /// up. Empty when there are none or the list cannot be read.
    static func operatorAddresses(of name: String) -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var found: [String] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let entryName = entry.pointee.ifa_name, String(cString: entryName) == name,
                let address = entry.pointee.ifa_addr
            else { continue }
            if let text = text(of: address) { found.append(text) }
        }
        return found
    }

    /// The address as text, or nil when it is not IP or is IPv6 link-local.
    private static func text(of address: UnsafeMutablePointer<sockaddr>) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &ipv4, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        case AF_INET6:
            var ipv6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            let isLinkLocal = withUnsafeBytes(of: &ipv6) { $0[0] == 0xfe && $0[1] & 0xc0 == 0x80 }
            guard !isLinkLocal, inet_ntop(AF_INET6, &ipv6, &buffer, socklen_t(buffer.count)) != nil else {
                return nil
            }
        default:
            return nil
        }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
