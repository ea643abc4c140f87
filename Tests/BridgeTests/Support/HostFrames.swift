import Frame
import TestSupport

/// One end of a raw frame on the testbed's wire: a MAC and an IPv4 address.
struct Endpoint: Sendable {
    var mac: UInt64
    var ipv4: UInt32
}

extension BridgeTestbed {
    /// Host a as a raw frame's end: a0's MAC and ``addressA``.
    func endpointA() throws -> Endpoint {
        Endpoint(mac: HostFrames.mac(try mac(of: "a0", in: a)), ipv4: HostFrames.ipv4(Self.addressA))
    }

    /// Host b as a raw frame's end: b0's MAC and ``addressB``.
    func endpointB() throws -> Endpoint {
        Endpoint(mac: HostFrames.mac(try mac(of: "b0", in: b)), ipv4: HostFrames.ipv4(Self.addressB))
    }
}

/// Raw IPv4 frames between the testbed's hosts, built by ``Frame/FrameBuilder`` (every length
/// and checksum computed from scratch), for what a socket cannot send: tags, forged sources,
/// ICMP errors nobody asked for, fragments, floods at a known pace.
enum HostFrames {
    /// TCP flag bits.
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let ack: UInt8 = 0x10

    /// `a.b.c.d` as a number.
    static func ipv4(_ text: String) -> UInt32 {
        text.split(separator: ".").reduce(0) { $0 << 8 | UInt32($1)! }
    }

    /// `aa:bb:cc:dd:ee:ff` as a number.
    static func mac(_ text: String) -> UInt64 {
        text.split(separator: ":").reduce(0) { $0 << 8 | UInt64($1, radix: 16)! }
    }

    /// An IPv4 frame from `source` to `destination` carrying `transport`, inside `tags`.
    static func frame(
        from source: Endpoint, to destination: Endpoint, tags: [FrameBuilder.VLANTag] = [],
        _ transport: FrameBuilder.Transport
    ) -> [UInt8] {
        var ip = FrameBuilder.IPv4()
        ip.source = source.ipv4
        ip.destination = destination.ipv4
        ip.transport = transport
        return frame(from: source, to: destination, tags: tags, ip: ip)
    }

    /// The frame of `ip`, with the endpoints' MACs, inside `tags`.
    static func frame(
        from source: Endpoint, to destination: Endpoint, tags: [FrameBuilder.VLANTag] = [], ip: FrameBuilder.IPv4
    ) -> [UInt8] {
        var builder = FrameBuilder()
        builder.sourceMAC = source.mac
        builder.destinationMAC = destination.mac
        builder.vlanTags = tags
        builder.network = .ipv4(ip)
        return builder.build()
    }

    /// A TCP SYN from `sourcePort` to `destinationPort` with sequence number `sequence`.
    static func syn(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32 = 1000) -> FrameBuilder.Transport {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = sourcePort
        tcp.destinationPort = destinationPort
        tcp.sequence = sequence
        tcp.flags = syn
        return .tcp(tcp)
    }

    /// A UDP datagram carrying `payload`.
    static func udp(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8] = Array("bk".utf8))
        -> FrameBuilder.Transport
    {
        var udp = FrameBuilder.UDP()
        udp.sourcePort = sourcePort
        udp.destinationPort = destinationPort
        udp.payload = payload
        return .udp(udp)
    }

    /// An ICMP echo request with this identifier and sequence number.
    static func echoRequest(identifier: UInt16, sequence: UInt16) -> FrameBuilder.Transport {
        var icmp = FrameBuilder.ICMP()
        icmp.type = 8
        icmp.rest = UInt32(identifier) << 16 | UInt32(sequence)
        icmp.payload = Array(repeating: 0x42, count: 56)
        return .icmp(icmp)
    }

    /// An ICMP error (`type`, `code`) quoting the IP header and the first 8 bytes of `quoted`
    /// (a frame built here: its Ethernet header is skipped).
    static func icmpError(type: UInt8, code: UInt8, quoting quoted: [UInt8]) -> FrameBuilder.Transport {
        var icmp = FrameBuilder.ICMP()
        icmp.type = type
        icmp.code = code
        icmp.rest = 0
        icmp.payload = Array(quoted[14..<(14 + 20 + 8)])
        return .icmp(icmp)
    }

    /// The frame parsed.
    static func info(_ frame: [UInt8]) -> FrameInfo {
        frame.withUnsafeBytes { FrameInfo.parse($0) }
    }

    /// The 32-bit word at `offset` of `frame`, big-endian.
    static func word(_ frame: [UInt8], at offset: Int) -> UInt32 {
        frame[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
