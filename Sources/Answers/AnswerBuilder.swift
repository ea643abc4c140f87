import Frame

/// Builds the answer a `reject` sends back to a frame's sender, in the data plane: no allocation,
/// written into the caller's buffer.
///
/// The answer goes back out of the port the frame came in on. It is addressed to the frame's
/// sender: Ethernet addresses swapped (its source is the MAC the frame was sent to), every VLAN tag
/// copied as it was, the same EtherType, IP addresses swapped, TTL or hop limit 64, and for IPv4
/// DF set, id 0 and TOS 0.
///
/// A reset follows RFC 9293 section 3.10.7.1 as Linux does: to a segment with ACK,
/// `<SEQ=SEG.ACK><CTL=RST>`; otherwise `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>` (SYN and FIN
/// count one each); ports swapped, a 20-byte header, window 0. An ICMP or ICMPv6
/// destination-unreachable quotes the original IP packet from its header on, as far as RFC 1812
/// and RFC 4443 allow (``ipv4QuoteLimit``, ``ipv6QuoteLimit``) and never past its IP length.
/// Every checksum is computed from scratch. Answers shorter than the Ethernet minimum are
/// zero-padded to 60 bytes (a 54-byte IPv4 reset, for one), so they are valid on any link; the
/// IP length fields exclude the padding.
///
/// Frames that must not be answered are refused before anything is written, each with its own
/// ``AnswerRefusal``.
public enum AnswerBuilder {
    /// Room for the largest answer: Ethernet, ``FrameInfo/maxVLANTags`` tags and a 1,280-byte
    /// IPv6 packet (1,326 bytes).
    public static let maximumAnswerLength = 14 + 4 * FrameInfo.maxVLANTags + 1280
    /// The most bytes of the original IPv4 packet an ICMP error quotes: 576 - 20 - 8 = 548, so the
    /// error does not exceed 576 bytes (RFC 1812 section 4.3.2.3). Linux's bridge reject quotes
    /// at most 536 (`nf_reject_skb_v4_unreach`); both are within the RFC's limit.
    public static let ipv4QuoteLimit = 576 - 20 - 8
    /// The most bytes of the original IPv6 packet an ICMPv6 error quotes: 1280 - 40 - 8 = 1232,
    /// so the error does not exceed the minimum IPv6 MTU (RFC 4443 section 2.4 (c)). Linux's bridge
    /// reject quotes at most 1220 (`nf_reject_skb_v6_unreach`).
    public static let ipv6QuoteLimit = 1280 - 40 - 8
    /// The answer's TTL (IPv4) or hop limit (IPv6): Linux's default, `ip_default_ttl`.
    public static let answerHopLimit: UInt8 = 64
    /// The Ethernet minimum frame length without the FCS; shorter answers are zero-padded to it.
    public static let minimumFrameLength = 60

    /// Builds the answer to `original` into `output`.
    ///
    /// - Parameters:
    ///   - kind: what the rule asked for.
    ///   - original: the frame as it arrived (before any rewrite).
    ///   - info: `FrameInfo.parse(original)`.
    ///   - output: where the answer is written; it must not overlap `original`.
    ///     ``maximumAnswerLength`` bytes are always enough.
    ///   - verifyingChecksum: refuse a frame whose TCP, UDP, ICMP or ICMPv6 checksum is wrong, as
    ///     Linux does. Pass false when the checksum is known good or not yet filled in (the
    ///     driver validated it, or the sender left it to offload).
    /// - Returns: `.built(length)`, the answer being `output[0 ..< length]`, or why not.
    public static func build(
        _ kind: RejectKind, original: UnsafeRawBufferPointer, info: FrameInfo,
        into output: UnsafeMutableRawBufferPointer, verifyingChecksum: Bool = true
    ) -> AnswerOutcome {
        let plan: AnswerPlan
        switch AnswerPlanning.plan(kind, original: original, info: info, verifyingChecksum: verifyingChecksum) {
        case .refused(let refusal): return .refused(refusal)
        case .answer(let answer): plan = answer
        }
        // The planner checked that the original has an Ethernet header and a whole IP packet.
        let base = original.baseAddress.unsafelyUnwrapped
        let isIPv4 = info.present.contains(.ipv4)
        let ipHeaderLength = isIPv4 ? 20 : 40
        let transportLength: Int
        let quoted: Int
        switch plan.form {
        case .reset:
            quoted = 0
            transportLength = ResetWriter.headerLength
        case .icmp, .icmpv6:
            quoted = min(plan.ipLength, isIPv4 ? ipv4QuoteLimit : ipv6QuoteLimit)
            transportLength = UnreachableWriter.headerLength + quoted
        }
        let ipLength = ipHeaderLength + transportLength
        let length = info.l3Offset + ipLength
        let padded = max(length, minimumFrameLength)
        guard let out = output.baseAddress, output.count >= padded else { return .refused(.bufferTooSmall) }

        AnswerHeaders.writeLink(out, original: base, info: info)
        let proto = plan.form == .reset ? IPProtocol.tcp : isIPv4 ? IPProtocol.icmp : IPProtocol.icmpv6
        if isIPv4 {
            AnswerHeaders.writeIPv4(out, at: info.l3Offset, info: info, protocol: proto, totalLength: ipLength)
        } else {
            AnswerHeaders.writeIPv6(
                out, at: info.l3Offset, info: info, nextHeader: proto, payloadLength: transportLength)
        }
        let transportOffset = info.l3Offset + ipHeaderLength
        switch plan.form {
        case .reset:
            ResetWriter.write(out, at: transportOffset, original: base, info: info, isIPv4: isIPv4)
        case .icmp(let code), .icmpv6(let code):
            UnreachableWriter.write(
                out, at: transportOffset, original: base, info: info, isIPv4: isIPv4, code: code, quoted: quoted)
        }
        if padded > length { (out + length).initializeMemory(as: UInt8.self, repeating: 0, count: padded - length) }
        return .built(length: padded)
    }
}
