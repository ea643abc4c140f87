import CNftnl
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// What `RTM_GETLINK` says about one link.
struct LinkInfo {
    var index: Int32
    var name: String
    /// The master's ifindex (the bridge a port is enslaved to), 0 if none.
    var master: Int32
    var alias: String?
    /// `IFLA_INFO_KIND` (`bridge`, `veth`, ...).
    var kind: String?
}

/// Link requests (built with libmnl) over a short-lived rtnetlink socket of the platform's.
final class RtnetlinkLinks {
    private let socket: NetlinkSocket
    private var sequence: UInt32

    init() throws(MirrorError) {
        socket = try NetlinkSocket.opened(bus: NetlinkSocket.route, purpose: "rtnetlink")
        sequence = UInt32(truncatingIfNeeded: time(nil))
    }

    /// A link by name; nil if there is none.
    func link(named name: String) throws(MirrorError) -> LinkInfo? {
        try link(index: 0, name: name)
    }

    /// A link by index; nil if there is none.
    func link(index: Int32) throws(MirrorError) -> LinkInfo? {
        try link(index: index, name: nil)
    }

    private func link(index: Int32, name: String?) throws(MirrorError) -> LinkInfo? {
        let subject = name ?? "link \(index)"
        let replies: [NetlinkMessage]
        do throws(MirrorError) {
            replies = try request(type: UInt16(RTM_GETLINK), flags: 0, operation: "look up", subject: subject) {
                header, info in
                info.pointee.ifi_index = index
                if let name { mnl_attr_put_strz(header, UInt16(IFLA_IFNAME), name) }
            }
        } catch {
            if case .link(_, _, let code) = error, code.rawValue == ENODEV { return nil }
            throw error
        }
        guard let reply = replies.first(where: { $0.type == UInt16(RTM_NEWLINK) }) else { return nil }
        return Self.parse(reply)
    }

    /// Sends one request with `NLM_F_ACK` and returns the replies up to the ACK; an error
    /// reply throws `.link(operation, subject, errno)`.
    @discardableResult
    func request(
        type: UInt16, flags: Int32, operation: String, subject: String,
        _ build: (UnsafeMutablePointer<nlmsghdr>, UnsafeMutablePointer<ifinfomsg>) -> Void
    ) throws(MirrorError) -> [NetlinkMessage] {
        let seq = sequence
        sequence &+= 1
        var buffer = [UInt8](repeating: 0, count: 4096)
        let length = buffer.withUnsafeMutableBytes { raw -> Int in
            let header = mnl_nlmsg_put_header(raw.baseAddress)!
            header.pointee.nlmsg_type = type
            header.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_ACK | flags)
            header.pointee.nlmsg_seq = seq
            let info = mnl_nlmsg_put_extra_header(header, MemoryLayout<ifinfomsg>.size)!
                .assumingMemoryBound(to: ifinfomsg.self)
            info.pointee.ifi_family = UInt8(AF_UNSPEC)
            build(header, info)
            return Int(header.pointee.nlmsg_len)
        }
        socket.drain()
        try socket.send(Array(buffer[0..<length]), purpose: "the \(operation) request for \(subject)")
        var replies: [NetlinkMessage] = []
        while let datagram = try socket.receiveReply(wait: true) {
            for message in NetlinkMessage.split(datagram) where message.sequence == seq {
                if let reply = message.errorReply {
                    guard reply.errno == 0 else {
                        throw .link(operation: operation, interface: subject, errno: Errno(rawValue: reply.errno))
                    }
                    return replies
                }
                replies.append(message)
            }
        }
        throw .badReply("no answer to the \(operation) request for \(subject)")
    }

    private static func parse(_ message: NetlinkMessage) -> LinkInfo? {
        let infoSize = MemoryLayout<ifinfomsg>.size
        guard message.payload.count >= infoSize else { return nil }
        let index = Int32(bitPattern: NetlinkMessage.u32(message.payload, message.payload.startIndex + 4))
        let attributes = message.attributes(from: infoSize)
        var kind: String?
        if let linkInfo = attributes[UInt16(IFLA_LINKINFO)],
            let value = NetlinkMessage.attributes(linkInfo)[UInt16(IFLA_INFO_KIND)]
        {
            kind = NetlinkMessage.string(value)
        }
        let master = attributes[UInt16(IFLA_MASTER)].flatMap {
            $0.count >= 4 ? Int32(bitPattern: NetlinkMessage.u32($0, $0.startIndex)) : nil
        }
        return LinkInfo(
            index: index, name: attributes[UInt16(IFLA_IFNAME)].map(NetlinkMessage.string) ?? "",
            master: master ?? 0, alias: attributes[UInt16(IFLA_IFALIAS)].map(NetlinkMessage.string), kind: kind)
    }
}
