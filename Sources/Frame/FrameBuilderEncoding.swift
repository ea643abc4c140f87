/// How each layer of a ``FrameBuilder`` frame is written. Every length and checksum is computed
/// here from the bytes written, with ``InternetChecksum``.

/// The addresses a transport checksum's pseudo-header takes from the IP header around it.
enum PseudoHeader {
    case ipv4(source: UInt32, destination: UInt32)
    case ipv6(source: UInt128, destination: UInt128)

    func sum(protocol proto: UInt8, length: Int) -> UInt64 {
        switch self {
        case .ipv4(let source, let destination):
            InternetChecksum.ipv4PseudoHeader(source: source, destination: destination, protocol: proto, length: length)
        case .ipv6(let source, let destination):
            InternetChecksum.ipv6PseudoHeader(
                source: source, destination: destination, nextHeader: proto, length: length)
        }
    }
}

extension FrameBuilder.ARP {
    func encode(into writer: inout ByteWriter) {
        writer.u16(1)  // Ethernet
        writer.u16(EtherType.ipv4)
        writer.u8(6)
        writer.u8(4)
        writer.u16(operation)
        writer.mac(senderMAC)
        writer.u32(senderIP)
        writer.mac(targetMAC)
        writer.u32(targetIP)
    }
}

extension FrameBuilder.IPv4 {
    /// Options are padded with zeros to a multiple of 4 and cut at 40 bytes (IHL 15).
    func encode(into writer: inout ByteWriter) {
        let start = writer.count
        let optionBytes = Array(options.prefix(40))
        let paddedOptions = (optionBytes.count + 3) / 4 * 4
        let headerLength = 20 + paddedOptions
        let proto = protocolOverride ?? transport.protocolNumber
        writer.u8(0x40 | UInt8(headerLength / 4))
        writer.u8((dscp & 0x3f) << 2 | ecn & 0x03)
        writer.u16(0)  // total length, patched below
        writer.u16(identification)
        writer.u16((dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset & 0x1fff)
        writer.u8(ttl)
        writer.u8(proto)
        writer.u16(0)  // header checksum, patched below
        writer.u32(source)
        writer.u32(destination)
        writer.bytes(optionBytes)
        writer.zeros(paddedOptions - optionBytes.count)
        transport.encode(into: &writer, protocol: proto, pseudoHeader: .ipv4(source: source, destination: destination))
        writer.patch16(UInt16(truncatingIfNeeded: writer.count - start), at: start + 2)
        writer.patch16(InternetChecksum.checksum(writer.sum(start..<start + headerLength)), at: start + 10)
    }
}

extension FrameBuilder.IPv6 {
    func encode(into writer: inout ByteWriter) {
        let start = writer.count
        let trafficClass = UInt32((dscp & 0x3f) << 2 | ecn & 0x03)
        writer.u32(6 << 28 | trafficClass << 20 | flowLabel & 0xf_ffff)
        writer.u16(0)  // payload length, patched below
        writer.u8(extensionHeaders.first?.protocolNumber ?? transport.protocolNumber)
        writer.u8(hopLimit)
        writer.u128(source)
        writer.u128(destination)
        for (index, header) in extensionHeaders.enumerated() {
            let next =
                index + 1 < extensionHeaders.count
                ? extensionHeaders[index + 1].protocolNumber : transport.protocolNumber
            header.encode(into: &writer, nextHeader: next)
        }
        transport.encode(
            into: &writer, protocol: transport.protocolNumber,
            pseudoHeader: .ipv6(source: source, destination: destination))
        writer.patch16(UInt16(truncatingIfNeeded: writer.count - start - 40), at: start + 4)
    }
}

extension FrameBuilder.ExtensionHeader {
    var protocolNumber: UInt8 {
        switch self {
        case .hopByHop: IPProtocol.hopByHop
        case .routing: IPProtocol.routing
        case .destinationOptions: IPProtocol.destinationOptions
        case .fragment: IPProtocol.fragment
        }
    }

    func encode(into writer: inout ByteWriter, nextHeader: UInt8) {
        switch self {
        case .hopByHop(let length), .destinationOptions(let length):
            let total = Self.totalLength(bodyLength: length)
            writer.u8(nextHeader)
            writer.u8(UInt8(truncatingIfNeeded: total / 8 - 1))
            Self.writePadding(total - 2, into: &writer)
        case .routing(let length):
            let total = Self.totalLength(bodyLength: length)
            writer.u8(nextHeader)
            writer.u8(UInt8(truncatingIfNeeded: total / 8 - 1))
            writer.u8(253)  // routing type reserved for experiments (RFC 4727)
            writer.u8(0)  // segments left: 0, so the destination field stays the final one
            writer.zeros(total - 4)
        case .fragment(let offset, let moreFragments, let identification):
            writer.u8(nextHeader)
            writer.u8(0)
            writer.u16(offset << 3 | (moreFragments ? 1 : 0))
            writer.u32(identification)
        }
    }

    /// Two header bytes plus the body rounded up to 8n+6 bytes, at most 2,048 bytes.
    private static func totalLength(bodyLength: Int) -> Int {
        min(max(8, (2 + max(0, bodyLength) + 7) / 8 * 8), 2048)
    }

    /// Fills an options area with Pad1/PadN options (RFC 8200 section 4.2).
    private static func writePadding(_ count: Int, into writer: inout ByteWriter) {
        var remaining = count
        while remaining > 0 {
            if remaining == 1 {
                writer.u8(0)  // Pad1
                remaining = 0
            } else {
                // PadN carries at most 255 data bytes; never leave exactly one byte behind it
                // unless Pad1 takes it.
                let chunk = min(remaining, 257)
                writer.u8(1)
                writer.u8(UInt8(chunk - 2))
                writer.zeros(chunk - 2)
                remaining -= chunk
            }
        }
    }
}

extension FrameBuilder.Transport {
    /// The protocol number this transport implies.
    public var protocolNumber: UInt8 {
        switch self {
        case .other(let protocolNumber, _): protocolNumber
        case .tcp: IPProtocol.tcp
        case .udp: IPProtocol.udp
        case .icmp: IPProtocol.icmp
        case .icmpv6: IPProtocol.icmpv6
        }
    }

    /// Writes the segment with its checksum; `proto` is the number the IP header carries, which
    /// the pseudo-header uses (ICMP over IPv4 has no pseudo-header).
    func encode(into writer: inout ByteWriter, protocol proto: UInt8, pseudoHeader: PseudoHeader) {
        let start = writer.count
        switch self {
        case .other(_, let payload):
            writer.bytes(payload)
        case .tcp(let tcp):
            let optionBytes = Array(tcp.options.prefix(40))
            let paddedOptions = (optionBytes.count + 3) / 4 * 4
            writer.u16(tcp.sourcePort)
            writer.u16(tcp.destinationPort)
            writer.u32(tcp.sequence)
            writer.u32(tcp.acknowledgment)
            writer.u8(UInt8((20 + paddedOptions) / 4) << 4)
            writer.u8(tcp.flags)
            writer.u16(tcp.window)
            writer.u16(0)  // checksum, patched below
            writer.u16(0)  // urgent pointer
            writer.bytes(optionBytes)
            writer.zeros(paddedOptions - optionBytes.count)
            writer.bytes(tcp.payload)
            let sum =
                writer.sum(start..<writer.count) &+ pseudoHeader.sum(protocol: proto, length: writer.count - start)
            writer.patch16(InternetChecksum.checksum(sum), at: start + 16)
        case .udp(let udp):
            writer.u16(udp.sourcePort)
            writer.u16(udp.destinationPort)
            writer.u16(UInt16(truncatingIfNeeded: 8 + udp.payload.count))
            writer.u16(0)  // checksum, patched below
            writer.bytes(udp.payload)
            if !udp.zeroChecksum {
                let sum =
                    writer.sum(start..<writer.count) &+ pseudoHeader.sum(protocol: proto, length: writer.count - start)
                let checksum = InternetChecksum.checksum(sum)
                writer.patch16(checksum == 0 ? 0xffff : checksum, at: start + 6)
            }
        case .icmp(let icmp), .icmpv6(let icmp):
            writer.u8(icmp.type)
            writer.u8(icmp.code)
            writer.u16(0)  // checksum, patched below
            writer.u32(icmp.rest)
            writer.bytes(icmp.payload)
            var sum = writer.sum(start..<writer.count)
            if case .icmpv6 = self { sum &+= pseudoHeader.sum(protocol: proto, length: writer.count - start) }
            writer.patch16(InternetChecksum.checksum(sum), at: start + 2)
        }
    }
}
