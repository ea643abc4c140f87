import Platform

/// The Mirror's use of the platform's ``NetlinkSocket``: every failure as a ``MirrorError`` that
/// names what was being done, replies copied out as byte arrays for ``NetlinkMessage``.
extension NetlinkSocket {
    /// A socket on `bus` (`NETLINK_NETFILTER`, `NETLINK_ROUTE`) with extended acknowledgements
    /// and a 10 s receive timeout (a kernel that never answers fails the request instead of
    /// hanging it).
    static func opened(bus: Int32, purpose: String) throws(MirrorError) -> NetlinkSocket {
        let socket: NetlinkSocket
        do throws(Errno) {
            socket = try NetlinkSocket(bus: bus)
        } catch {
            throw .socket(operation: "open a netlink socket for \(purpose)", errno: error)
        }
        // Errors carry the failing message's offset (extack) but not the message itself.
        socket.requestExtendedAcknowledgements()
        socket.setReceiveTimeout(seconds: 10)
        return socket
    }

    /// Sends one datagram holding `bytes` (one message or a whole batch).
    func send(_ bytes: [UInt8], purpose: String) throws(MirrorError) {
        do throws(Errno) {
            try send(bytes)
        } catch {
            throw .socket(operation: "send \(purpose) to the kernel", errno: error)
        }
    }

    /// Receives one datagram as bytes; nil when none is waiting and `wait` is false.
    func receiveReply(wait: Bool) throws(MirrorError) -> [UInt8]? {
        do throws(Errno) {
            return try receive(wait: wait).map { Array($0) }
        } catch {
            throw .socket(operation: "read the kernel's netlink reply", errno: error)
        }
    }
}
