/// Checks a frame's checksums from scratch, for tests and tools (not the forwarding path).
///
/// `info` must come from ``FrameInfo/parse(_:)`` of the same bytes.
public enum ChecksumVerifier {
    /// True when the frame has a sound IPv4 header whose checksum is right.
    public static func ipv4HeaderIsValid(_ bytes: UnsafeRawBufferPointer, info: FrameInfo) -> Bool {
        guard info.present.contains(.ipv4), let base = bytes.baseAddress,
            info.l3Offset + info.ipv4HeaderLength <= bytes.count
        else { return false }
        return InternetChecksum.fold(InternetChecksum.add(base + info.l3Offset, count: info.ipv4HeaderLength)) == 0xffff
    }

    /// True when the TCP, UDP, ICMP or ICMPv6 checksum is right (pseudo-header included where the
    /// protocol has one). A UDP checksum of 0 over IPv4 means "none" and counts as valid; over IPv6
    /// it is invalid (RFC 8200). False when the segment cannot be checked: no complete L4 header,
    /// a fragment, or another protocol.
    ///
    /// A first fragment's checksum covers the whole datagram, so it cannot be checked from one
    /// frame; `wholeSegmentPresent: true` checks it as if the frame held the whole segment (as
    /// ``FrameBuilder`` builds a fragment whose transport is TCP, UDP or ICMP).
    public static func l4IsValid(
        _ bytes: UnsafeRawBufferPointer, info: FrameInfo, wholeSegmentPresent: Bool = false
    ) -> Bool {
        guard let result = L4ChecksumSum.compute(bytes, info: info, allowFragment: wholeSegmentPresent),
            let base = bytes.baseAddress
        else { return false }
        if result.isUDP && info.present.contains(.ipv4) && base.be16(result.checksumOffset) == 0 { return true }
        return InternetChecksum.fold(result.sum) == 0xffff
    }

    /// Both checks that apply: the IPv4 header (when IPv4) and the L4 segment (when it has a
    /// complete header and is not a fragment).
    public static func allAreValid(_ bytes: UnsafeRawBufferPointer, info: FrameInfo) -> Bool {
        if info.present.contains(.ipv4) && !ipv4HeaderIsValid(bytes, info: info) { return false }
        if info.present.contains(.l4Header) && !info.isFragment && !l4IsValid(bytes, info: info) { return false }
        return true
    }
}
