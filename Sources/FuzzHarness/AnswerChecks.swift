import Answers
import Frame
import Synchronization

/// What must hold of an answer a `reject` built, checked from its bytes against the frame it
/// answers: it parses soundly and back to the sender (Ethernet addresses swapped, the same VLAN
/// tags, IP addresses swapped), its checksums are right, a reset carries RFC 9293's numbers, an
/// ICMP or ICMPv6 error quotes the original's IP packet as far as the RFCs allow, and the frame it
/// answers is one that may be answered at all.
enum AnswerChecks {
    /// Answers checked so far in this process.
    static let checked = Atomic<Int>(0)

    /// The violations of `answer`, built for `original` (parsed into `asked`).
    static func violations(
        _ answer: UnsafeRawBufferPointer, original: UnsafeRawBufferPointer, asked: FrameInfo
    ) -> [HarnessViolation] {
        checked.add(1, ordering: .relaxed)
        var log = ViolationLog()
        log.expect(
            answer.count >= AnswerBuilder.minimumFrameLength && answer.count <= AnswerBuilder.maximumAnswerLength,
            "answer-length", "\(answer.count) bytes")
        log.add(refusalViolations(original, asked: asked), context: "answered")
        let info = FrameInfo.parse(answer)
        log.add(ParseSoundness.violations(info, count: answer.count), context: "answer")
        guard info.present.contains(.ethernet), info.present.contains(.l4Header), info.ipEnd <= answer.count else {
            log.expect(false, "answer-parse", "no whole IP packet with a transport header (present \(info.present))")
            return log.items
        }
        log.expect(
            info.destinationMAC == asked.sourceMAC && info.sourceMAC == asked.destinationMAC, "answer-addressing",
            "MACs not swapped")
        log.expect(
            info.l3Offset == asked.l3Offset
                && Array(answer[12..<info.l3Offset]) == Array(original[12..<min(asked.l3Offset, original.count)]),
            "answer-addressing", "VLAN tags or EtherType differ from the original's")
        let sameFamily =
            info.present.contains(.ipv4) == asked.present.contains(.ipv4)
            && info.present.contains(.ipv6) == asked.present.contains(.ipv6)
        log.expect(sameFamily, "answer-addressing", "IP family differs")
        log.expect(
            info.ipv4Source == asked.ipv4Destination && info.ipv4Destination == asked.ipv4Source
                && info.ipv6Source == asked.ipv6Destination && info.ipv6Destination == asked.ipv6Source,
            "answer-addressing", "IP addresses not swapped")
        log.expect(info.ttl == AnswerBuilder.answerHopLimit, "answer-header", "TTL or hop limit \(info.ttl)")
        log.expect(!info.isFragment, "answer-header", "the answer is a fragment")
        log.expect(
            ChecksumVerifier.allAreValid(answer, info: info) && ChecksumVerifier.l4IsValid(answer, info: info),
            "answer-checksum", "protocol \(info.l4Protocol) answer has a wrong checksum")
        switch info.l4Protocol {
        case IPProtocol.tcp:
            log.add(resetViolations(answer, info: info, original: original, asked: asked), context: "reset")
        case IPProtocol.icmp, IPProtocol.icmpv6:
            log.add(errorViolations(answer, info: info, original: original, asked: asked), context: "ICMP error")
        default:
            log.expect(false, "answer-form", "protocol \(info.l4Protocol)")
        }
        return log.items
    }

    /// A reset: ports swapped, and `<SEQ=SEG.ACK><CTL=RST>` to a segment with ACK, otherwise
    /// `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>` (SYN and FIN count one each).
    private static func resetViolations(
        _ answer: UnsafeRawBufferPointer, info: FrameInfo, original: UnsafeRawBufferPointer, asked: FrameInfo
    ) -> [HarnessViolation] {
        var log = ViolationLog()
        guard asked.l4Protocol == IPProtocol.tcp, asked.present.contains(.l4Header),
            asked.l4Offset + 20 <= original.count
        else {
            log.expect(false, "answer-form", "a reset to a frame that is not a whole TCP segment")
            return log.items
        }
        log.expect(
            info.sourcePort == asked.destinationPort && info.destinationPort == asked.sourcePort, "answer-reset",
            "ports not swapped")
        let sequence = load32(answer, info.l4Offset + 4)
        let acknowledgment = load32(answer, info.l4Offset + 8)
        let askedSequence = load32(original, asked.l4Offset + 4)
        let askedAcknowledgment = load32(original, asked.l4Offset + 8)
        if asked.tcpFlags & 0x10 != 0 {
            log.expect(
                info.tcpFlags == 0x04 && sequence == askedAcknowledgment, "answer-reset",
                "to an ACK: flags \(info.tcpFlags), seq \(sequence), its ack \(askedAcknowledgment)")
        } else {
            let headerLength = Int(original[asked.l4Offset + 12] >> 4) * 4
            // Modulo 2^32, as Linux computes it: a data offset past the segment wraps.
            let payload = asked.ipEnd - asked.l4Offset - headerLength
            let length =
                UInt32(truncatingIfNeeded: payload) &+ (asked.tcpFlags & 0x02 != 0 ? 1 : 0)
                &+ (asked.tcpFlags & 0x01 != 0 ? 1 : 0)
            log.expect(
                info.tcpFlags == 0x14 && sequence == 0 && acknowledgment == askedSequence &+ length, "answer-reset",
                "to a segment without ACK: flags \(info.tcpFlags), seq \(sequence), ack \(acknowledgment), "
                    + "its seq \(askedSequence) + len \(length)")
        }
        return log.items
    }

    /// A destination-unreachable quoting the original IP packet from its header on, up to the
    /// RFC 1812 / RFC 4443 limit and never past its IP length.
    private static func errorViolations(
        _ answer: UnsafeRawBufferPointer, info: FrameInfo, original: UnsafeRawBufferPointer, asked: FrameInfo
    ) -> [HarnessViolation] {
        var log = ViolationLog()
        let isIPv4 = info.present.contains(.ipv4)
        log.expect(
            info.icmpType == (isIPv4 ? 3 : 1) && info.l4Protocol == (isIPv4 ? IPProtocol.icmp : IPProtocol.icmpv6),
            "answer-form", "type \(info.icmpType) over protocol \(info.l4Protocol)")
        let quoteStart = info.l4Offset + 8
        guard quoteStart <= info.ipEnd, asked.l3Offset <= asked.ipEnd, asked.ipEnd <= original.count else {
            log.expect(false, "answer-quote", "no room for a quote, or the original's IP packet is not whole")
            return log.items
        }
        let limit = isIPv4 ? AnswerBuilder.ipv4QuoteLimit : AnswerBuilder.ipv6QuoteLimit
        let quoted = info.ipEnd - quoteStart
        log.expect(
            quoted == min(asked.ipEnd - asked.l3Offset, limit), "answer-quote",
            "quotes \(quoted) bytes of a \(asked.ipEnd - asked.l3Offset)-byte packet (limit \(limit))")
        let count = min(quoted, asked.ipEnd - asked.l3Offset)
        log.expect(
            Array(answer[quoteStart..<quoteStart + count]) == Array(original[asked.l3Offset..<asked.l3Offset + count]),
            "answer-quote", "the quote differs from the original's IP packet")
        return log.items
    }

    /// The ways `asked` must never be answered: a group address at either end of the link, a
    /// non-first fragment, an ICMP or ICMPv6 error or redirect, a TCP reset, and sources or
    /// destinations that are unspecified, broadcast, multicast or loopback.
    static func refusalViolations(_ original: UnsafeRawBufferPointer, asked: FrameInfo) -> [HarnessViolation] {
        var log = ViolationLog()
        log.expect(asked.destinationMAC >> 40 & 1 == 0, "answer-refusal", "answered a frame to a group MAC")
        log.expect(asked.sourceMAC >> 40 & 1 == 0, "answer-refusal", "answered a frame from a group MAC")
        log.expect(!asked.isFragment || asked.isFirstFragment, "answer-refusal", "answered a non-first fragment")
        if asked.l4Protocol == IPProtocol.tcp {
            log.expect(asked.tcpFlags & 0x04 == 0, "answer-refusal", "answered a reset")
        }
        if asked.l4Protocol == IPProtocol.icmp && asked.present.contains(.ipv4) {
            let queries: Set<UInt8> = [0, 8, 13, 14, 15, 16, 17, 18]
            log.expect(queries.contains(asked.icmpType), "answer-refusal", "answered ICMP error type \(asked.icmpType)")
        }
        if asked.l4Protocol == IPProtocol.icmpv6 && asked.present.contains(.ipv6) {
            log.expect(
                asked.icmpType >= 128 && asked.icmpType != 137, "answer-refusal",
                "answered ICMPv6 error or redirect type \(asked.icmpType)")
        }
        if asked.present.contains(.ipv4) {
            let source = asked.ipv4Source
            let destination = asked.ipv4Destination
            log.expect(
                source != 0 && source != 0xffff_ffff && source >> 28 != 0xe && source >> 24 != 127,
                "answer-refusal", "answered a frame from \(source)")
            log.expect(
                destination != 0 && destination != 0xffff_ffff && destination >> 28 != 0xe, "answer-refusal",
                "answered a frame to \(destination)")
        } else if asked.present.contains(.ipv6) {
            let source = asked.ipv6Source
            let destination = asked.ipv6Destination
            log.expect(
                source != 0 && source != 1 && source >> 120 != 0xff, "answer-refusal", "answered a frame from \(source)"
            )
            log.expect(
                destination != 0 && destination >> 120 != 0xff, "answer-refusal", "answered a frame to \(destination)")
        }
        return log.items
    }

    private static func load32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
