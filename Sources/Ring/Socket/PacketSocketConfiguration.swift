/// How a ``PacketSocket`` sets up its socket and rings.
///
/// The defaults suit an inline bridge port: TPACKET_V2 (lowest latency), 4096 frames, 32 bytes of
/// headroom, promiscuous, own transmissions ignored, qdisc bypassed, no TX ring, no fanout.
public struct PacketSocketConfiguration: Sendable, Equatable {
    /// Which TPACKET layout the receive ring uses.
    public enum Version: Sendable, Equatable {
        /// One frame per slot, each handed to userspace as soon as the kernel has written it.
        /// Lowest latency; the right choice inline.
        case v2
        /// Variable-size frames packed into blocks. A block reaches userspace only when it is full
        /// or after `blockTimeoutMilliseconds`, so under light load every frame waits up to that
        /// long: fine for capture, a latency cost inline (Suricata warns against it in IPS mode).
        /// Cannot be combined with a TX ring.
        case v3(blockTimeoutMilliseconds: Int)
    }

    /// Receive ring layout. Default `.v2`.
    public var version: Version = .v2
    /// Receive ring slots wanted; the ring rounds up to fill whole blocks. Default 4096.
    public var frameCount: Int = 4096
    /// MTU the slots are sized for; `nil` reads the interface's MTU. Frames longer than a slot
    /// arrive truncated (``ReceivedFrame/Flags/truncated``) and are counted.
    public var mtu: Int? = nil
    /// `PACKET_RESERVE`: bytes kept free before each frame, on top of the 14 (V2) the layout
    /// gives anyway. The stripped VLAN tag is re-inserted there, and the pipeline can push more
    /// tags. Default 32 (after re-inserting one tag, at least 42 bytes of headroom remain).
    public var headroom: Int = 32
    /// Put the interface into promiscuous mode while the socket is open. Default true.
    public var promiscuous: Bool = true
    /// `PACKET_IGNORE_OUTGOING`: the kernel does not give this socket frames the host sends out
    /// of the interface. Default true.
    public var ignoreOutgoing: Bool = true
    /// Skip (release and count) frames whose packet type is `PACKET_OUTGOING` if any still arrive.
    /// Default true; when false they are returned with ``ReceivedFrame/Flags/outgoing`` set.
    public var skipOutgoing: Bool = true
    /// `PACKET_QDISC_BYPASS`: sends go straight to the driver. Faster, but other packet sockets
    /// on the interface (tcpdump) do not see what this socket sends. Default true.
    public var qdiscBypass: Bool = true
    /// Slots of a TPACKET_V2 transmit ring (`PACKET_TX_RING`), or 0 for none. Default 0.
    public var transmitFrameCount: Int = 0
    /// `SO_TIMESTAMPNS`: the kernel stamps each frame when it enters the host (on veth, when
    /// its sender handed it over) instead of when it is written into the ring, so a frame that
    /// waited in the kernel's backlog keeps the time it arrived; limits, meters and flow
    /// timeouts clock frames by that stamp. Default true.
    public var stampOnArrival: Bool = true
    /// Join this `PACKET_FANOUT` group (type HASH, never DEFRAG) so several workers share the
    /// port's frames; `nil` for none. Use one group id per port.
    public var fanoutGroup: UInt16? = nil

    /// The defaults.
    public init() {}
}
