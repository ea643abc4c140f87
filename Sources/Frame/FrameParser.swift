extension FrameInfo {
    /// Parses an Ethernet frame. Never traps, never allocates, never reads outside `bytes`.
    ///
    /// Each header is bounds-checked once, then its fields are read with unaligned loads. A frame
    /// that is truncated or lies about a length is parsed as far as it is sound; see
    /// ``FrameInfo`` and ``FieldPresence`` for what each group needs.
    ///
    /// The VLAN tag walk stops at a truncated tag or at a tag beyond ``maxVLANTags``: `etherType`
    /// then holds the TPID where it stopped, `l3Offset` the offset of that tag's TCI, and nothing
    /// beyond is parsed.
    @inlinable @inline(__always)
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> FrameInfo {
        var info = FrameInfo()
        parse(bytes, into: &info)
        return info
    }

    /// Parses an Ethernet frame into `info`, overwriting all of it; the same result as
    /// ``parse(_:)``, written in place (no copy of the result on the way out).
    public static func parse(_ bytes: UnsafeRawBufferPointer, into info: inout FrameInfo) {
        // Every field's default is all-zero bytes: clearing the memory is `FrameInfo()`, without
        // building a temporary and copying it (that copy was a tenth of a frame's pipeline time).
        withUnsafeMutableBytes(of: &info) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        let end = bytes.count
        info.length = end
        guard end >= 14, let base = bytes.baseAddress else { return }
        info.present = .ethernet
        info.destinationMAC = base.mac(0)
        info.sourceMAC = base.mac(6)

        var type = base.be16(12)
        var offset = 14
        if isVLANTPID(type) {
            var tags = 0
            repeat {
                guard tags < maxVLANTags, offset + 4 <= end else {
                    info.recordTags(tags, etherType: type, l3Offset: offset)
                    return
                }
                let tci = base.be16(offset)
                if tags == 0 {
                    info.outerVLANTPID = type
                    info.outerVLANTCI = tci
                } else if tags == 1 {
                    info.innerVLANTCI = tci
                }
                tags &+= 1
                type = base.be16(offset + 2)
                offset &+= 4
            } while isVLANTPID(type)
            info.recordTags(tags, etherType: type, l3Offset: offset)
        } else {
            info.etherType = type
            info.l3Offset = offset
        }

        switch type {
        case EtherType.ipv4: info.parseIPv4(base, at: offset, end: end)
        case EtherType.ipv6: info.parseIPv6(base, at: offset, end: end)
        case EtherType.arp: info.parseARP(base, at: offset, end: end)
        default: break
        }
    }

    /// True for the TPIDs the parser walks as VLAN tags: 0x8100, 0x88a8, 0x9100.
    @inline(__always)
    public static func isVLANTPID(_ type: UInt16) -> Bool {
        type == EtherType.vlan || type == EtherType.qinq || type == EtherType.qinqLegacy
    }

    @inline(__always)
    private mutating func recordTags(_ count: Int, etherType type: UInt16, l3Offset offset: Int) {
        vlanTagCount = count
        if count > 0 { present.insert(.vlan) }
        etherType = type
        l3Offset = offset
    }

    /// The operation of any ARP header with one; the addresses only for IPv4 over Ethernet, the
    /// one format whose fields sit where `arp saddr ip` and its kin read them.
    @inline(__always)
    private mutating func parseARP(_ base: UnsafeRawPointer, at offset: Int, end: Int) {
        guard offset + 8 <= end else { return }
        arpOperation = base.be16(offset + 6)
        present.insert(.arp)
        // htype 1, ptype 0x0800 and hlen 6, plen 4 in two loads.
        guard offset + 28 <= end, base.be32(offset) == 0x0001_0800, base.be16(offset + 4) == 0x0604 else { return }
        arpSenderMAC = base.mac(offset + 8)
        arpSenderIP = base.be32(offset + 14)
        arpTargetMAC = base.mac(offset + 18)
        arpTargetIP = base.be32(offset + 24)
        present.insert(.arpAddresses)
    }

    @inline(__always)
    private mutating func parseIPv4(_ base: UnsafeRawPointer, at offset: Int, end: Int) {
        guard offset + 20 <= end else { return }
        let versionIHL = base.u8(offset)
        let headerLength = Int(versionIHL & 0x0f) &* 4
        guard versionIHL >> 4 == 4, headerLength >= 20, offset + headerLength <= end else { return }
        present.insert(.ipv4)
        ipv4HeaderLength = headerLength
        let tos = base.u8(offset + 1)
        dscp = tos >> 2
        ecn = tos & 0x03
        let totalLength = Int(base.be16(offset + 2))
        let fragmentField = base.be16(offset + 6)
        let fragmentOffset = fragmentField & 0x1fff
        isFragment = fragmentField & 0x2000 != 0 || fragmentOffset != 0
        isFirstFragment = isFragment && fragmentOffset == 0
        ipIdentification = UInt32(base.be16(offset + 4))
        ttl = base.u8(offset + 8)
        ipProtocol = base.u8(offset + 9)
        ipv4Source = base.be32(offset + 12)
        ipv4Destination = base.be32(offset + 16)
        guard totalLength >= headerLength, fragmentOffset == 0 else { return }
        parseL4(base, protocol: ipProtocol, at: offset + headerLength, end: min(offset + totalLength, end), ipv6: false)
    }

    @inline(__always)
    private mutating func parseIPv6(_ base: UnsafeRawPointer, at offset: Int, end frameEnd: Int) {
        guard offset + 40 <= frameEnd else { return }
        let first = base.be32(offset)
        guard first >> 28 == 6 else { return }
        present.insert(.ipv6)
        let trafficClass = UInt8(truncatingIfNeeded: first >> 20)
        dscp = trafficClass >> 2
        ecn = trafficClass & 0x03
        let end = min(offset + 40 + Int(base.be16(offset + 4)), frameEnd)
        var next = base.u8(offset + 6)
        ipProtocol = next
        ttl = base.u8(offset + 7)
        ipv6Source = base.be128(offset + 8)
        ipv6Destination = base.be128(offset + 24)

        var cursor = offset + 40
        var headers = 0
        while true {
            switch next {
            case IPProtocol.hopByHop, IPProtocol.routing, IPProtocol.destinationOptions, IPProtocol.ah:
                guard headers < FrameInfo.maxIPv6ExtensionHeaders, cursor + 8 <= end else { return }
                let units = Int(base.u8(cursor + 1))
                let length = next == IPProtocol.ah ? (units + 2) &* 4 : (units + 1) &* 8
                guard cursor + length <= end else { return }
                next = base.u8(cursor)
                cursor += length
                headers &+= 1
            case IPProtocol.fragment:
                guard headers < FrameInfo.maxIPv6ExtensionHeaders, cursor + 8 <= end else { return }
                let field = base.be16(cursor + 2)
                let fragmentOffset = field >> 3
                isFragment = fragmentOffset != 0 || field & 1 != 0
                isFirstFragment = isFragment && fragmentOffset == 0
                ipIdentification = base.be32(cursor + 4)
                guard fragmentOffset == 0 else { return }
                next = base.u8(cursor)
                cursor += 8
                headers &+= 1
            case IPProtocol.noNextHeader:
                return
            default:
                parseL4(base, protocol: next, at: cursor, end: end, ipv6: true)
                return
            }
        }
    }

    @inline(__always)
    private mutating func parseL4(_ base: UnsafeRawPointer, protocol proto: UInt8, at offset: Int, end: Int, ipv6: Bool)
    {
        present.insert(.l4Protocol)
        l4Protocol = proto
        l4Offset = offset
        ipEnd = end
        let available = end - offset
        switch proto {
        case IPProtocol.tcp:
            guard available >= 4 else { return }
            sourcePort = base.be16(offset)
            destinationPort = base.be16(offset + 2)
            present.insert(.ports)
            guard available >= 14 else { return }
            tcpFlags = base.u8(offset + 13)
            present.insert(.tcpFlags)
            let headerLength = Int(base.u8(offset + 12) >> 4) &* 4
            if headerLength >= 20 && headerLength <= available { present.insert(.l4Header) }
        case IPProtocol.udp:
            guard available >= 8 else { return }
            sourcePort = base.be16(offset)
            destinationPort = base.be16(offset + 2)
            present.formUnion([.ports, .l4Header])
        case IPProtocol.icmp where !ipv6, IPProtocol.icmpv6 where ipv6:
            guard available >= 2 else { return }
            icmpType = base.u8(offset)
            icmpCode = base.u8(offset + 1)
            present.insert(available >= 4 ? [.icmpType, .l4Header] : .icmpType)
        default:
            break
        }
    }
}
