/// Rewrites of IPv4 and IPv6 header fields, with the checksums that cover them.
extension FrameBuffer {
    mutating func setIPv4Address(_ address: UInt32, at offset: Int, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.ipv4) else { return false }
        let ip = storage + start + info.l3Offset
        let delta = ChecksumDelta(old: UnsafeRawPointer(ip).be32(offset), new: address)
        ip.storeBE32(address, at: offset)
        ip.adjustChecksum(at: 10, by: delta)
        adjustPseudoHeaderChecksum(
            by: delta, present: info.present, l4Protocol: info.l4Protocol, l4Offset: info.l4Offset)
        if offset == 12 { info.ipv4Source = address } else { info.ipv4Destination = address }
        return true
    }

    /// Writes the bits of the header byte at `offset` outside `keeping`; TTL (8) or TOS (1).
    mutating func setIPv4HeaderByte(_ value: UInt8, at offset: Int, keeping mask: UInt8, info: inout FrameInfo)
        -> Bool
    {
        guard info.present.contains(.ipv4) else { return false }
        let ip = storage + start + info.l3Offset
        // The checksum covers 16-bit words: the byte and its neighbour in the same word.
        let wordOffset = offset & ~1
        let oldWord = UnsafeRawPointer(ip).be16(wordOffset)
        let byte = UnsafeRawPointer(ip).u8(offset) & mask | value
        ip.storeU8(byte, at: offset)
        let newWord = UnsafeRawPointer(ip).be16(wordOffset)
        ip.adjustChecksum(at: 10, by: ChecksumDelta(old: oldWord, new: newWord))
        if offset == 8 {
            info.ttl = byte
        } else {
            info.dscp = byte >> 2
            info.ecn = byte & 0x03
        }
        return true
    }

    mutating func setIPv6Address(_ address: UInt128, at offset: Int, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.ipv6) else { return false }
        let ip = storage + start + info.l3Offset
        let delta = ChecksumDelta(old: UnsafeRawPointer(ip).be128(offset), new: address)
        ip.storeBE128(address, at: offset)
        adjustPseudoHeaderChecksum(
            by: delta, present: info.present, l4Protocol: info.l4Protocol, l4Offset: info.l4Offset)
        if offset == 8 { info.ipv6Source = address } else { info.ipv6Destination = address }
        return true
    }

    mutating func setIPv6HopLimit(_ hopLimit: UInt8, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.ipv6) else { return false }
        (storage + start + info.l3Offset).storeU8(hopLimit, at: 7)
        info.ttl = hopLimit
        return true
    }

    /// DSCP is the upper 6 bits of the traffic class, bits 22...27 of the first word.
    mutating func setIPv6DSCP(_ dscp: UInt8, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.ipv6) else { return false }
        let ip = storage + start + info.l3Offset
        let first = UnsafeRawPointer(ip).be32(0) & ~(0x3f << 22) | UInt32(dscp) << 22
        ip.storeBE32(first, at: 0)
        info.dscp = dscp
        return true
    }

    /// An address change alters the pseudo-header that TCP, UDP and ICMPv6 checksums cover
    /// (ICMP over IPv4 has none). Only a complete L4 header's checksum is touched; a first
    /// fragment's gets the delta too, which is right as its checksum covers the whole datagram.
    /// Takes the three fields it needs rather than the whole `FrameInfo`, which would be copied.
    @inline(__always)
    private func adjustPseudoHeaderChecksum(
        by delta: ChecksumDelta, present: FieldPresence, l4Protocol: UInt8, l4Offset: Int
    ) {
        guard present.contains(.l4Header) else { return }
        let l4 = storage + start + l4Offset
        switch l4Protocol {
        case IPProtocol.tcp: l4.adjustChecksum(at: 16, by: delta)
        case IPProtocol.udp: l4.adjustUDPChecksum(at: 6, by: delta)
        case IPProtocol.icmpv6 where present.contains(.ipv6): l4.adjustChecksum(at: 2, by: delta)
        default: break
        }
    }
}
