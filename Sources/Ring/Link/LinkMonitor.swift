import CLinuxShim
import Glibc

/// Watches interfaces come up, go down, lose carrier and disappear, through an rtnetlink socket
/// subscribed to RTMGRP_LINK.
///
/// Poll ``fileDescriptor`` for `POLLIN` alongside the ports and call ``readEvents()`` when it is
/// readable. A port that goes down should stop being polled (after reading its `SO_ERROR` with
/// ``PacketSocket/takePendingError()``), so a dead link costs no CPU; the event that brings it back
/// arrives here. Events are for the monitor's network namespace (the creating thread's).
public final class LinkMonitor: @unchecked Sendable {
    /// The non-blocking netlink socket; -1 once closed.
    public private(set) var fileDescriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer

    /// Opens the socket and joins the link multicast group.
    public init() throws(LinkMonitorError) {
        let fd = try Self.openSocket(groups: UInt32(RTMGRP_LINK))
        guard cls_set_nonblocking(fd) == 0 else {
            let error = SystemError.current
            Glibc.close(fd)
            throw .socketFailed(error)
        }
        fileDescriptor = fd
        buffer = .allocate(byteCount: 64 * 1024, alignment: 8)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Closes the socket. Safe to call more than once.
    public func close() {
        guard fileDescriptor >= 0 else { return }
        Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }

    /// Reads every pending message without blocking and returns the link events in them.
    public func readEvents() -> LinkEvents {
        var result = LinkEvents()
        while fileDescriptor >= 0 {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if count < 0 {
                if errno == ENOBUFS {
                    result.eventsLost = true
                    continue
                }
                break
            }
            if count == 0 { break }
            for message in NetlinkLinkMessages.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                if case .link(let state, let deleted) = message {
                    result.events.append(LinkEvent(state: state, isDeleted: deleted))
                }
            }
        }
        return result
    }

    /// The current state of interface `name`, or nil when it does not exist. Asks the kernel
    /// (RTM_GETLINK) on a short-lived socket; for the control path, not per frame.
    public static func linkState(of name: String) throws(LinkMonitorError) -> LinkState? {
        guard let index = InterfaceControl.index(of: name) else { return nil }
        let fd = try openSocket(groups: 0)
        defer { Glibc.close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let sequence = UInt32(truncatingIfNeeded: index) &+ 1
        let request = NetlinkLinkMessages.getLinkRequest(index: index, sequence: sequence)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw .queryFailed(interface: name, .current) }
        var reply = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw .queryFailed(interface: name, .current) }
            let messages = reply.withUnsafeBytes {
                NetlinkLinkMessages.parse(UnsafeRawBufferPointer(rebasing: $0[0..<count]))
            }
            for message in messages {
                switch message {
                case .link(let state, _) where state.index == index:
                    return state
                case .error(let code) where code == ENODEV:
                    return nil
                case .error(let code) where code != 0:
                    throw .queryFailed(interface: name, SystemError(code: code))
                default:
                    continue
                }
            }
        }
    }

    private static func openSocket(groups: UInt32) throws(LinkMonitorError) -> Int32 {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .socketFailed(.current) }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = groups
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        guard result == 0 else {
            let error = SystemError.current
            Glibc.close(fd)
            throw .socketFailed(error)
        }
        return fd
    }
}
