import CNftnl

#if canImport(Glibc)
    import Glibc
#endif

/// A bound netlink socket (libmnl), closed when the value is released.
///
/// Sends are whole datagrams; receives return one datagram each. The netlink namespace is the
/// one of the thread that opened the socket, for the socket's whole life.
final class NetlinkSocket {
    private let socket: OpaquePointer
    /// The port id the kernel gave the socket (what `NFT_TABLE_F_OWNER` records).
    let portID: UInt32
    private var receiveBuffer: [UInt8]

    /// Opens and binds a socket on `bus` (`NETLINK_NETFILTER`, `NETLINK_ROUTE`).
    init(bus: Int32, purpose: String) throws(MirrorError) {
        guard let socket = mnl_socket_open(bus) else {
            throw .socket(operation: "open a netlink socket for \(purpose)", errno: Glibc.errno)
        }
        guard mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let code = Glibc.errno
            mnl_socket_close(socket)
            throw .socket(operation: "bind a netlink socket for \(purpose)", errno: code)
        }
        self.socket = socket
        self.portID = mnl_socket_get_portid(socket)
        self.receiveBuffer = [UInt8](repeating: 0, count: 1 << 17)
        // Errors carry the failing message's offset (extack) but not the message itself.
        setOption(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        setOption(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { mnl_socket_close(socket) }

    var fd: Int32 { mnl_socket_get_fd(socket) }

    /// Raises the socket's send and receive buffers to at least `bytes` (root may exceed the
    /// system limits with the FORCE options, as `nft` does for big batches).
    func reserveBuffers(_ bytes: Int) {
        let size = Int32(clamping: bytes)
        for (force, plain) in [(SO_SNDBUFFORCE, SO_SNDBUF), (SO_RCVBUFFORCE, SO_RCVBUF)] {
            var current: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, plain, &current, &length) == 0, current >= size { continue }
            if !setOption(SOL_SOCKET, force, size) { setOption(SOL_SOCKET, plain, size) }
        }
    }

    /// Sends one datagram holding `bytes` (one message or a whole batch).
    func send(_ bytes: [UInt8], purpose: String) throws(MirrorError) {
        let sent = bytes.withUnsafeBytes { mnl_socket_sendto(socket, $0.baseAddress, $0.count) }
        guard sent == bytes.count else {
            throw .socket(operation: "send \(purpose) to the kernel", errno: sent < 0 ? Glibc.errno : EMSGSIZE)
        }
    }

    /// Receives one datagram; nil when none is waiting and `wait` is false.
    func receive(wait: Bool) throws(MirrorError) -> [UInt8]? {
        while true {
            let count = receiveBuffer.withUnsafeMutableBytes {
                recv(fd, $0.baseAddress, $0.count, wait ? 0 : Int32(MSG_DONTWAIT))
            }
            if count >= 0 { return Array(receiveBuffer[0..<count]) }
            let code = Glibc.errno
            if code == EINTR { continue }
            if !wait && (code == EAGAIN || code == EWOULDBLOCK) { return nil }
            throw .socket(operation: "read the kernel's netlink reply", errno: code)
        }
    }

    /// Throws away anything waiting (late replies of an earlier request).
    func drain() {
        while (try? receive(wait: false)) != nil {}
    }

    @discardableResult
    private func setOption(_ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }
}
