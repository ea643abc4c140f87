/// The from-scratch sum over an L4 segment and its pseudo-header, shared by
/// ``ChecksumVerifier`` and ``FrameBuffer/completeL4Checksum(info:)``.
enum L4ChecksumSum {
    /// Where a segment's checksum lives and the sum over pseudo-header plus segment (checksum
    /// field included as it stands).
    struct Result {
        var sum: UInt64
        var checksumOffset: Int
        var isUDP: Bool
    }

    /// The sum for the frame's L4 segment, or nil when it cannot be computed from scratch: no
    /// complete L4 header, a fragment (the segment is not all here), a protocol without a known
    /// checksum, a UDP length that disagrees with the bytes, or an `info` that does not fit `bytes`.
    /// `allowFragment` treats a first fragment's bytes as the whole segment.
    static func compute(_ bytes: UnsafeRawBufferPointer, info: FrameInfo, allowFragment: Bool = false) -> Result? {
        guard info.present.contains(.l4Header), allowFragment || !info.isFragment, let base = bytes.baseAddress,
            info.l4Offset >= 0, info.l4Offset <= info.ipEnd, info.ipEnd <= bytes.count
        else { return nil }
        var length = info.ipEnd - info.l4Offset
        let checksumOffset: Int
        switch info.l4Protocol {
        case IPProtocol.tcp:
            guard length >= 20 else { return nil }
            checksumOffset = info.l4Offset + 16
        case IPProtocol.udp:
            guard length >= 8 else { return nil }
            let udpLength = Int(base.be16(info.l4Offset + 4))
            guard udpLength >= 8, udpLength <= length else { return nil }
            length = udpLength
            checksumOffset = info.l4Offset + 6
        case IPProtocol.icmp, IPProtocol.icmpv6:
            guard length >= 4 else { return nil }
            checksumOffset = info.l4Offset + 2
        default:
            return nil
        }
        var sum = InternetChecksum.add(base + info.l4Offset, count: length)
        if info.present.contains(.ipv4) {
            if info.l4Protocol != IPProtocol.icmp {
                sum &+= InternetChecksum.ipv4PseudoHeader(
                    source: info.ipv4Source, destination: info.ipv4Destination, protocol: info.l4Protocol,
                    length: length)
            }
        } else if info.present.contains(.ipv6) {
            sum &+= InternetChecksum.ipv6PseudoHeader(
                source: info.ipv6Source, destination: info.ipv6Destination, nextHeader: info.l4Protocol,
                length: length)
        } else {
            return nil
        }
        return Result(sum: sum, checksumOffset: checksumOffset, isUDP: info.l4Protocol == IPProtocol.udp)
    }
}
