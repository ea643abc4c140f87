import Frame

/// Checks of `completeL4Checksum`, and the repair that gives the rewrite oracle frames whose
/// checksums are right to start from.
enum ChecksumChecks {
    /// True when the frame's L4 checksum can be computed from this one frame, by the rules
    /// ``FrameBuffer/completeL4Checksum(info:)`` documents: a complete L4 header of TCP, UDP,
    /// ICMP or ICMPv6, no fragment, and a UDP length inside the IP packet.
    static func isComputable(_ bytes: UnsafeRawBufferPointer, info: FrameInfo) -> Bool {
        guard info.present.contains(.l4Header), !info.isFragment,
            info.present.contains(.ipv4) || info.present.contains(.ipv6),
            info.l4Offset <= info.ipEnd, info.ipEnd <= bytes.count
        else { return false }
        let length = info.ipEnd - info.l4Offset
        switch info.l4Protocol {
        case IPProtocol.tcp: return length >= 20
        case IPProtocol.udp:
            guard length >= 8 else { return false }
            let udpLength = Int(bytes[info.l4Offset + 4]) << 8 | Int(bytes[info.l4Offset + 5])
            return udpLength >= 8 && udpLength <= length
        case IPProtocol.icmp, IPProtocol.icmpv6: return length >= 4
        default: return false
        }
    }

    /// Completes the L4 checksum of `buffer` (described by `info`) and checks the result: a
    /// computable checksum is right afterwards, nothing else in the frame changed, a second
    /// completion changes nothing, and a frame whose checksum is not computable is left alone.
    static func completionViolations(_ buffer: inout FrameBuffer, info: FrameInfo) -> [HarnessViolation] {
        var log = ViolationLog()
        let before = Array(buffer.readOnlyBytes)
        let computable = isComputable(buffer.readOnlyBytes, info: info)
        buffer.completeL4Checksum(info: info)
        let after = Array(buffer.readOnlyBytes)
        if computable {
            log.expect(
                ChecksumVerifier.l4IsValid(buffer.readOnlyBytes, info: info), "complete-l4-checksum",
                "protocol \(info.l4Protocol) checksum still wrong after completion")
            let field = info.l4Offset + checksumOffset(info.l4Protocol)
            let others = (0..<before.count).allSatisfy { $0 == field || $0 == field + 1 || before[$0] == after[$0] }
            log.expect(others, "complete-l4-checksum", "bytes outside the checksum field changed")
        } else {
            log.expect(before == after, "complete-l4-checksum", "changed a frame whose checksum is not computable")
        }
        buffer.completeL4Checksum(info: info)
        log.expect(Array(buffer.readOnlyBytes) == after, "complete-l4-checksum", "a second completion changed bytes")
        return log.items
    }

    /// Writes a right IPv4 header checksum and L4 checksum where the frame has them.
    static func repair(_ buffer: inout FrameBuffer, info: FrameInfo) {
        if info.present.contains(.ipv4) {
            let header = buffer.storage + buffer.start + info.l3Offset
            header.storeBytes(of: 0, toByteOffset: 10, as: UInt16.self)
            let sum = InternetChecksum.add(UnsafeRawPointer(header), count: info.ipv4HeaderLength)
            header.storeBytes(of: InternetChecksum.checksum(sum).bigEndian, toByteOffset: 10, as: UInt16.self)
        }
        buffer.completeL4Checksum(info: info)
    }

    private static func checksumOffset(_ proto: UInt8) -> Int {
        switch proto {
        case IPProtocol.tcp: return 16
        case IPProtocol.udp: return 6
        default: return 2
        }
    }
}
