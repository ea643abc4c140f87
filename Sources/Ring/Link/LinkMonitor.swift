import CLinuxShim
import Glibc
import Platform

/// Watches interfaces come up, go down, lose carrier and disappear, through an rtnetlink socket
/// subscribed to RTMGRP_LINK.
///
/// Poll ``fileDescriptor`` for `POLLIN` alongside the ports and call ``readEvents()`` when it is
/// readable. A port that goes down should stop being polled (after reading its `SO_ERROR` with
/// ``PacketSocket/takePendingError()``), so a dead link costs no CPU; the event that brings it back
/// arrives here. Events are for the monitor's network namespace (the creating thread's).
public final class LinkMonitor: @unchecked Sendable {
    private let socket: NetlinkSocket

    /// The non-blocking netlink socket; -1 once closed.
    public var fileDescriptor: Int32 { socket.fileDescriptor }

    /// Opens the socket and joins the link multicast group.
    public init() throws(LinkMonitorError) {
        do throws(Errno) {
            socket = try NetlinkSocket(
                bus: NetlinkSocket.route, groups: UInt32(RTMGRP_LINK), receiveBufferSize: 64 * 1024)
            try socket.setNonBlocking()
        } catch {
            throw .socketFailed(error)
        }
    }

    /// Closes the socket. Safe to call more than once.
    public func close() {
        socket.close()
    }

    /// Reads every pending message without blocking and returns the link events in them. An
    /// `ENOBUFS` (the kernel dropped events for a full buffer) is counted as lost events.
    public func readEvents() -> LinkEvents {
        var result = LinkEvents()
        while socket.fileDescriptor >= 0 {
            let datagram: UnsafeRawBufferPointer
            do throws(Errno) {
                guard let received = try socket.receive(wait: false), received.count > 0 else { break }
                datagram = received
            } catch {
                if error == .noBufferSpace {
                    result.eventsLost = true
                    continue
                }
                break
            }
            for message in NetlinkLinkMessages.parse(datagram) {
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
        let socket: NetlinkSocket
        do throws(Errno) {
            socket = try NetlinkSocket(bus: NetlinkSocket.route, receiveBufferSize: 64 * 1024)
        } catch {
            throw .socketFailed(error)
        }
        defer { socket.close() }
        socket.setReceiveTimeout(seconds: 2)
        let sequence = UInt32(truncatingIfNeeded: index) &+ 1
        let request = NetlinkLinkMessages.getLinkRequest(index: index, sequence: sequence)
        do throws(Errno) {
            try socket.send(request)
            while true {
                guard let datagram = try socket.receive(wait: true), datagram.count > 0 else {
                    throw .resourceTemporarilyUnavailable
                }
                for message in NetlinkLinkMessages.parse(datagram) {
                    switch message {
                    case .link(let state, _) where state.index == index:
                        return state
                    case .error(let code) where code == ENODEV:
                        return nil
                    case .error(let code) where code != 0:
                        throw Errno(rawValue: code)
                    default:
                        continue
                    }
                }
            }
        } catch {
            throw .queryFailed(interface: name, error)
        }
    }
}
