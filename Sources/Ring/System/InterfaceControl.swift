import CLinuxShim
import Glibc
import Platform

/// Interface ioctls (flags, MTU, ethtool) through one datagram socket. Control path only.
final class InterfaceControl {
    let fd: Int32

    init() throws(Errno) {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .current }
    }

    deinit {
        close(fd)
    }

    /// The interface's index, or nil when no interface has this name.
    static func index(of name: String) -> Int32? {
        let index = if_nametoindex(name)
        return index == 0 ? nil : Int32(bitPattern: index)
    }

    func flags(of name: String) throws(Errno) -> Int32 {
        var flags: Int32 = 0
        guard cls_interface_get_flags(fd, name, &flags) == 0 else { throw .current }
        return flags
    }

    func setFlags(_ flags: Int32, of name: String) throws(Errno) {
        guard cls_interface_set_flags(fd, name, flags) == 0 else { throw .current }
    }

    func mtu(of name: String) throws(Errno) -> Int {
        var mtu: Int32 = 0
        guard cls_interface_get_mtu(fd, name, &mtu) == 0 else { throw .current }
        return Int(mtu)
    }

    func setMTU(_ mtu: Int, of name: String) throws(Errno) {
        guard cls_interface_set_mtu(fd, name, Int32(mtu)) == 0 else { throw .current }
    }

    /// Runs one SIOCETHTOOL command on `buffer` (an ethtool_* struct); returns the ioctl's
    /// non-negative result.
    @discardableResult
    func ethtool(_ name: String, _ buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int32 {
        let result = cls_ethtool(fd, name, buffer.baseAddress)
        guard result >= 0 else { throw .current }
        return result
    }
}

/// IFF_* values Glibc's `net/if.h` does not carry.
enum InterfaceFlag {
    static let up = Int32(IFF_UP)
    static let running = Int32(IFF_RUNNING)
    /// Carrier present (`linux/if.h`; only in netlink's 32-bit flags, not in SIOCGIFFLAGS).
    static let lowerUp: UInt32 = 1 << 16
}
