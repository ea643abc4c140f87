import Frame

/// The headers every answer starts with: Ethernet back to the sender, the original's VLAN tags,
/// and an IP header from the original's destination to its source.
enum AnswerHeaders {
    /// Writes the Ethernet header and tags: destination = the original's source MAC, source = the
    /// MAC the original was sent to, then the original's bytes from its first TPID through the
    /// EtherType before the IP header, copied as they were (802.1Q, 802.1ad and 0x9100 tags alike).
    @inline(__always)
    static func writeLink(_ out: UnsafeMutableRawPointer, original base: UnsafeRawPointer, info: FrameInfo) {
        out.answerStoreMAC(info.sourceMAC, at: 0)
        out.answerStoreMAC(info.destinationMAC, at: 6)
        (out + 12).copyMemory(from: base + 12, byteCount: info.l3Offset - 12)
    }

    /// Writes a 20-byte IPv4 header at `offset`: TOS 0, id 0, DF, TTL 64, no options, addresses
    /// swapped, header checksum computed.
    @inline(__always)
    static func writeIPv4(
        _ out: UnsafeMutableRawPointer, at offset: Int, info: FrameInfo, protocol proto: UInt8, totalLength: Int
    ) {
        let header = out + offset
        header.answerStore8(0x45, at: 0)
        header.answerStore8(0, at: 1)
        header.answerStore16(UInt16(truncatingIfNeeded: totalLength), at: 2)
        header.answerStore16(0, at: 4)
        header.answerStore16(0x4000, at: 6)
        header.answerStore8(AnswerBuilder.answerHopLimit, at: 8)
        header.answerStore8(proto, at: 9)
        header.answerStore16(0, at: 10)
        header.answerStore32(info.ipv4Destination, at: 12)
        header.answerStore32(info.ipv4Source, at: 16)
        let sum = InternetChecksum.add(UnsafeRawPointer(header), count: 20)
        header.answerStore16(InternetChecksum.checksum(sum), at: 10)
    }

    /// Writes a 40-byte IPv6 header at `offset`: traffic class 0, flow label 0, hop limit 64,
    /// addresses swapped, no extension headers.
    @inline(__always)
    static func writeIPv6(
        _ out: UnsafeMutableRawPointer, at offset: Int, info: FrameInfo, nextHeader: UInt8, payloadLength: Int
    ) {
        let header = out + offset
        header.answerStore32(6 << 28, at: 0)
        header.answerStore16(UInt16(truncatingIfNeeded: payloadLength), at: 4)
        header.answerStore8(nextHeader, at: 6)
        header.answerStore8(AnswerBuilder.answerHopLimit, at: 7)
        header.answerStore128(info.ipv6Destination, at: 8)
        header.answerStore128(info.ipv6Source, at: 24)
    }

    /// The pseudo-header sum for a transport checksum in the answer (whose addresses are the
    /// original's, swapped).
    @inline(__always)
    static func pseudoHeaderSum(info: FrameInfo, isIPv4: Bool, protocol proto: UInt8, length: Int) -> UInt64 {
        isIPv4
            ? InternetChecksum.ipv4PseudoHeader(
                source: info.ipv4Destination, destination: info.ipv4Source, protocol: proto, length: length)
            : InternetChecksum.ipv6PseudoHeader(
                source: info.ipv6Destination, destination: info.ipv6Source, nextHeader: proto, length: length)
    }
}
