import Foundation
import Frame

/// Frames for the stateful traffic tests, built with Frame's builder: each carries the `BKMx`
/// marker and its id in its payload (``TestFrame/ids(in:)`` finds it), left (port a, the
/// outside) at 198.18.0.1, right (port b, the inside) at 198.18.0.2.
enum LabFrames {
    static let left: UInt32 = 0xC612_0001
    static let right: UInt32 = 0xC612_0002

    static func marker(_ id: UInt32) -> [UInt8] { Array("BKMx".utf8) + TestFrame.be32(id) }

    private static func frame(_ network: FrameBuilder.Network, fromLeft: Bool) -> [UInt8] {
        var builder = FrameBuilder()
        builder.sourceMAC = fromLeft ? 0x02_00_00_00_00_01 : 0x02_00_00_00_00_02
        builder.destinationMAC = fromLeft ? 0x02_00_00_00_00_02 : 0x02_00_00_00_00_01
        builder.network = network
        return builder.build()
    }

    private static func ipv4(_ transport: FrameBuilder.Transport, source: UInt32, destination: UInt32)
        -> FrameBuilder.Network
    {
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = destination
        ip.transport = transport
        return .ipv4(ip)
    }

    /// A TCP segment with `flags` (SYN 0x02, SYN-ACK 0x12, ACK 0x10).
    static func tcp(id: UInt32, fromLeft: Bool, sourcePort: UInt16, destinationPort: UInt16, flags: UInt8) -> [UInt8] {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = sourcePort
        tcp.destinationPort = destinationPort
        tcp.flags = flags
        tcp.payload = marker(id)
        return frame(
            ipv4(.tcp(tcp), source: fromLeft ? left : right, destination: fromLeft ? right : left), fromLeft: fromLeft)
    }

    /// A UDP datagram whose IP packet is `ipLength` bytes long (at least 36).
    static func udp(
        id: UInt32, fromLeft: Bool, source: UInt32? = nil, sourcePort: UInt16 = 40000, destinationPort: UInt16,
        ipLength: Int = 36
    ) -> [UInt8] {
        var udp = FrameBuilder.UDP()
        udp.sourcePort = sourcePort
        udp.destinationPort = destinationPort
        udp.payload = marker(id) + [UInt8](repeating: 0x5a, count: max(0, ipLength - 36))
        return frame(
            ipv4(.udp(udp), source: source ?? (fromLeft ? left : right), destination: fromLeft ? right : left),
            fromLeft: fromLeft)
    }

    /// An ICMP echo request (type 8) or reply (type 0) with identifier `identifier`.
    static func echo(id: UInt32, fromLeft: Bool, source: UInt32? = nil, type: UInt8, identifier: UInt16) -> [UInt8] {
        var icmp = FrameBuilder.ICMP()
        icmp.type = type
        icmp.rest = UInt32(identifier) << 16 | (id & 0xffff)
        icmp.payload = marker(id)
        return frame(
            ipv4(.icmp(icmp), source: source ?? (fromLeft ? left : right), destination: fromLeft ? right : left),
            fromLeft: fromLeft)
    }

    /// An ARP request, marker in the padding.
    static func arp(id: UInt32, fromLeft: Bool) -> [UInt8] {
        var builder = FrameBuilder()
        builder.sourceMAC = fromLeft ? 0x02_00_00_00_00_01 : 0x02_00_00_00_00_02
        builder.destinationMAC = 0xff_ff_ff_ff_ff_ff
        builder.network = .arp(FrameBuilder.ARP())
        builder.padToMinimum = false
        return builder.build() + marker(id) + [UInt8](repeating: 0, count: 10)
    }
}

extension BridgeLab {
    /// Sends `frames` from the left (or the right) and returns the ids that reached the other side.
    func crossing(_ frames: [[UInt8]], fromLeft: Bool, wait seconds: Double = 0.5) throws -> Set<UInt32> {
        let receiver = try (fromLeft ? right : left).run { try PacketSocket(interface: fromLeft ? "ec" : "ea") }
        let sender = try (fromLeft ? left : right).run { try PacketSocket(interface: fromLeft ? "ea" : "ec") }
        for frame in frames { try sender.send(frame) }
        return TestFrame.ids(in: receiver.receive(for: seconds))
    }
}
