/// Rewrites of the Ethernet header and VLAN tags.
extension FrameBuffer {
    mutating func setMAC(_ mac: UInt64, at offset: Int, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.ethernet) else { return false }
        let value = mac & 0xffff_ffff_ffff
        (storage + start).storeMAC(value, at: offset)
        if offset == 0 { info.destinationMAC = value } else { info.sourceMAC = value }
        return true
    }

    /// Replaces the outermost tag's TCI bits outside `keeping` with `value`.
    mutating func setOuterTCI(keeping mask: UInt16, value: UInt16, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.vlan) else { return false }
        let frame = storage + start
        let tci = UnsafeRawPointer(frame).be16(14) & mask | value
        frame.storeBE16(tci, at: 14)
        info.outerVLANTCI = tci
        return true
    }

    /// Moves the MAC addresses 4 bytes earlier and writes an 802.1Q tag after them.
    mutating func pushVLAN(id: UInt16, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.ethernet), headroom >= 4 else { return false }
        let old = storage + start
        let new = old - 4
        let macs = UnsafeRawPointer(old).loadUnaligned(as: UInt64.self)
        let macsTail = UnsafeRawPointer(old).loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        new.storeBytes(of: macs, as: UInt64.self)
        new.storeBytes(of: macsTail, toByteOffset: 8, as: UInt32.self)
        new.storeBE16(EtherType.vlan, at: 12)
        new.storeBE16(id & 0x0fff, at: 14)
        start -= 4
        length += 4
        reparse(into: &info)
        return true
    }

    /// Moves the MAC addresses 4 bytes later over the outermost tag.
    mutating func popVLAN(info: inout FrameInfo) -> Bool {
        guard info.present.contains(.vlan), length >= 18 else { return false }
        let old = storage + start
        let macs = UnsafeRawPointer(old).loadUnaligned(as: UInt64.self)
        let macsTail = UnsafeRawPointer(old).loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        (old + 4).storeBytes(of: macs, as: UInt64.self)
        (old + 4).storeBytes(of: macsTail, toByteOffset: 8, as: UInt32.self)
        start += 4
        length -= 4
        reparse(into: &info)
        return true
    }

    /// After a push or pop every offset, the tag fields and the length change; reading them again
    /// is exactly what a parse of the new bytes gives (also when the tag count crosses
    /// ``FrameInfo/maxVLANTags``), and earlier rewrites are already in the bytes.
    private func reparse(into info: inout FrameInfo) {
        info = FrameInfo.parse(readOnlyBytes)
    }
}
