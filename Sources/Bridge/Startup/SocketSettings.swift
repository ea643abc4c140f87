import Ring

extension BridgeConfiguration {
    /// Sends go through a TX ring (TPACKET_V3 has none: with it, frames are sent one `send()` each).
    public var sendsThroughTransmitRing: Bool { transmitRing && !ringVersion3 }

    /// The configuration of every port socket, for ports whose largest MTU is `mtu`: RX rings
    /// sized to ``ringBytes`` unless `--ring-frames` says otherwise, the ring version, the qdisc
    /// bypass and, when sending through it, the TX ring.
    public func socketConfiguration(mtu: Int) -> PacketSocketConfiguration {
        var settings = PacketSocketConfiguration()
        let frameSize = RingGeometry.receiveFrameSize(mtu: mtu, headroom: settings.headroom)
        settings.frameCount = ringFrames ?? max(4096, Self.ringBytes / frameSize)
        settings.version = ringVersion3 ? .v3(blockTimeoutMilliseconds: 1) : .v2
        settings.qdiscBypass = qdiscBypass
        settings.mtu = mtu
        if sendsThroughTransmitRing { settings.transmitFrameCount = transmitRingFrames }
        return settings
    }

    /// The PACKET_FANOUT group of port `port` (0 = a, 1 = b) for the process `pid`: one group
    /// per port, so each worker holds one member of each and both directions of a flow, hashed
    /// symmetrically by the kernel, reach the same member index.
    public static func fanoutGroup(pid: Int32, port: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: (Int(pid) &* 2 &+ port) & 0xffff)
    }
}
