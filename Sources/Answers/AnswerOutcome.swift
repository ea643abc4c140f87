/// What ``AnswerBuilder/build(_:original:info:into:verifyingChecksum:)`` did.
public enum AnswerOutcome: Sendable, Hashable {
    /// The answer is the first `length` bytes of the output buffer, ready to send out of the
    /// port the frame came in on.
    case built(length: Int)
    /// No answer: the frame must not (or cannot) be answered, and why.
    case refused(AnswerRefusal)
}

/// Why a frame gets no answer. Each reason is its own case so the caller can count them; the raw
/// values run from 0 without gaps, so a flat counter array indexed by `rawValue` holds them all.
///
/// The rules are RFC 1812 section 4.3.2.7 and RFC 4443 section 2.4 (e) for ICMP errors, RFC 9293
/// for resets, and what Linux's bridge reject (`nft_reject_bridge.c`, `nf_reject_ipv4.c`,
/// `nf_reject_ipv6.c`) refuses.
public enum AnswerRefusal: UInt8, Sendable, Hashable, CaseIterable {
    /// The frame ends (or its lengths disagree with its bytes) before what the answer needs: the
    /// Ethernet header, a sound IP header, the whole IP packet its header announces, the ICMP
    /// type, the TCP flags, or for a reset the whole TCP header. An IPv6 packet whose extension
    /// headers the parser could not walk to the end counts here too.
    case truncated
    /// Not IPv4 or IPv6 (ARP, LLDP, more VLAN tags than the parser walks, ...): nothing to answer
    /// with. Linux's bridge reject drops such frames without an answer too.
    case notIP
    /// The destination MAC is ff:ff:ff:ff:ff:ff.
    case broadcastDestinationMAC
    /// The destination MAC is a group (multicast) address.
    case multicastDestinationMAC
    /// The source MAC is a group address: the answer would go to a group.
    case multicastSourceMAC
    /// The destination is 255.255.255.255. A subnet's directed broadcast (10.0.0.255 in a /24)
    /// cannot be told from a host address on a bridge, which knows no prefixes: it is answered,
    /// unless its MAC is a broadcast one (as it is in practice).
    case broadcastDestination
    /// The destination is multicast: 224.0.0.0/4 or ff00::/8.
    case multicastDestination
    /// The destination is 0.0.0.0 or ::.
    case unspecifiedDestination
    /// The source is 0.0.0.0 or :: (a host still configuring itself).
    case unspecifiedSource
    /// The source is 255.255.255.255.
    case broadcastSource
    /// The source is multicast: 224.0.0.0/4 or ff00::/8.
    case multicastSource
    /// The source is loopback: 127.0.0.0/8 or ::1, which no wire should carry.
    case loopbackSource
    /// A fragment other than the first: it carries no transport header to answer.
    case nonFirstFragment
    /// An ICMP error (any ICMP type except echo, timestamp, information and address-mask requests
    /// and replies; unknown types count as errors) or an ICMPv6 error (types below 128).
    case icmpError
    /// An ICMPv6 redirect (type 137).
    case icmpv6Redirect
    /// A TCP segment with RST set: never answer a reset (RFC 9293 section 3.10.7.1).
    case tcpReset
    /// `reject with tcp reset` on a frame that is not TCP: nft resets only TCP.
    case resetNeedsTCP
    /// A reset for an IP-fragmented TCP segment: its length, which the reset's acknowledgment
    /// counts, is not all in this frame. Linux refuses it too (its checksum check fails).
    case fragmentedTCP
    /// `icmp` asked of an IPv6 frame, or `icmpv6` of an IPv4 frame.
    case familyMismatch
    /// The TCP, UDP, ICMP or ICMPv6 checksum is wrong (only when verifying, as Linux does).
    case badChecksum
    /// The output buffer is shorter than the answer (``AnswerBuilder/maximumAnswerLength`` is
    /// always enough).
    case bufferTooSmall

    /// A short, stable, lower-case name for counters, logs and metrics (`bad-checksum`).
    public var name: String {
        switch self {
        case .truncated: "truncated"
        case .notIP: "not-ip"
        case .broadcastDestinationMAC: "broadcast-destination-mac"
        case .multicastDestinationMAC: "multicast-destination-mac"
        case .multicastSourceMAC: "multicast-source-mac"
        case .broadcastDestination: "broadcast-destination"
        case .multicastDestination: "multicast-destination"
        case .unspecifiedDestination: "unspecified-destination"
        case .unspecifiedSource: "unspecified-source"
        case .broadcastSource: "broadcast-source"
        case .multicastSource: "multicast-source"
        case .loopbackSource: "loopback-source"
        case .nonFirstFragment: "non-first-fragment"
        case .icmpError: "icmp-error"
        case .icmpv6Redirect: "icmpv6-redirect"
        case .tcpReset: "tcp-reset"
        case .resetNeedsTCP: "reset-needs-tcp"
        case .fragmentedTCP: "fragmented-tcp"
        case .familyMismatch: "family-mismatch"
        case .badChecksum: "bad-checksum"
        case .bufferTooSmall: "buffer-too-small"
        }
    }
}
