import Frame

/// The answer a frame gets, decided before a byte is written.
enum AnswerForm: Equatable {
    /// A TCP reset (RFC 9293 section 3.10.7.1).
    case reset
    /// An ICMP destination-unreachable with this code.
    case icmp(code: UInt8)
    /// An ICMPv6 destination-unreachable with this code.
    case icmpv6(code: UInt8)
}

/// What the writers need: the answer's form and the original IP packet's length.
struct AnswerPlan {
    var form: AnswerForm
    /// The original IP packet's length as its header announces it; checked to lie inside the frame.
    var ipLength: Int
}

/// The plan for one frame, or why it gets none.
enum PlanResult {
    case answer(AnswerPlan)
    case refused(AnswerRefusal)
}

/// Decides whether and how a frame is answered: every refusal rule in one place, in the order
/// the Ethernet header, the IP header and the transport header are reached.
enum AnswerPlanning {
    /// ICMP types that are queries, not errors (RFC 792, RFC 950): echo reply 0, echo request 8,
    /// timestamp 13 and 14, information 15 and 16, address mask 17 and 18, as bits of a mask.
    static let icmpQueryTypes: UInt32 = 1 << 0 | 1 << 8 | 1 << 13 | 1 << 14 | 1 << 15 | 1 << 16 | 1 << 17 | 1 << 18
    /// ICMPv6 redirect.
    static let icmpv6Redirect: UInt8 = 137

    static func plan(
        _ kind: RejectKind, original: UnsafeRawBufferPointer, info: FrameInfo, verifyingChecksum: Bool
    ) -> PlanResult {
        guard info.present.contains(.ethernet), info.length == original.count, let base = original.baseAddress
        else { return .refused(.truncated) }
        if let refusal = linkRefusal(info) { return .refused(refusal) }

        let isIPv4 = info.present.contains(.ipv4)
        let isIPv6 = info.present.contains(.ipv6)
        guard isIPv4 || isIPv6 else {
            let claimsIP = info.etherType == EtherType.ipv4 || info.etherType == EtherType.ipv6
            return .refused(claimsIP ? .truncated : .notIP)
        }
        if let refusal = isIPv4 ? ipv4AddressRefusal(info) : ipv6AddressRefusal(info) { return .refused(refusal) }

        // The whole IP packet its header announces must be here: the reset's acknowledgment counts
        // its payload, a checksum covers all of it, and a lying length is not worth answering.
        let ipLength: Int
        if isIPv4 {
            ipLength = Int(base.answerLoad16(info.l3Offset + 2))
            guard ipLength >= info.ipv4HeaderLength, info.l3Offset + ipLength <= original.count else {
                return .refused(.truncated)
            }
            if base.answerLoad16(info.l3Offset + 6) & 0x1fff != 0 { return .refused(.nonFirstFragment) }
        } else {
            ipLength = 40 + Int(base.answerLoad16(info.l3Offset + 4))
            guard info.l3Offset + ipLength <= original.count else { return .refused(.truncated) }
        }
        guard info.present.contains(.l4Protocol) else {
            // IPv6: the parser stops at a non-first fragment, and at a header chain it cannot walk.
            return .refused(info.isFragment ? .nonFirstFragment : .truncated)
        }

        let isTCP = info.l4Protocol == IPProtocol.tcp
        if let refusal = transportRefusal(info, isIPv4: isIPv4) { return .refused(refusal) }

        let form: AnswerForm
        switch kind {
        case .automatic:
            form = isTCP ? .reset : isIPv4 ? .icmp(code: 3) : .icmpv6(code: 4)
        case .tcpReset:
            guard isTCP else { return .refused(.resetNeedsTCP) }
            form = .reset
        case .icmp(let code):
            guard isIPv4 else { return .refused(.familyMismatch) }
            form = .icmp(code: code)
        case .icmpv6(let code):
            guard isIPv6 else { return .refused(.familyMismatch) }
            form = .icmpv6(code: code)
        case .icmpx(let code):
            form = isIPv4 ? .icmp(code: code.icmpCode) : .icmpv6(code: code.icmpv6Code)
        }
        if form == .reset {
            guard !info.isFragment else { return .refused(.fragmentedTCP) }
            guard info.present.contains(.l4Header) else { return .refused(.truncated) }
        }
        if verifyingChecksum && !checksumIsAcceptable(original, info: info, base: base) {
            return .refused(.badChecksum)
        }
        return .answer(AnswerPlan(form: form, ipLength: ipLength))
    }

    /// Group destination or source MACs (the group bit is the first octet's lowest bit).
    @inline(__always)
    static func linkRefusal(_ info: FrameInfo) -> AnswerRefusal? {
        let groupBit: UInt64 = 0x0100_0000_0000
        if info.destinationMAC == 0xffff_ffff_ffff { return .broadcastDestinationMAC }
        if info.destinationMAC & groupBit != 0 { return .multicastDestinationMAC }
        if info.sourceMAC & groupBit != 0 { return .multicastSourceMAC }
        return nil
    }

    @inline(__always)
    static func ipv4AddressRefusal(_ info: FrameInfo) -> AnswerRefusal? {
        let destination = info.ipv4Destination
        let source = info.ipv4Source
        if destination == 0xffff_ffff { return .broadcastDestination }
        if destination >> 28 == 0xe { return .multicastDestination }
        if destination == 0 { return .unspecifiedDestination }
        if source == 0 { return .unspecifiedSource }
        if source == 0xffff_ffff { return .broadcastSource }
        if source >> 28 == 0xe { return .multicastSource }
        if source >> 24 == 127 { return .loopbackSource }
        return nil
    }

    @inline(__always)
    static func ipv6AddressRefusal(_ info: FrameInfo) -> AnswerRefusal? {
        let destination = info.ipv6Destination
        let source = info.ipv6Source
        if destination >> 120 == 0xff { return .multicastDestination }
        if destination == 0 { return .unspecifiedDestination }
        if source == 0 { return .unspecifiedSource }
        if source >> 120 == 0xff { return .multicastSource }
        if source == 1 { return .loopbackSource }
        return nil
    }

    /// ICMP errors, ICMPv6 errors and redirects, and resets are never answered; telling them
    /// apart needs the ICMP type or the TCP flags.
    @inline(__always)
    static func transportRefusal(_ info: FrameInfo, isIPv4: Bool) -> AnswerRefusal? {
        switch info.l4Protocol {
        case IPProtocol.icmp where isIPv4:
            guard info.present.contains(.icmpType) else { return .truncated }
            let type = info.icmpType
            if type >= 32 || icmpQueryTypes & 1 << UInt32(type) == 0 { return .icmpError }
        case IPProtocol.icmpv6 where !isIPv4:
            guard info.present.contains(.icmpType) else { return .truncated }
            if info.icmpType < 128 { return .icmpError }
            if info.icmpType == icmpv6Redirect { return .icmpv6Redirect }
        case IPProtocol.tcp:
            guard info.present.contains(.tcpFlags) else { return .truncated }
            if info.tcpFlags & TCPFlag.rst != 0 { return .tcpReset }
        default:
            break
        }
        return nil
    }

    /// Linux refuses to answer a segment whose transport checksum is wrong (`nf_reject_verify_csum`
    /// and `nf_ip_checksum`): TCP, UDP (unless its checksum is 0, "none", in either family, as
    /// Linux skips it), ICMP and ICMPv6. Other protocols, and a first fragment (its checksum covers
    /// bytes this frame does not hold), are answered unverified.
    static func checksumIsAcceptable(_ original: UnsafeRawBufferPointer, info: FrameInfo, base: UnsafeRawPointer)
        -> Bool
    {
        guard !info.isFragment else { return true }
        switch info.l4Protocol {
        case IPProtocol.tcp, IPProtocol.icmp, IPProtocol.icmpv6:
            break
        case IPProtocol.udp:
            guard info.present.contains(.l4Header) else { return true }
            if base.answerLoad16(info.l4Offset + 6) == 0 { return true }
        default:
            return true
        }
        guard info.present.contains(.l4Header) else { return true }
        return ChecksumVerifier.l4IsValid(original, info: info)
    }
}

/// TCP flag bits.
enum TCPFlag {
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let ack: UInt8 = 0x10
}
