import Frame

/// The frame in the receive ring's current slot, as ``PacketSocket/receive()`` returns it.
///
/// `buffer` views memory inside the ring: it is valid until ``PacketSocket/release()`` hands the
/// slot back to the kernel. Copy the bytes out to keep them longer. The pipeline may rewrite the
/// bytes in place and move `start`/`length` within the slot (headroom and tailroom are the slot's
/// own); `buffer` is a copy, so calling `receive()` again for the same slot reports the original
/// start and length (over the rewritten bytes).
public struct ReceivedFrame {
    /// Properties of a received frame.
    public struct Flags: OptionSet, Sendable, Hashable {
        /// The flag bits.
        public let rawValue: UInt8
        /// Flags from their bits.
        @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The slot held fewer bytes than the frame had (`tp_len > tp_snaplen`): the frame is
        /// incomplete and should not be forwarded as if it were whole.
        public static let truncated = Flags(rawValue: 1 << 0)
        /// The frame came from this host with its checksum left for the hardware to fill in
        /// (TP_STATUS_CSUMNOTREADY): do not validate it.
        public static let checksumNotReady = Flags(rawValue: 1 << 1)
        /// The driver validated the checksum (TP_STATUS_CSUM_VALID).
        public static let checksumValid = Flags(rawValue: 1 << 2)
        /// The host sent this frame out of the interface (`PACKET_OUTGOING`); only returned when
        /// ``PacketSocketConfiguration/skipOutgoing`` is false.
        public static let outgoing = Flags(rawValue: 1 << 3)
        /// The kernel had stripped a VLAN tag and it was put back in front of the frame.
        public static let vlanTagRestored = Flags(rawValue: 1 << 4)
        /// The ring had overflowed before this frame (TP_STATUS_LOSING): see
        /// ``PacketSocket/statistics()``.
        public static let ringLosing = Flags(rawValue: 1 << 5)
    }

    /// The frame's bytes, with the VLAN tag the kernel stripped re-inserted, and the slot's free
    /// headroom in front for the pipeline to push tags into.
    public var buffer: FrameBuffer
    /// The frame's length on the wire (including a re-inserted tag); larger than
    /// `buffer.length` when truncated.
    public let wireLength: Int
    /// See ``Flags``.
    public let flags: Flags
    /// `sll_pkttype`: PACKET_HOST (0), BROADCAST (1), MULTICAST (2), OTHERHOST (3), OUTGOING (4).
    public let packetType: UInt8
    /// When the kernel received the frame.
    public let timestamp: KernelTimestamp

    @inlinable
    init(buffer: FrameBuffer, wireLength: Int, flags: Flags, packetType: UInt8, timestamp: KernelTimestamp) {
        self.buffer = buffer
        self.wireLength = wireLength
        self.flags = flags
        self.packetType = packetType
        self.timestamp = timestamp
    }
}

/// A kernel receive timestamp (CLOCK_REALTIME).
public struct KernelTimestamp: Sendable, Hashable {
    /// Whole seconds since the epoch.
    public var seconds: UInt32
    /// Nanoseconds within the second.
    public var nanoseconds: UInt32

    /// Creates a timestamp.
    @inlinable
    public init(seconds: UInt32, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }
}
