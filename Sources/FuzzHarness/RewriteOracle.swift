import Frame

/// Every field rewrite applied in turn to a copy of the frame (checksums repaired first), each
/// checked against what the rewrite promises.
///
/// After each `apply`: the `info` it kept in step equals a fresh parse of the bytes; a refused
/// rewrite changed no byte; an applied one reads back the value written (masked to the field);
/// checksums that were right before a field rewrite are still right after it; and nothing was
/// written outside the buffer.
enum RewriteOracle {
    /// Runs the rewrites; `seed` picks the values written, so different inputs write different ones.
    static func violations(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> [HarnessViolation] {
        var log = ViolationLog()
        let frame = GuardedFrame(copying: bytes, headroom: 8)
        var info = FrameInfo.parse(frame.buffer.readOnlyBytes)
        ChecksumChecks.repair(&frame.buffer, info: info)
        var random = SplitMix64(seed: seed)
        for rewrite in rewrites(&random) {
            let before = frame.bytes
            let infoBefore = info
            let validBefore = ChecksumVerifier.allAreValid(frame.buffer.readOnlyBytes, info: info)
            let applied = frame.buffer.apply(rewrite, info: &info)
            let shape = frame.shapeViolations()
            log.add(shape, context: "\(rewrite)")
            guard shape.isEmpty else { break }
            let reparsed = FrameInfo.parse(frame.buffer.readOnlyBytes)
            log.expect(info == reparsed, "info-in-step", "after \(rewrite) (applied: \(applied))")
            if applied {
                log.expect(
                    readsBack(rewrite, before: infoBefore, after: reparsed, frame: frame.buffer.readOnlyBytes),
                    "rewrite-reads-back", "\(rewrite)")
                if validBefore && !changesLength(rewrite) {
                    log.expect(
                        ChecksumVerifier.allAreValid(frame.buffer.readOnlyBytes, info: reparsed), "checksum-kept",
                        "checksums were right before \(rewrite) and are wrong after it")
                }
            } else {
                log.expect(frame.bytes == before, "refused-rewrite", "\(rewrite) was refused but changed bytes")
            }
            info = reparsed
        }
        log.add(frame.finish(), context: "rewrites")
        return log.items
    }

    /// Every rewrite: the tag rewrites and a pop first on the frame as it came (tagged or not),
    /// then a push and the tag rewrites again on the new tag, every other field, and two pops.
    static func rewrites(_ random: inout SplitMix64) -> [FieldRewrite] {
        let u16 = { (random: inout SplitMix64) -> UInt16 in
            let edge: [UInt16] = [0, 1, 0x0fff, 0x1000, 0x7fff, 0xfffe, 0xffff]
            let draw = random.next()
            return draw & 3 == 0 ? edge[Int(draw >> 8) % edge.count] : UInt16(truncatingIfNeeded: draw >> 16)
        }
        let u8 = { (random: inout SplitMix64) -> UInt8 in UInt8(truncatingIfNeeded: random.next() >> 24) }
        let u32 = { (random: inout SplitMix64) -> UInt32 in UInt32(truncatingIfNeeded: random.next() >> 8) }
        let u64 = { (random: inout SplitMix64) -> UInt64 in random.next() }
        let u128 = { (random: inout SplitMix64) -> UInt128 in UInt128(random.next()) << 64 | UInt128(random.next()) }
        return [
            .vlanID(u16(&random)), .vlanPCP(u8(&random)), .vlanPop,
            .vlanPush(u16(&random)), .vlanID(u16(&random)), .vlanPCP(u8(&random)),
            .etherSource(u64(&random)), .etherDestination(u64(&random)),
            .ipv4Source(u32(&random)), .ipv4Destination(u32(&random)), .ipv4TTL(u8(&random)),
            .ipv4DSCP(u8(&random)), .ipv4ECN(u8(&random)),
            .ipv6Source(u128(&random)), .ipv6Destination(u128(&random)), .ipv6HopLimit(u8(&random)),
            .ipv6DSCP(u8(&random)),
            .tcpSourcePort(u16(&random)), .tcpDestinationPort(u16(&random)),
            .udpSourcePort(u16(&random)), .udpDestinationPort(u16(&random)), .tcpMaxSegmentSize(u16(&random)),
            .vlanPop, .vlanPop,
        ]
    }

    static func changesLength(_ rewrite: FieldRewrite) -> Bool {
        switch rewrite {
        case .vlanPush, .vlanPop: return true
        default: return false
        }
    }

    /// Whether the parse after an applied rewrite shows the value written (masked to the field)
    /// and the neighbouring bits it must keep (an MSS is read from `frame`, the bytes after).
    static func readsBack(
        _ rewrite: FieldRewrite, before: FrameInfo, after: FrameInfo,
        frame: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> Bool {
        let mac: UInt64 = 0xffff_ffff_ffff
        switch rewrite {
        case .etherSource(let value): return after.sourceMAC == value & mac
        case .etherDestination(let value): return after.destinationMAC == value & mac
        case .vlanID(let id): return after.outerVLANTCI == before.outerVLANTCI & 0xf000 | id & 0x0fff
        case .vlanPCP(let pcp): return after.outerVLANTCI == before.outerVLANTCI & 0x1fff | UInt16(pcp & 7) << 13
        case .vlanPush(let id):
            let count = min(before.vlanTagCount + 1, FrameInfo.maxVLANTags)
            return after.present.contains(.vlan) && after.outerVLANTPID == EtherType.vlan
                && after.outerVLANTCI == id & 0x0fff && after.vlanTagCount == count
                && after.length == before.length + 4
        case .vlanPop:
            let countKnown = before.vlanTagCount < FrameInfo.maxVLANTags
            return after.length == before.length - 4 && (!countKnown || after.vlanTagCount == before.vlanTagCount - 1)
        case .ipv4Source(let value): return after.ipv4Source == value
        case .ipv4Destination(let value): return after.ipv4Destination == value
        case .ipv4TTL(let value): return after.ttl == value
        case .ipv4DSCP(let value): return after.dscp == value & 0x3f && after.ecn == before.ecn
        case .ipv4ECN(let value): return after.ecn == value & 3 && after.dscp == before.dscp
        case .ipv6Source(let value): return after.ipv6Source == value
        case .ipv6Destination(let value): return after.ipv6Destination == value
        case .ipv6HopLimit(let value): return after.ttl == value
        case .ipv6DSCP(let value): return after.dscp == value & 0x3f && after.ecn == before.ecn
        case .tcpSourcePort(let value), .udpSourcePort(let value): return after.sourcePort == value
        case .tcpDestinationPort(let value), .udpDestinationPort(let value): return after.destinationPort == value
        case .tcpMaxSegmentSize(let value): return TCPOptions.maximumSegmentSize(frame, info: after) == value
        }
    }
}

/// Reproducible seeds for fuzz inputs.
enum InputSeed {
    /// FNV-1a over `bytes`: the seed for an input.
    static func seed(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}
