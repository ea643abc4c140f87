import CLinuxShim

#if canImport(Glibc)
    import Glibc
#endif

/// One bound netlink socket: rtnetlink (link requests, the link-event multicast group) and
/// nftables (`NETLINK_NETFILTER` batches) alike. Messages are built elsewhere (the Mirror with
/// libnftnl and libmnl, Ring's link messages by hand) into plain buffers; this type only sends
/// and receives whole datagrams.
///
/// The kernel gives the socket a port id at bind (``portID``): the owner that
/// `NFT_TABLE_F_OWNER` records, so a table created over this socket lives exactly as long as it.
/// The socket belongs to the network namespace of the thread that opened it, for its whole life.
/// Not for concurrent use: one thread at a time (callers serialise, as the Mirror does with a
/// lock).
public final class NetlinkSocket: @unchecked Sendable {
    /// `NETLINK_ROUTE`: links, addresses, carrier.
    public static let route = NETLINK_ROUTE
    /// `NETLINK_NETFILTER`: nftables.
    public static let netfilter = NETLINK_NETFILTER

    /// The socket, for `poll()`; -1 once closed.
    public private(set) var fileDescriptor: Int32
    /// The port id the kernel gave the socket at bind.
    public let portID: UInt32
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens a socket on `bus` (``route``, ``netfilter``), joins the multicast `groups` (a bit
    /// mask, e.g. `RTMGRP_LINK`; 0 for none) and binds it with a port id the kernel picks.
    /// `receiveBufferSize` is the largest datagram ``receive(wait:)`` takes whole.
    public init(bus: Int32, groups: UInt32 = 0, receiveBufferSize: Int = 1 << 17) throws(Errno) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), bus)
        guard fd >= 0 else { throw .current }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = groups
        var length = socklen_t(MemoryLayout<sockaddr_nl>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            let error = Errno.current
            Glibc.close(fd)
            throw error
        }
        fileDescriptor = fd
        portID = address.nl_pid
        buffer = .allocate(byteCount: max(4096, receiveBufferSize), alignment: 8)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Closes the socket (a table it owns goes with it). Safe to call more than once.
    public func close() {
        guard fileDescriptor >= 0 else { return }
        Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }

    // MARK: Options

    /// Asks for extended acknowledgements: error replies carry the failing attribute's offset
    /// (`NETLINK_EXT_ACK`) and not a copy of the failing message (`NETLINK_CAP_ACK`). Best effort.
    public func requestExtendedAcknowledgements() {
        setOption(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        setOption(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    }

    /// A blocking ``receive(wait:)`` gives up after `seconds` with `EAGAIN`.
    public func setReceiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Raises the send and receive buffers to at least `bytes` (root may exceed the system limits
    /// with the FORCE options, as `nft` does for big batches). Best effort.
    public func reserveBuffers(_ bytes: Int) {
        let size = Int32(clamping: bytes)
        for (force, plain) in [(SO_SNDBUFFORCE, SO_SNDBUF), (SO_RCVBUFFORCE, SO_RCVBUF)] {
            var current: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fileDescriptor, SOL_SOCKET, plain, &current, &length) == 0, current >= size { continue }
            if !setOption(SOL_SOCKET, force, size) { setOption(SOL_SOCKET, plain, size) }
        }
    }

    /// Makes every receive non-blocking (for a socket polled with the ports).
    public func setNonBlocking() throws(Errno) {
        guard cls_set_nonblocking(fileDescriptor) == 0 else { throw .current }
    }

    // MARK: Datagrams

    /// Sends `bytes` (one message or a whole batch) as one datagram to the kernel. A datagram the
    /// kernel took only in part fails with `EMSGSIZE`.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        while true {
            let sent = withUnsafePointer(to: &kernel) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(
                        fileDescriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)
                    )
                }
            }
            if sent == bytes.count { return }
            if sent >= 0 { throw .messageTooLong }
            let error = Errno.current
            if error != .interrupted { throw error }
        }
    }

    /// Sends `bytes` as one datagram (see ``send(_:)-(UnsafeRawBufferPointer)``).
    public func send(_ bytes: [UInt8]) throws(Errno) {
        let failure = bytes.withUnsafeBytes { raw -> Errno? in
            do throws(Errno) {
                try send(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Receives one datagram into the socket's buffer and returns it, valid until the next
    /// receive. Without `wait`, nil when none is waiting. `ENOBUFS` (the kernel dropped messages
    /// for a full buffer, on a multicast socket) and a receive timeout (`EAGAIN`) are thrown.
    public func receive(wait: Bool) throws(Errno) -> UnsafeRawBufferPointer? {
        while true {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, wait ? 0 : Int32(MSG_DONTWAIT))
            if count >= 0 { return UnsafeRawBufferPointer(rebasing: buffer[0..<count]) }
            let error = Errno.current
            if error == .interrupted { continue }
            if !wait && (error == .resourceTemporarilyUnavailable || error == .wouldBlock) { return nil }
            throw error
        }
    }

    /// Throws away every datagram waiting (late replies to an earlier request), without blocking.
    public func drain() {
        while fileDescriptor >= 0 {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if count < 0 && Errno.current == .interrupted { continue }
            if count < 0 && Errno.current == .noBufferSpace { continue }
            if count <= 0 { return }
        }
    }

    @discardableResult
    private func setOption(_ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fileDescriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }
}
