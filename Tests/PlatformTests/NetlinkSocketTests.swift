import CLinuxShim
import Glibc
import Platform
import Testing

@Suite("Netlink socket")
struct NetlinkSocketTests {
    /// An RTM_GETLINK request for interface `index`, acknowledged.
    static func getLink(index: Int32, sequence: UInt32) -> [UInt8] {
        let headerLength = Int(cls_nlmsg_hdrlen())
        let length = Int(cls_nlmsg_length(UInt32(MemoryLayout<ifinfomsg>.size)))
        var bytes = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(length), toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt16(RTM_GETLINK), toByteOffset: 4, as: UInt16.self)
            raw.storeBytes(of: UInt16(NLM_F_REQUEST | NLM_F_ACK), toByteOffset: 6, as: UInt16.self)
            raw.storeBytes(of: sequence, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: index, toByteOffset: headerLength + 4, as: Int32.self)
        }
        return bytes
    }

    /// (type, sequence, port id, error) of every message in `datagram`.
    static func messages(_ datagram: UnsafeRawBufferPointer) -> [(type: UInt16, sequence: UInt32, port: UInt32)] {
        var found: [(UInt16, UInt32, UInt32)] = []
        var offset = 0
        while offset + 16 <= datagram.count {
            let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= 16 else { break }
            found.append(
                (
                    datagram.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                    datagram.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                    datagram.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
                ))
            offset += Int(cls_nlmsg_align(UInt32(length)))
        }
        return found
    }

    @Test("a link request about loopback is answered to this socket's port id, then acknowledged")
    func loopbackRequest() throws {
        let socket = try NetlinkSocket(bus: NetlinkSocket.route)
        defer { socket.close() }
        socket.setReceiveTimeout(seconds: 2)
        #expect(socket.portID != 0)
        let loopback = Int32(if_nametoindex("lo"))
        try socket.send(Self.getLink(index: loopback, sequence: 77))
        var types: [UInt16] = []
        var ports: Set<UInt32> = []
        while !types.contains(UInt16(NLMSG_ERROR)) {
            let datagram = try #require(try socket.receive(wait: true))
            for message in Self.messages(datagram) where message.sequence == 77 {
                types.append(message.type)
                ports.insert(message.port)
            }
        }
        #expect(types == [UInt16(RTM_NEWLINK), UInt16(NLMSG_ERROR)])
        #expect(ports == [socket.portID])
    }

    @Test("without waiting, an empty socket gives nil; a drained socket holds nothing")
    func nonBlockingAndDrain() throws {
        let socket = try NetlinkSocket(bus: NetlinkSocket.route)
        #expect(try socket.receive(wait: false) == nil)
        try socket.send(Self.getLink(index: Int32(if_nametoindex("lo")), sequence: 5))
        var pollDescriptor = pollfd(fd: socket.fileDescriptor, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pollDescriptor, 1, 2000) == 1)
        socket.drain()
        #expect(try socket.receive(wait: false) == nil)
    }

    @Test("two sockets on one bus get two port ids, and a closed one refuses to send with EBADF")
    func portIDsAndClose() throws {
        let first = try NetlinkSocket(bus: NetlinkSocket.netfilter)
        let netfilter = try NetlinkSocket(bus: NetlinkSocket.netfilter)
        #expect(first.portID != netfilter.portID && first.portID != 0 && netfilter.portID != 0)
        netfilter.close()
        netfilter.close()
        #expect(netfilter.fileDescriptor == -1)
        #expect(throws: Errno.badFileDescriptor) { try netfilter.send([0, 0, 0, 0]) }
    }
}
