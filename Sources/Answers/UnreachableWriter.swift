import Frame

/// Writes an ICMP or ICMPv6 destination-unreachable message quoting the original IP packet.
///
/// The message is type, code, checksum, four zero bytes (unused; the next-hop MTU of
/// `frag-needed` is 0, as the kernel writes it), then the original packet from its IP header on,
/// cut to ``AnswerBuilder/ipv4QuoteLimit`` or ``AnswerBuilder/ipv6QuoteLimit`` bytes and never
/// past the packet's IP length (Ethernet padding is not quoted).
enum UnreachableWriter {
    /// ICMP destination unreachable.
    static let icmpType: UInt8 = 3
    /// ICMPv6 destination unreachable.
    static let icmpv6Type: UInt8 = 1
    /// Type, code, checksum and the unused word.
    static let headerLength = 8

    /// Writes the message at `offset` in `out`, quoting `quoted` bytes of the original's IP packet,
    /// and its checksum (ICMPv6's covers the pseudo-header, ICMP's does not).
    @inline(__always)
    static func write(
        _ out: UnsafeMutableRawPointer, at offset: Int, original base: UnsafeRawPointer, info: FrameInfo,
        isIPv4: Bool, code: UInt8, quoted: Int
    ) {
        let message = out + offset
        message.answerStore8(isIPv4 ? icmpType : icmpv6Type, at: 0)
        message.answerStore8(code, at: 1)
        message.answerStore16(0, at: 2)
        message.answerStore32(0, at: 4)
        (message + headerLength).copyMemory(from: base + info.l3Offset, byteCount: quoted)
        let length = headerLength &+ quoted
        var sum = InternetChecksum.add(UnsafeRawPointer(message), count: length)
        if !isIPv4 {
            sum &+= AnswerHeaders.pseudoHeaderSum(
                info: info, isIPv4: false, protocol: IPProtocol.icmpv6, length: length)
        }
        message.answerStore16(InternetChecksum.checksum(sum), at: 2)
    }
}
