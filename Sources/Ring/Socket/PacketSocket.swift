import CLinuxShim
import Frame
import Glibc
import Platform

/// One AF_PACKET socket bound to one interface, with a memory-mapped receive ring (TPACKET_V2 by
/// default, V3 optionally) and an optional TPACKET_V2 transmit ring.
///
/// The forwarding loop polls ``fileDescriptor`` for `POLLIN`, then walks the ready frames:
///
/// ```swift
/// while let frame = port.receive() {
///     // judge frame.buffer, then send it out of the peer port's own socket
///     _ = peer.send(UnsafeRawBufferPointer(frame.buffer.bytes))
///     port.release()
/// }
/// ```
///
/// ``receive()`` always returns the oldest frame not yet released and ``release()`` always hands
/// that frame back, so frames go back to the kernel in ring order by construction. Neither call
/// allocates, takes a lock or makes a system call.
///
/// Send out of a port with that port's own socket: the kernel never loops a socket's own
/// transmissions back to it, and `PACKET_IGNORE_OUTGOING` (on by default) keeps it from seeing
/// what other sockets on the host send.
///
/// A `PacketSocket` belongs to one thread at a time; it may be handed to another thread but never
/// used from two at once. ``close()`` (or deinit) unmaps the rings and closes the socket; after that
/// `receive()` returns nil and sends fail with EBADF.
public final class PacketSocket: @unchecked Sendable {
    /// The interface this socket is bound to.
    public let interfaceName: String
    /// The interface's index when the socket was bound.
    public let interfaceIndex: Int32
    /// The configuration the socket was opened with (``reopen()`` uses it again).
    public let configuration: PacketSocketConfiguration
    /// The MTU the slots were sized for.
    public let mtu: Int
    /// The receive ring's shape (its `frameCount` may exceed the configured count: whole blocks).
    public let receiveGeometry: RingGeometry
    /// The transmit ring's shape, or nil without a TX ring.
    public let transmitGeometry: RingGeometry?
    /// Whether the kernel filters this host's outgoing frames (`PACKET_IGNORE_OUTGOING` accepted).
    public let kernelIgnoresOutgoing: Bool

    /// The socket, for `poll()`: `POLLIN` when a frame is ready, `POLLERR` when the interface went
    /// down or away (read it with ``takePendingError()`` so the next poll does not wake again).
    /// -1 once closed.
    public private(set) var fileDescriptor: Int32

    @usableFromInline var mapping: UnsafeMutableRawPointer?
    @usableFromInline let mappingLength: Int

    // Receive cursor. For V2 `rxSlot` is the current frame's header; for V3 the current block's.
    @exclusivity(unchecked) @usableFromInline var rxSlot: UnsafeMutableRawPointer
    @exclusivity(unchecked) @usableFromInline var rxFrameInBlock: Int = 0
    @exclusivity(unchecked) @usableFromInline var rxBlock: Int = 0
    @usableFromInline let rxBase: UnsafeMutableRawPointer
    @usableFromInline let rxFrameSize: Int
    @usableFromInline let rxBlockSize: Int
    @usableFromInline let rxFramesPerBlock: Int
    @usableFromInline let rxBlockCount: Int
    @usableFromInline let rxUsesBlocks: Bool
    /// Bytes from a frame header to the end of its sockaddr_ll: where a frame's headroom begins.
    @usableFromInline let rxHeaderLength: Int
    /// Offset of `sll_pkttype` from a frame header.
    @usableFromInline let rxPacketTypeOffset: Int
    @usableFromInline let skipsOutgoing: Bool

    // TPACKET_V3: the packet inside the open block.
    @exclusivity(unchecked) @usableFromInline var blockIsOpen = false
    @exclusivity(unchecked) @usableFromInline var blockPacket: UnsafeMutableRawPointer
    @exclusivity(unchecked) @usableFromInline var blockPacketsLeft: Int = 0

    // Transmit cursor.
    @exclusivity(unchecked) @usableFromInline var txSlot: UnsafeMutableRawPointer
    @exclusivity(unchecked) @usableFromInline var txFrameInBlock: Int = 0
    @exclusivity(unchecked) @usableFromInline var txBlock: Int = 0
    @exclusivity(unchecked) @usableFromInline var txPending: Int = 0
    /// The slot the newest enqueued frame went to (nil before the first).
    @exclusivity(unchecked) @usableFromInline var txNewest: UnsafeMutableRawPointer? = nil
    /// Largest frame a TX slot holds; 0 without a TX ring or once closed.
    @exclusivity(unchecked) @usableFromInline var txCapacity: Int
    @usableFromInline let txBase: UnsafeMutableRawPointer
    @usableFromInline let txFrameSize: Int
    @usableFromInline let txBlockSize: Int
    @usableFromInline let txFramesPerBlock: Int
    @usableFromInline let txBlockCount: Int
    @usableFromInline let txDataOffset: Int

    // Counters kept per frame (plain integers: one thread owns the socket).
    @exclusivity(unchecked) @usableFromInline var outgoingSkipped: UInt64 = 0
    @exclusivity(unchecked) @usableFromInline var truncatedReleased: UInt64 = 0
    var kernelTotals = PacketSocketStatistics()

    /// Opens a socket on `interface`: options, rings and mapping first, then bind (so it never
    /// sees frames from other interfaces), then the fanout group.
    public init(interface: String, configuration: PacketSocketConfiguration = .init()) throws(RingError) {
        let opened = try PacketSocketSetup.open(interface: interface, configuration: configuration)
        self.interfaceName = interface
        self.interfaceIndex = opened.interfaceIndex
        self.configuration = configuration
        self.mtu = opened.mtu
        self.receiveGeometry = opened.receiveGeometry
        self.transmitGeometry = opened.transmitGeometry
        self.kernelIgnoresOutgoing = opened.kernelIgnoresOutgoing
        self.fileDescriptor = opened.fileDescriptor
        self.mapping = opened.mapping
        self.mappingLength = opened.mappingLength

        let receive = opened.receiveGeometry
        rxBase = opened.mapping
        rxSlot = opened.mapping
        rxFrameSize = receive.frameSize
        rxBlockSize = receive.blockSize
        rxFramesPerBlock = receive.framesPerBlock
        rxBlockCount = receive.blockCount
        let packetTypeInAddress = MemoryLayout<sockaddr_ll>.offset(of: \sockaddr_ll.sll_pkttype)!
        switch configuration.version {
        case .v2:
            rxUsesBlocks = false
            rxHeaderLength = Int(cls_tpacket2_hdrlen())
            rxPacketTypeOffset = Int(cls_tpacket_align(UInt32(MemoryLayout<tpacket2_hdr>.size))) + packetTypeInAddress
        case .v3:
            rxUsesBlocks = true
            rxHeaderLength = Int(cls_tpacket3_hdrlen())
            rxPacketTypeOffset = Int(cls_tpacket_align(UInt32(MemoryLayout<tpacket3_hdr>.size))) + packetTypeInAddress
        }
        skipsOutgoing = configuration.skipOutgoing
        blockPacket = opened.mapping

        let transmit = opened.transmitGeometry ?? RingGeometry(frameSize: 1, blockSize: 1, blockCount: 1)
        txBase = opened.mapping + receive.byteCount
        txSlot = txBase
        txFrameSize = transmit.frameSize
        txBlockSize = transmit.blockSize
        txFramesPerBlock = transmit.framesPerBlock
        txBlockCount = transmit.blockCount
        txDataOffset = Int(cls_tpacket2_tx_data_offset())
        txCapacity = opened.transmitGeometry == nil ? 0 : transmit.frameSize - txDataOffset
    }

    deinit {
        close()
    }

    /// Unmaps the rings and closes the socket. Safe to call more than once.
    public func close() {
        rxSlot = closedRingSentinel
        blockIsOpen = false
        txCapacity = 0
        txPending = 0
        if let mapping {
            munmap(mapping, mappingLength)
            self.mapping = nil
        }
        if fileDescriptor >= 0 {
            Glibc.close(fileDescriptor)
            fileDescriptor = -1
        }
    }

    /// Closes this socket and opens a new one on the same interface name with the same
    /// configuration: the way back after the interface was deleted and created again (its index
    /// changes, and the old socket stays bound to the old one).
    public func reopen() throws(RingError) -> PacketSocket {
        close()
        return try PacketSocket(interface: interfaceName, configuration: configuration)
    }

    /// Reads and clears the socket's pending error (`SO_ERROR`): ENETDOWN after the interface went
    /// down or was removed. Call it on `POLLERR`; clearing it stops `poll()` from waking again.
    public func takePendingError() -> Errno? {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fileDescriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return .current }
        return error == 0 ? nil : Errno(rawValue: error)
    }

    /// True when the interface this socket was bound to no longer exists (the kernel unbinds the
    /// socket when its interface is deleted): only ``reopen()`` brings such a port back.
    public var isDetached: Bool {
        var address = sockaddr_ll()
        var length = socklen_t(MemoryLayout<sockaddr_ll>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fileDescriptor, $0, &length)
            }
        }
        return result != 0 || address.sll_ifindex != interfaceIndex
    }

    /// The kernel's counters (`PACKET_STATISTICS`, which resets on every read, so they are
    /// accumulated here) plus the ones this socket keeps. Not for the per-frame path: it is a
    /// system call.
    public func statistics() -> PacketSocketStatistics {
        if fileDescriptor >= 0 {
            var stats = tpacket_stats_v3()
            var length = socklen_t(MemoryLayout<tpacket_stats_v3>.size)
            if getsockopt(fileDescriptor, SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0 {
                kernelTotals.received &+= UInt64(stats.tp_packets)
                kernelTotals.dropped &+= UInt64(stats.tp_drops)
                if rxUsesBlocks { kernelTotals.freezeCount &+= UInt64(stats.tp_freeze_q_cnt) }
            }
        }
        var result = kernelTotals
        result.outgoingSkipped = outgoingSkipped
        result.truncated = truncatedReleased
        return result
    }
}

/// Where a closed socket's cursors point: a zeroed header that is never ready, so `receive()`
/// returns nil and `release()` does nothing instead of touching unmapped memory.
nonisolated(unsafe) let closedRingSentinel: UnsafeMutableRawPointer = {
    let size = 256
    let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    memory.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    return memory
}()
