import Frame

/// The frame the other side would send back, so a fuzzed frame also exercises the flow it opens:
/// Ethernet and IP addresses and TCP/UDP ports swapped, a TCP handshake moved one step on (SYN
/// gets SYN+ACK, SYN+ACK gets ACK, with the numbers that acknowledge it), an ICMP or ICMPv6 echo
/// request its reply. Everything else (VLAN tags, options, payload, lengths) stays as it was.
///
/// Swapping addresses and ports leaves every checksum as it was (the sums are the same); when the
/// flags, numbers or ICMP type change, the checksums are rewritten, right if they were right.
enum ReplyFrame {
    /// The reply to `bytes` (parsed into `info`), or nil for a frame with no IP header.
    static func make(_ bytes: UnsafeRawBufferPointer, info: FrameInfo) -> [UInt8]? {
        guard info.present.contains(.ethernet), info.present.contains(.ipv4) || info.present.contains(.ipv6),
            info.l3Offset + (info.present.contains(.ipv4) ? 20 : 40) <= bytes.count
        else { return nil }
        var reply = Array(bytes)
        let wasValid = ChecksumVerifier.allAreValid(bytes, info: info)
        swap(&reply, 0, 6, count: 6)
        if info.present.contains(.ipv4) {
            swap(&reply, info.l3Offset + 12, info.l3Offset + 16, count: 4)
        } else {
            swap(&reply, info.l3Offset + 8, info.l3Offset + 24, count: 16)
        }
        var changed = false
        if info.present.contains(.ports) && info.l4Offset + 4 <= reply.count {
            swap(&reply, info.l4Offset, info.l4Offset + 2, count: 2)
        }
        if info.present.contains(.tcpFlags) && info.l4Offset + 14 <= reply.count {
            changed = advanceHandshake(&reply, at: info.l4Offset)
        } else if info.present.contains(.icmpType) && info.l4Offset < reply.count {
            let type = reply[info.l4Offset]
            let echoReply: UInt8? =
                info.l4Protocol == IPProtocol.icmp ? (type == 8 ? 0 : nil) : (type == 128 ? 129 : nil)
            if let echoReply {
                reply[info.l4Offset] = echoReply
                changed = true
            }
        }
        if changed && wasValid {
            reply.withUnsafeMutableBytes { raw in
                var buffer = FrameBuffer(storage: raw.baseAddress!, capacity: raw.count, start: 0, length: raw.count)
                ChecksumChecks.repair(&buffer, info: FrameInfo.parse(UnsafeRawBufferPointer(raw)))
            }
        }
        return reply
    }

    /// SYN to SYN+ACK (acknowledging SEQ + 1), SYN+ACK to ACK (SEQ = its ACK, acknowledging its
    /// SEQ + 1); true when the segment changed.
    private static func advanceHandshake(_ segment: inout [UInt8], at offset: Int) -> Bool {
        let flags = segment[offset + 13] & 0x3f
        let sequence = load32(segment, offset + 4)
        let acknowledgment = load32(segment, offset + 8)
        switch flags {
        case 0x02:
            segment[offset + 13] |= 0x10
            store32(&segment, offset + 4, sequence &* 2_654_435_761)
            store32(&segment, offset + 8, sequence &+ 1)
        case 0x12:
            segment[offset + 13] &= ~0x02
            store32(&segment, offset + 4, acknowledgment)
            store32(&segment, offset + 8, sequence &+ 1)
        default:
            return false
        }
        return true
    }

    private static func swap(_ bytes: inout [UInt8], _ first: Int, _ second: Int, count: Int) {
        for i in 0..<count { bytes.swapAt(first + i, second + i) }
    }

    private static func load32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func store32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
    }
}
