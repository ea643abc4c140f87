import CLinuxShim
import Frame

extension PacketSocket {
    /// The oldest frame the kernel has handed over and this socket has not released yet, or nil
    /// when none is ready. Does not advance: calling it again returns the same frame until
    /// ``release()``.
    ///
    /// The VLAN tag the kernel stripped is back in the frame (TPID from the kernel when it reports
    /// one, else 0x8100), taken from the slot's headroom; the header is updated so a second call
    /// does not insert it twice. Frames the host sent (`PACKET_OUTGOING`) are skipped and counted
    /// unless ``PacketSocketConfiguration/skipOutgoing`` is false.
    @inlinable
    public func receive() -> ReceivedFrame? {
        if rxUsesBlocks { return receiveFromBlock() }
        while true {
            let header = rxSlot
            let status = cls_load_acquire_u32(header)
            if status & UInt32(TP_STATUS_USER) == 0 { return nil }
            let packetType = header.load(fromByteOffset: rxPacketTypeOffset, as: UInt8.self)
            if packetType == UInt8(PACKET_OUTGOING) && skipsOutgoing {
                outgoingSkipped &+= 1
                handBackSlot()
                continue
            }
            let fields = header.assumingMemoryBound(to: tpacket2_hdr.self)
            if status & UInt32(TP_STATUS_VLAN_VALID) != 0 {
                let tpid =
                    status & UInt32(TP_STATUS_VLAN_TPID_VALID) != 0 ? fields.pointee.tp_vlan_tpid : 0x8100
                var mac = Int(fields.pointee.tp_mac)
                var snapLength = Int(fields.pointee.tp_snaplen)
                var wireLength = Int(fields.pointee.tp_len)
                var newStatus = status & ~UInt32(TP_STATUS_VLAN_VALID)
                if Self.restoreVLANTag(
                    header: header, headerLength: rxHeaderLength, mac: &mac, snapLength: &snapLength,
                    wireLength: &wireLength, tpid: tpid, tci: fields.pointee.tp_vlan_tci)
                {
                    fields.pointee.tp_mac = UInt16(truncatingIfNeeded: mac)
                    fields.pointee.tp_snaplen = UInt32(truncatingIfNeeded: snapLength)
                    fields.pointee.tp_len = UInt32(truncatingIfNeeded: wireLength)
                    newStatus |= Self.restoredMarker
                }
                cls_store_relaxed_u32(header, newStatus)
            }
            return makeFrame(
                header: header, slotEnd: rxFrameSize, status: cls_load_acquire_u32(header),
                mac: Int(fields.pointee.tp_mac), snapLength: Int(fields.pointee.tp_snaplen),
                wireLength: Int(fields.pointee.tp_len), packetType: packetType,
                timestamp: KernelTimestamp(seconds: fields.pointee.tp_sec, nanoseconds: fields.pointee.tp_nsec))
        }
    }

    /// Hands the frame ``receive()`` returned back to the kernel and moves to the next one. Does
    /// nothing when no frame is ready, so it cannot hand back a slot the kernel still owns.
    @inlinable
    public func release() {
        if rxUsesBlocks {
            releaseFromBlock()
            return
        }
        let header = rxSlot
        if cls_load_acquire_u32(header) & UInt32(TP_STATUS_USER) == 0 { return }
        let fields = header.assumingMemoryBound(to: tpacket2_hdr.self)
        if fields.pointee.tp_len > fields.pointee.tp_snaplen { truncatedReleased &+= 1 }
        handBackSlot()
    }

    /// V2: gives the current slot to the kernel (release ordering: our reads and writes of the
    /// frame happen before the kernel can see the slot as its own) and steps to the next slot.
    @inlinable
    func handBackSlot() {
        cls_store_release_u32(rxSlot, UInt32(TP_STATUS_KERNEL))
        rxFrameInBlock &+= 1
        if rxFrameInBlock == rxFramesPerBlock {
            rxFrameInBlock = 0
            rxBlock &+= 1
            if rxBlock == rxBlockCount { rxBlock = 0 }
            rxSlot = rxBase + rxBlock &* rxBlockSize
        } else {
            rxSlot += rxFrameSize
        }
    }

    /// A status bit the kernel does not use, set once the tag is back so a repeated `receive()`
    /// reports `vlanTagRestored` without inserting again.
    @inlinable
    static var restoredMarker: UInt32 { 1 << 28 }

    /// Moves the 12 MAC bytes 4 bytes earlier and writes TPID and TCI after them; updates the
    /// offsets. Returns false (and changes nothing) when the frame or its headroom is too short.
    @inlinable
    static func restoreVLANTag(
        header: UnsafeMutableRawPointer, headerLength: Int, mac: inout Int, snapLength: inout Int,
        wireLength: inout Int, tpid: UInt16, tci: UInt16
    ) -> Bool {
        guard snapLength >= 12, mac - headerLength >= 4 else { return false }
        let frame = header + mac
        (frame - 4).copyMemory(from: frame, byteCount: 12)
        frame.storeBytes(of: tpid.bigEndian, toByteOffset: 8, as: UInt16.self)
        frame.storeBytes(of: tci.bigEndian, toByteOffset: 10, as: UInt16.self)
        mac &-= 4
        snapLength &+= 4
        wireLength &+= 4
        return true
    }

    /// Builds the frame view: headroom from the end of the slot's sockaddr_ll, frame at `mac`.
    @inlinable
    func makeFrame(
        header: UnsafeMutableRawPointer, slotEnd: Int, status: UInt32, mac: Int, snapLength: Int,
        wireLength: Int, packetType: UInt8, timestamp: KernelTimestamp
    ) -> ReceivedFrame {
        let capacity = max(slotEnd - rxHeaderLength, 0)
        let start = min(max(mac - rxHeaderLength, 0), capacity)
        let length = min(snapLength, capacity - start)
        var flags = ReceivedFrame.Flags()
        if wireLength > length { flags.insert(.truncated) }
        if status & UInt32(TP_STATUS_CSUMNOTREADY) != 0 { flags.insert(.checksumNotReady) }
        if status & UInt32(TP_STATUS_CSUM_VALID) != 0 { flags.insert(.checksumValid) }
        if status & UInt32(TP_STATUS_LOSING) != 0 { flags.insert(.ringLosing) }
        if status & Self.restoredMarker != 0 { flags.insert(.vlanTagRestored) }
        if packetType == UInt8(PACKET_OUTGOING) { flags.insert(.outgoing) }
        let buffer = FrameBuffer(
            storage: header + rxHeaderLength, capacity: capacity, start: start, length: length)
        return ReceivedFrame(
            buffer: buffer, wireLength: wireLength, flags: flags, packetType: packetType, timestamp: timestamp)
    }
}

extension PacketSocket {
    /// Whether ``receive()`` would find a frame (or, with TPACKET_V3, a block to open) right now:
    /// one read of the ring's status word, no system call. For busy-polling.
    @inlinable
    public var hasReadyFrame: Bool {
        if rxUsesBlocks {
            if blockIsOpen { return true }
            let block = rxSlot.assumingMemoryBound(to: tpacket_block_desc.self)
            return cls_load_acquire_u32(cls_v3_block_status(block)) & UInt32(TP_STATUS_USER) != 0
        }
        return cls_load_acquire_u32(rxSlot) & UInt32(TP_STATUS_USER) != 0
    }
}
