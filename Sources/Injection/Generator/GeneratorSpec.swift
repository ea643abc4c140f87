import Frame

/// What `pktgen` sends: one IPv4 or IPv6 frame carrying UDP (or a TCP SYN), `size` bytes long,
/// whose addresses and ports cycle through their ranges frame by frame.
///
/// Frame `k` (counted across all threads) carries source address `k mod sources.count` of its
/// range, destination address `k mod destinations.count`, and likewise for both ports: every
/// field covers its whole range within `max(range sizes)` frames (combinations repeat after their
/// least common multiple).
public struct GeneratorSpec: Sendable, Equatable {
    /// The transport protocol.
    public enum Transport: Sendable, Equatable {
        /// A UDP datagram (the default).
        case udp
        /// A TCP SYN segment.
        case tcp
    }

    /// Frame length in bytes, without the FCS (60 is a 64-byte frame on the wire).
    public var size: Int = 60
    /// Source MAC (low 48 bits).
    public var sourceMAC: UInt64 = 0x02_00_00_00_00_01
    /// Destination MAC (low 48 bits); by default a locally administered one no host owns.
    public var destinationMAC: UInt64 = 0x02_00_00_00_00_02
    /// An 802.1Q tag with this VID after the MACs, or none.
    public var vlan: UInt16? = nil
    /// IPv6 instead of IPv4 (the address ranges must then be IPv6).
    public var ipv6 = false
    /// UDP or TCP.
    public var transport: Transport = .udp
    /// Source addresses (IPv4 addresses as the low 32 bits).
    public var sources = FieldRange(GeneratorSpec.defaultIPv4Source)
    /// Destination addresses.
    public var destinations = FieldRange(GeneratorSpec.defaultIPv4Destination)
    /// Source ports.
    public var sourcePorts = FieldRange(40000)
    /// Destination ports (9, discard, by default).
    public var destinationPorts = FieldRange(9)

    /// 198.18.0.1 (RFC 2544 benchmarking range).
    public static let defaultIPv4Source: UInt128 = 0xC612_0001
    /// 198.19.0.1.
    public static let defaultIPv4Destination: UInt128 = 0xC613_0001
    /// 2001:db8::1 (documentation range).
    public static let defaultIPv6Source: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0001
    /// 2001:db8::2.
    public static let defaultIPv6Destination: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0002

    /// UDP to 198.19.0.1:9 from 198.18.0.1:40000, 60 bytes.
    public init() {}

    /// Bytes of headers before the payload.
    public var headerLength: Int {
        14 + (vlan == nil ? 0 : 4) + (ipv6 ? 40 : 20) + (transport == .tcp ? 20 : 8)
    }

    /// The smallest size: 60, or the headers when they need more.
    public var minimumSize: Int { max(60, headerLength) }

    /// The largest size an interface with this MTU carries: MTU + 14, plus 4 with a VLAN tag.
    public func maximumSize(mtu: Int) -> Int { mtu + 14 + (vlan == nil ? 0 : 4) }

    /// Refuses a ``size`` the interface `interface` (MTU `mtu`) cannot carry.
    public func validate(interface: String, mtu: Int) throws(GeneratorOptionError) {
        let maximum = maximumSize(mtu: mtu)
        guard size >= minimumSize && size <= maximum else {
            throw .sizeOutOfRange(size: size, minimum: minimumSize, maximum: maximum, interface: interface, mtu: mtu)
        }
    }

    /// The first frame (every field at the start of its range), checksums computed from scratch.
    public func template() -> [UInt8] {
        var builder = FrameBuilder()
        builder.destinationMAC = destinationMAC
        builder.sourceMAC = sourceMAC
        if let vlan { builder.vlanTags = [FrameBuilder.VLANTag(id: vlan)] }
        let payload = [UInt8](repeating: 0, count: max(0, size - headerLength))
        let transport: FrameBuilder.Transport
        switch self.transport {
        case .udp:
            var udp = FrameBuilder.UDP()
            udp.sourcePort = UInt16(truncatingIfNeeded: sourcePorts.lower)
            udp.destinationPort = UInt16(truncatingIfNeeded: destinationPorts.lower)
            udp.payload = payload
            transport = .udp(udp)
        case .tcp:
            var tcp = FrameBuilder.TCP()
            tcp.sourcePort = UInt16(truncatingIfNeeded: sourcePorts.lower)
            tcp.destinationPort = UInt16(truncatingIfNeeded: destinationPorts.lower)
            tcp.payload = payload
            transport = .tcp(tcp)
        }
        if ipv6 {
            var header = FrameBuilder.IPv6()
            header.source = sources.lower
            header.destination = destinations.lower
            header.transport = transport
            builder.network = .ipv6(header)
        } else {
            var header = FrameBuilder.IPv4()
            header.source = UInt32(truncatingIfNeeded: sources.lower)
            header.destination = UInt32(truncatingIfNeeded: destinations.lower)
            header.transport = transport
            builder.network = .ipv4(header)
        }
        return builder.build()
    }
}
