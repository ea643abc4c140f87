/// Counters of one ``PacketSocket`` since it was opened.
public struct PacketSocketStatistics: Sendable, Equatable {
    /// Frames the kernel offered to the socket, including the ones it dropped (`tp_packets`).
    public var received: UInt64 = 0
    /// Frames the kernel dropped because the ring was full (`tp_drops`).
    public var dropped: UInt64 = 0
    /// TPACKET_V3 only: times the ring was frozen because no block was free (`tp_freeze_q_cnt`).
    public var freezeCount: UInt64 = 0
    /// Frames sent by the host (`PACKET_OUTGOING`) that were skipped without being returned.
    public var outgoingSkipped: UInt64 = 0
    /// Frames released that had been truncated to the slot size.
    public var truncated: UInt64 = 0

    /// All zero.
    public init() {}
}
