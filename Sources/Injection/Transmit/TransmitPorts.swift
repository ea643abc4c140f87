import Ring

#if canImport(Glibc)
    import Glibc
#endif

/// Opens the packet sockets a transmit run sends through: one per thread, each with its own TX
/// ring and the smallest receive ring the kernel allows (nothing reads it).
public enum TransmitPorts {
    /// TX ring slots per socket.
    public static let transmitFrames = 1024

    /// The configuration of a send-only socket: TPACKET_V2 TX ring of ``transmitFrames`` slots,
    /// a one-block RX ring, not promiscuous, own frames not looped back.
    public static func configuration(qdiscBypass: Bool) -> PacketSocketConfiguration {
        var configuration = PacketSocketConfiguration()
        configuration.frameCount = 1
        configuration.headroom = 0
        configuration.promiscuous = false
        configuration.qdiscBypass = qdiscBypass
        configuration.transmitFrameCount = transmitFrames
        return configuration
    }

    /// `count` sockets on `interface`. A larger send buffer (best effort) lets a whole ring of
    /// frames be in flight at once.
    public static func open(interface: String, count: Int, qdiscBypass: Bool = true) throws(InjectionError)
        -> [PacketSocket]
    {
        var sockets: [PacketSocket] = []
        for _ in 0..<max(1, count) {
            do {
                let socket = try PacketSocket(
                    interface: interface, configuration: configuration(qdiscBypass: qdiscBypass))
                enlargeSendBuffer(socket.fileDescriptor)
                sockets.append(socket)
            } catch {
                throw .port(error)
            }
        }
        return sockets
    }

    private static func enlargeSendBuffer(_ fd: Int32) {
        var bytes: Int32 = 4 << 20
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, size) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, size)
        }
    }
}
