import CLinuxShim
import Frame

extension PacketSocket {
    /// TPACKET_V3: the current packet of the open block, opening the next block when it is ready.
    @inlinable
    func receiveFromBlock() -> ReceivedFrame? {
        while true {
            if !blockIsOpen {
                guard openBlock() else { return nil }
                continue
            }
            let header = blockPacket
            let fields = header.assumingMemoryBound(to: tpacket3_hdr.self)
            let packetType = header.load(fromByteOffset: rxPacketTypeOffset, as: UInt8.self)
            if packetType == UInt8(PACKET_OUTGOING) && skipsOutgoing {
                outgoingSkipped &+= 1
                stepInBlock()
                continue
            }
            var status = fields.pointee.tp_status
            if status & UInt32(TP_STATUS_VLAN_VALID) != 0 {
                let tpid =
                    status & UInt32(TP_STATUS_VLAN_TPID_VALID) != 0 ? fields.pointee.hv1.tp_vlan_tpid : 0x8100
                var mac = Int(fields.pointee.tp_mac)
                var snapLength = Int(fields.pointee.tp_snaplen)
                var wireLength = Int(fields.pointee.tp_len)
                status &= ~UInt32(TP_STATUS_VLAN_VALID)
                if Self.restoreVLANTag(
                    header: header, headerLength: rxHeaderLength, mac: &mac, snapLength: &snapLength,
                    wireLength: &wireLength, tpid: tpid, tci: UInt16(truncatingIfNeeded: fields.pointee.hv1.tp_vlan_tci)
                ) {
                    fields.pointee.tp_mac = UInt16(truncatingIfNeeded: mac)
                    fields.pointee.tp_snaplen = UInt32(truncatingIfNeeded: snapLength)
                    fields.pointee.tp_len = UInt32(truncatingIfNeeded: wireLength)
                    status |= Self.restoredMarker
                }
                fields.pointee.tp_status = status
            }
            let mac = Int(fields.pointee.tp_mac)
            let snapLength = Int(fields.pointee.tp_snaplen)
            return makeFrame(
                header: header, slotEnd: mac + snapLength, status: status, mac: mac, snapLength: snapLength,
                wireLength: Int(fields.pointee.tp_len), packetType: packetType,
                timestamp: KernelTimestamp(seconds: fields.pointee.tp_sec, nanoseconds: fields.pointee.tp_nsec))
        }
    }

    /// TPACKET_V3 `release()`.
    @inlinable
    func releaseFromBlock() {
        guard blockIsOpen else { return }
        let fields = blockPacket.assumingMemoryBound(to: tpacket3_hdr.self)
        if fields.pointee.tp_len > fields.pointee.tp_snaplen { truncatedReleased &+= 1 }
        stepInBlock()
    }

    /// Opens the current block if the kernel has retired it to userspace; an empty block goes
    /// straight back.
    @inlinable
    func openBlock() -> Bool {
        let block = rxSlot.assumingMemoryBound(to: tpacket_block_desc.self)
        let status = cls_load_acquire_u32(cls_v3_block_status(block))
        if status & UInt32(TP_STATUS_USER) == 0 { return false }
        let count = Int(block.pointee.hdr.bh1.num_pkts)
        if count == 0 {
            handBackBlock()
            return true
        }
        blockPacket = rxSlot + Int(block.pointee.hdr.bh1.offset_to_first_pkt)
        blockPacketsLeft = count
        blockIsOpen = true
        return true
    }

    /// Moves to the next packet of the open block, handing the block back after its last one.
    @inlinable
    func stepInBlock() {
        blockPacketsLeft &-= 1
        if blockPacketsLeft > 0 {
            let next = blockPacket.assumingMemoryBound(to: tpacket3_hdr.self).pointee.tp_next_offset
            blockPacket += Int(next)
        } else {
            blockIsOpen = false
            handBackBlock()
        }
    }

    /// Gives the current block to the kernel and steps to the next block.
    @inlinable
    func handBackBlock() {
        let block = rxSlot.assumingMemoryBound(to: tpacket_block_desc.self)
        cls_store_release_u32(cls_v3_block_status(block), UInt32(TP_STATUS_KERNEL))
        rxBlock &+= 1
        if rxBlock == rxBlockCount { rxBlock = 0 }
        rxSlot = rxBase + rxBlock &* rxBlockSize
    }
}
