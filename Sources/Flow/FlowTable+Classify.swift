import Frame

/// Phase one: a frame's `ct state` and direction, and what committing it would do. Changes no
/// flow (an expired flow is treated as gone; the commit that replaces it, or expiry, reclaims
/// it); it only counts the lookup, starts a new epoch and, for a new flow, keeps its key for
/// the commit.
extension FlowTable {
    /// Classifies one frame, parsed into `info`, at time `now`. `info` is `inout` only so it is
    /// passed by reference (a borrowed 167-byte parse was copied at every call, 13 ns a frame);
    /// classify never changes it.
    ///
    /// - Not IP (ARP, LLDP, STP, ...), and ICMPv6 neighbour discovery and MLD: `untracked`.
    /// - An IPv4/IPv6 EtherType whose header is unsound, an L4 header too short to classify, a
    ///   TCP flag combination outside SYN, SYN+ACK, RST, RST+ACK, FIN+ACK and ACK (PSH, URG, ECE
    ///   and CWR aside), a segment that does not fit its connection: `invalid`.
    /// - TCP, UDP, ICMP/ICMPv6 queries and other IP protocols: `new` for a flow's first frame and
    ///   the originator's frames until the other side answers, `established` after.
    /// - ICMP/ICMPv6 errors quoting a known flow, sent to that flow's quoted source: `related`
    ///   (direction opposite to the quoted packet's); quoting nothing known, or sent elsewhere:
    ///   `invalid`.
    /// - A first fragment is classified by its flow and, when forwarded as `new` or
    ///   `established`, remembered on commit; a later fragment gets the state and direction its
    ///   first fragment got, and is `invalid` when that first fragment was not seen, was dropped,
    ///   was itself `invalid` or `related`, or was forgotten (the fragment table is small and its
    ///   entries live for the `fragment` timeout). Later fragments have no ports, so they never
    ///   create or advance a flow; they are counted on it.
    @inline(__always)
    public func classify(frame: UnsafeRawBufferPointer, info: inout FrameInfo, now: UInt64) -> FlowLookup {
        core.pointee.statistics.lookups &+= 1
        let lookup = classifyFrame(frame, &info, clock(now))
        if lookup.state == .invalid { core.pointee.statistics.invalid &+= 1 }
        return lookup
    }

    @inline(__always)
    private func classifyFrame(_ frame: UnsafeRawBufferPointer, _ info: inout FrameInfo, _ now: UInt64) -> FlowLookup {
        // Each classify starts a new epoch: only its own lookup can be committed.
        core.pointee.epoch &+= 1
        let epoch = core.pointee.epoch
        let present = info.present
        let family: FlowFamily
        let source: UInt128
        let destination: UInt128
        if present.contains(.ipv4) {
            family = .ipv4
            source = FlowAddress.mapped(info.ipv4Source)
            destination = FlowAddress.mapped(info.ipv4Destination)
        } else if present.contains(.ipv6) {
            family = .ipv6
            source = info.ipv6Source
            destination = info.ipv6Destination
        } else {
            // An IP packet conntrack cannot parse gets no entry, which nft reads as invalid.
            let etherType = info.etherType
            let ip = present.contains(.ethernet) && (etherType == EtherType.ipv4 || etherType == EtherType.ipv6)
            return FlowLookup(state: ip ? .invalid : .untracked, direction: nil, epoch: epoch)
        }
        let outerVLAN = info.vlanTagCount > 0 ? info.outerVLANTCI & 0x0fff : 0
        let innerVLAN = info.vlanTagCount > 1 ? info.innerVLANTCI & 0x0fff : 0

        let isFirstFragment = info.isFirstFragment
        if info.isFragment && !isFirstFragment {
            return classifyLaterFragment(
                family: family, source: source, destination: destination,
                protocol: family == .ipv4 ? info.ipProtocol : 0, identification: info.ipIdentification,
                outerVLAN: outerVLAN, innerVLAN: innerVLAN, now: now, epoch: epoch)
        }
        let ipEnd = info.ipEnd
        guard present.contains(.l4Protocol), let base = frame.baseAddress, ipEnd <= frame.count else {
            return FlowLookup(state: .invalid, direction: nil, epoch: epoch)
        }
        let proto = info.l4Protocol
        // Each protocol gives the ports (or ICMP identifier and request type) and what an unknown
        // flow's frame may do; one key, one hash and one lookup follow.
        var sourcePort: UInt16 = 0
        var destinationPort: UInt16 = 0
        var segment = TCPSegment.invalid
        var mayCreate = true
        switch proto {
        case IPProtocol.tcp, IPProtocol.udp:
            guard present.contains(.l4Header) else { return FlowLookup(state: .invalid, direction: nil, epoch: epoch) }
            sourcePort = info.sourcePort
            destinationPort = info.destinationPort
            if proto == IPProtocol.tcp { segment = TCPSegment(flags: info.tcpFlags) }
        case _ where FlowKey.isICMP(proto, family):
            let start = info.l4Offset
            guard ipEnd - start >= 8 else { return FlowLookup(state: .invalid, direction: nil, epoch: epoch) }
            let type = base.byte(at: start)
            if ICMPKinds.isError(type: type, family: family) {
                return classifyError(
                    base, from: start + 8, to: ipEnd, family: family, outerDestination: destination,
                    outerVLAN: outerVLAN, innerVLAN: innerVLAN, now: now, epoch: epoch)
            }
            if family == .ipv6 && ICMPKinds.isUntrackedICMPv6(type: type) {
                return FlowLookup(state: .untracked, direction: nil, epoch: epoch)
            }
            // Only requests start a query flow; an answer nobody asked for is invalid.
            guard let query = ICMPKinds.query(type: type, family: family) else {
                return FlowLookup(state: .invalid, direction: nil, epoch: epoch)
            }
            sourcePort = base.bigEndian16(at: start + 4)
            destinationPort = UInt16(query.kind)
            mayCreate = query.isRequest
        default:
            break
        }
        let (key, side) = FlowKey.oriented(
            family: family, ipProtocol: proto, source: source, sourcePort: sourcePort, destination: destination,
            destinationPort: destinationPort, outerVLAN: outerVLAN, innerVLAN: innerVLAN)
        var lookup =
            proto == IPProtocol.tcp
            ? classifyTCP(key, side, segment: segment, now: now, epoch: epoch)
            : classifyPseudoConnection(key, side, mayCreate: mayCreate, now: now, epoch: epoch)
        if isFirstFragment && lookup.action != .none {
            lookup.isFirstFragment = true
            lookup.identification = info.ipIdentification
        }
        return lookup
    }

    /// The live flow for `key`, and whether the slot found (if any) holds it expired.
    @inline(__always)
    private func liveFlow(_ key: FlowKey, hash: UInt32, now: UInt64) -> (slot: UInt32, live: Bool) {
        let index = find(key, hash: hash)
        guard index != FlowTable.none else { return (index, false) }
        return (index, !isExpired(index, now: now))
    }

    @inline(__always)
    private func classifyTCP(
        _ key: FlowKey, _ side: FlowSide, segment: TCPSegment, now: UInt64, epoch: UInt64
    ) -> FlowLookup {
        let hash = hasher.hash(key)
        let (index, live) = liveFlow(key, hash: hash, now: now)
        var lookup: FlowLookup
        if live {
            let slot = slots + Int(index)
            let flags = slot.pointee.flags
            let reply = side != slot.pointee.originator
            let step = TCPMachine.step(
                from: slot.pointee.tcpState, segment, reply: reply, firstFinReply: flags.contains(.firstFinReply),
                simultaneous: flags.contains(.simultaneousOpen))
            switch step.kind {
            case .invalid:
                return FlowLookup(state: .invalid, direction: nil, epoch: epoch)
            case .reopen:
                lookup = FlowLookup(state: .new, direction: .original, action: .reopen, epoch: epoch)
            case .advance, .ignore:
                let established = reply || flags.contains(.seenReply)
                lookup = FlowLookup(
                    state: established ? .established : .new, direction: reply ? .reply : .original,
                    action: .update, epoch: epoch)
            }
            lookup.stepKind = step.kind
            lookup.nextState = step.state
        } else {
            switch segment {
            case .syn:
                lookup = FlowLookup(state: .new, direction: .original, action: .create, epoch: epoch)
                lookup.nextState = .synSent
            case .ack where !core.pointee.strictPickup:
                lookup = FlowLookup(state: .new, direction: .original, action: .create, epoch: epoch)
                lookup.nextState = .established
            default:
                // SYN-ACK, FIN, RST (or anything but a SYN, when strict) on an unknown flow.
                return FlowLookup(state: .invalid, direction: nil, epoch: epoch)
            }
        }
        lookup.slot = index
        lookup.hash = hash
        lookup.side = side
        if lookup.action == .create { pendingKey.pointee = key }
        return lookup
    }

    /// UDP, ICMP queries and other protocols: the first frame makes the flow, an answer makes it
    /// established. `mayCreate` is false for an ICMP answer, which needs its request's flow.
    @inline(__always)
    private func classifyPseudoConnection(
        _ key: FlowKey, _ side: FlowSide, mayCreate: Bool, now: UInt64, epoch: UInt64
    ) -> FlowLookup {
        let hash = hasher.hash(key)
        let (index, live) = liveFlow(key, hash: hash, now: now)
        var lookup: FlowLookup
        if live {
            let slot = slots + Int(index)
            let reply = side != slot.pointee.originator
            let established = reply || slot.pointee.flags.contains(.seenReply)
            lookup = FlowLookup(
                state: established ? .established : .new, direction: reply ? .reply : .original, action: .update,
                epoch: epoch)
        } else {
            guard mayCreate else { return FlowLookup(state: .invalid, direction: nil, epoch: epoch) }
            lookup = FlowLookup(state: .new, direction: .original, action: .create, epoch: epoch)
        }
        lookup.slot = index
        lookup.hash = hash
        lookup.side = side
        if lookup.action == .create { pendingKey.pointee = key }
        return lookup
    }

    /// An ICMP/ICMPv6 error: `related` when the packet it quotes belongs to a live flow and the
    /// error goes back to that packet's sender; otherwise `invalid`.
    private func classifyError(
        _ base: UnsafeRawPointer, from start: Int, to end: Int, family: FlowFamily, outerDestination: UInt128,
        outerVLAN: UInt16, innerVLAN: UInt16, now: UInt64, epoch: UInt64
    ) -> FlowLookup {
        guard let quoted = QuotedPacket.parse(base, from: start, to: end, family: family),
            quoted.source == outerDestination
        else { return FlowLookup(state: .invalid, direction: nil, epoch: epoch) }
        let (key, side) = FlowKey.oriented(
            family: family, ipProtocol: quoted.ipProtocol, source: quoted.source, sourcePort: quoted.sourcePort,
            destination: quoted.destination, destinationPort: quoted.destinationPort, outerVLAN: outerVLAN,
            innerVLAN: innerVLAN)
        let (index, live) = liveFlow(key, hash: hasher.hash(key), now: now)
        guard live else { return FlowLookup(state: .invalid, direction: nil, epoch: epoch) }
        let quotedDirection: CTDirection = side == slots[Int(index)].originator ? .original : .reply
        return FlowLookup(state: .related, direction: quotedDirection.reversed, epoch: epoch)
    }

    /// A fragment after the first: the state its datagram's first fragment got, or `invalid`.
    private func classifyLaterFragment(
        family: FlowFamily, source: UInt128, destination: UInt128, protocol proto: UInt8, identification: UInt32,
        outerVLAN: UInt16, innerVLAN: UInt16, now: UInt64, epoch: UInt64
    ) -> FlowLookup {
        let meta = FragmentTable.meta(protocol: proto, outerVLAN: outerVLAN, innerVLAN: innerVLAN)
        let hash = hasher.hashFragment(
            source: source, destination: destination, identification: identification, meta: UInt64(meta))
        guard
            let entry = fragments.find(
                source: source, destination: destination, identification: identification, meta: meta, hash: hash,
                now: now)
        else {
            core.pointee.statistics.fragmentsUnmatched &+= 1
            return FlowLookup(state: .invalid, direction: nil, epoch: epoch)
        }
        let direction: CTDirection? =
            entry.pointee.direction == 0xff ? nil : CTDirection(rawValue: entry.pointee.direction)
        var lookup = FlowLookup(state: entry.pointee.state, direction: direction, action: .fragment, epoch: epoch)
        lookup.slot = entry.pointee.slot
        pendingKey.pointee = FlowKey(
            lowAddress: source, highAddress: destination, lowPort: 0, highPort: 0, ipProtocol: proto, family: family,
            outerVLAN: outerVLAN, innerVLAN: innerVLAN)
        return lookup
    }
}
