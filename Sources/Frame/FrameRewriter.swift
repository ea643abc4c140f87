extension FrameBuffer {
    /// Applies one rewrite to the frame and keeps `info` in step (offsets move after a push or
    /// pop; rewritten fields take their new values). Returns false, changing nothing, when the
    /// frame lacks the field (e.g. an IPv4 rewrite on an IPv6 frame) or a push has no headroom.
    public mutating func apply(_ rewrite: FieldRewrite, info: inout FrameInfo) -> Bool {
        fatalError("unimplemented: Frame helper")
    }

    /// Recomputes the L4 checksum (TCP, UDP, ICMPv6, ICMP) from scratch. Used for frames the
    /// kernel hands over with a partial checksum (TP_STATUS_CSUMNOTREADY, checksum offload).
    public mutating func completeL4Checksum(info: FrameInfo) {
        fatalError("unimplemented: Frame helper")
    }
}
