/// The packet an ICMP or ICMPv6 error quotes: its IP header and first 8 L4 bytes, read from the
/// frame's bytes (bounds-checked), as much as finding its flow needs.
struct QuotedPacket {
    var source: UInt128
    var destination: UInt128
    var sourcePort: UInt16
    var destinationPort: UInt16
    var ipProtocol: UInt8

    /// The most IPv6 extension headers walked inside a quoted packet.
    static let maxExtensionHeaders = 8

    /// Parses the quoted packet in `base[start ..< end]` (the error's body after its 8-byte
    /// header). Nil when it is truncated before 8 L4 bytes, is not of `family`, is a non-first
    /// fragment, or is itself an ICMP error or a message that belongs to no flow.
    @inline(__always)
    static func parse(_ base: UnsafeRawPointer, from start: Int, to end: Int, family: FlowFamily) -> QuotedPacket? {
        var packet: QuotedPacket
        var l4: Int
        if family == .ipv4 {
            guard end - start >= 20 else { return nil }
            let versionIHL = base.byte(at: start)
            let headerLength = Int(versionIHL & 0x0f) &* 4
            guard versionIHL >> 4 == 4, headerLength >= 20, base.bigEndian16(at: start + 6) & 0x1fff == 0 else {
                return nil
            }
            packet = QuotedPacket(
                source: FlowAddress.mapped(base.bigEndian32(at: start + 12)),
                destination: FlowAddress.mapped(base.bigEndian32(at: start + 16)), sourcePort: 0, destinationPort: 0,
                ipProtocol: base.byte(at: start + 9))
            l4 = start + headerLength
        } else {
            guard end - start >= 40, base.byte(at: start) >> 4 == 6 else { return nil }
            var next = base.byte(at: start + 6)
            var cursor = start + 40
            var headers = 0
            walk: while true {
                switch next {
                case 0, 43, 60, 51:  // hop-by-hop, routing, destination options, AH
                    guard headers < maxExtensionHeaders, cursor + 8 <= end else { return nil }
                    let units = Int(base.byte(at: cursor + 1))
                    let length = next == 51 ? (units + 2) &* 4 : (units + 1) &* 8
                    next = base.byte(at: cursor)
                    cursor += length
                    headers &+= 1
                case 44:  // fragment: only a first fragment carries the ports
                    guard headers < maxExtensionHeaders, cursor + 8 <= end,
                        base.bigEndian16(at: cursor + 2) >> 3 == 0
                    else { return nil }
                    next = base.byte(at: cursor)
                    cursor += 8
                    headers &+= 1
                case 59:
                    return nil
                default:
                    break walk
                }
            }
            packet = QuotedPacket(
                source: base.bigEndian128(at: start + 8), destination: base.bigEndian128(at: start + 24),
                sourcePort: 0, destinationPort: 0, ipProtocol: next)
            l4 = cursor
        }
        guard l4 + 8 <= end else { return nil }
        switch packet.ipProtocol {
        case 6, 17:
            packet.sourcePort = base.bigEndian16(at: l4)
            packet.destinationPort = base.bigEndian16(at: l4 + 2)
        case _ where FlowKey.isICMP(packet.ipProtocol, family):
            guard let query = ICMPKinds.query(type: base.byte(at: l4), family: family) else { return nil }
            packet.sourcePort = base.bigEndian16(at: l4 + 4)
            packet.destinationPort = UInt16(query.kind)
        default:
            break
        }
        return packet
    }
}
