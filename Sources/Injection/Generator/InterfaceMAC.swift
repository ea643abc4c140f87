import CLinuxShim

#if canImport(Glibc)
    import Glibc
#endif

/// An interface's own MAC address (`SIOCGIFHWADDR`): the default source MAC of generated frames.
public enum InterfaceMAC {
    /// The MAC of `interface` (low 48 bits), or nil when it cannot be read or is all zero.
    public static func read(_ interface: String) -> UInt64? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var request = ifreq()
        guard cls_ifreq_init(&request, interface) == 0,
            cls_ioctl_pointer(fd, UInt(SIOCGIFHWADDR), &request) == 0
        else { return nil }
        let mac = withUnsafeBytes(of: request.ifr_ifru.ifru_hwaddr.sa_data) { bytes in
            bytes.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        return mac == 0 ? nil : mac
    }
}
