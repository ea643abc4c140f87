import Frame

/// Writes a TCP reset for a segment, with the numbers RFC 9293 section 3.10.7.1 gives and Linux
/// sends (`nf_reject_ip_tcphdr_put`, `nf_reject_ip6_tcphdr_put`):
///
/// - the segment had ACK: `<SEQ=SEG.ACK><CTL=RST>`;
/// - otherwise: `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`, where SEG.LEN is the payload plus
///   one for SYN and one for FIN.
///
/// Ports swapped, a 20-byte header without options, window 0, urgent pointer 0.
enum ResetWriter {
    /// Length of the reset's TCP header.
    static let headerLength = 20

    /// Writes the TCP header at `offset` in `out` and its checksum (pseudo-header included).
    @inline(__always)
    static func write(
        _ out: UnsafeMutableRawPointer, at offset: Int, original base: UnsafeRawPointer, info: FrameInfo,
        isIPv4: Bool
    ) {
        let segment = base + info.l4Offset
        let flags = info.tcpFlags
        let dataOffset = Int(segment.answerLoad8(12) >> 4) &* 4
        let tcp = out + offset
        tcp.answerStore16(info.destinationPort, at: 0)
        tcp.answerStore16(info.sourcePort, at: 2)
        if flags & TCPFlag.ack != 0 {
            tcp.answerStore32(segment.answerLoad32(8), at: 4)
            tcp.answerStore32(0, at: 8)
            tcp.answerStore8(TCPFlag.rst, at: 13)
        } else {
            var length = UInt32(truncatingIfNeeded: info.ipEnd &- info.l4Offset &- dataOffset)
            if flags & TCPFlag.syn != 0 { length &+= 1 }
            if flags & TCPFlag.fin != 0 { length &+= 1 }
            tcp.answerStore32(0, at: 4)
            tcp.answerStore32(segment.answerLoad32(4) &+ length, at: 8)
            tcp.answerStore8(TCPFlag.rst | TCPFlag.ack, at: 13)
        }
        tcp.answerStore8(UInt8(headerLength / 4) << 4, at: 12)
        tcp.answerStore16(0, at: 14)  // window
        tcp.answerStore16(0, at: 16)  // checksum, below
        tcp.answerStore16(0, at: 18)  // urgent pointer
        let sum =
            InternetChecksum.add(UnsafeRawPointer(tcp), count: headerLength)
            &+ AnswerHeaders.pseudoHeaderSum(info: info, isIPv4: isIPv4, protocol: IPProtocol.tcp, length: headerLength)
        tcp.answerStore16(InternetChecksum.checksum(sum), at: 16)
    }
}
