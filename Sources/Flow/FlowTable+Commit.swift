import Frame

/// Phase two: once the policy decided, create the flow, apply the state change, count the frame.
extension FlowTable {
    /// Applies `lookup` (from the last ``classify(frame:info:now:)``) for a frame of `length`
    /// bytes that the policy `forwarded` (or not) at `now`.
    ///
    /// A frame that was not forwarded changes nothing: a dropped FIN did not reach the other
    /// side, so it does not close the flow, and a dropped first frame creates nothing. A frame
    /// that may create a flow creates one with `creator` (an opaque number the integrator maps to
    /// the deciding rule); when no slot is free, the oldest-to-expire unassured flow is evicted
    /// (nf_conntrack's early drop), and only when there is none the outcome is ``CommitOutcome/full``.
    @discardableResult @inline(__always)
    public func commit<Events: FlowEventSink>(
        _ lookup: FlowLookup, forwarded: Bool, length: Int, creator: UInt32, now: UInt64, events: inout Events
    ) -> CommitOutcome {
        guard forwarded, lookup.action != .none else { return .untouched }
        let now = clock(now)
        guard lookup.epoch == core.pointee.epoch else {
            core.pointee.statistics.staleCommits &+= 1
            return .untouched
        }
        let index: UInt32
        let outcome: CommitOutcome
        switch lookup.action {
        case .update:
            index = lookup.slot
            update(index, lookup, length: length, now: now, events: &events)
            outcome = .updated
        case .create, .reopen:
            if lookup.slot != FlowTable.none {
                // This key's own slot: an expired flow, or a finished TCP connection a SYN reopens.
                index = lookup.slot
                let reason = lookup.action == .reopen ? FlowEndReason.closed : endReason(index)
                end(index, reason: reason, now: now, events: &events)
                unlist(index)
            } else {
                let key = pendingKey.pointee
                index = freeSlot(forHash: lookup.hash, now: now, events: &events)
                guard index != FlowTable.none else {
                    core.pointee.statistics.refusedFull &+= 1
                    core.pointee.epoch &+= 1
                    return .full
                }
                slots[Int(index)].key = key
                chain(index, hash: lookup.hash)
            }
            start(index, lookup, length: length, creator: creator, now: now)
            outcome = .created
        case .fragment:
            guard countFragment(lookup, length: length, now: now) else { return .untouched }
            index = FlowTable.none
            outcome = .updated
        case .none:
            return .untouched
        }
        core.pointee.epoch &+= 1
        if lookup.isFirstFragment { remember(lookup, slot: index, now: now) }
        return outcome
    }

    /// Fills slot `index` (holding the new flow's key, chained, on no list) with a new flow.
    @inline(__always)
    private func start(_ index: UInt32, _ lookup: FlowLookup, length: Int, creator: UInt32, now: UInt64) {
        let slot = slots + Int(index)
        let tcp = slot.pointee.key.ipProtocol == IPProtocol.tcp
        var flags: FlowFlags = [.inUse]
        if lookup.side == .high { flags.insert(.originatorHigh) }
        if tcp && lookup.nextState == .established { flags.insert(.pickedUp) }
        slot.pointee.tcpState = tcp ? lookup.nextState : .none
        slot.pointee.flags = flags
        slot.pointee.creator = creator
        slot.pointee.created = now
        slot.pointee.lastSeen = now
        slot.pointee.framesOriginal = 1
        slot.pointee.bytesOriginal = UInt64(length)
        slot.pointee.framesReply = 0
        slot.pointee.bytesReply = 0
        append(index, to: timeoutClass(of: slot, now: now), now: now)
        core.pointee.statistics.created &+= 1
    }

    /// Counts a frame on the live flow in `index` and applies its state change.
    @inline(__always)
    private func update<Events: FlowEventSink>(
        _ index: UInt32, _ lookup: FlowLookup, length: Int, now: UInt64, events: inout Events
    ) {
        let slot = slots + Int(index)
        let reply = lookup.direction == .reply
        if reply {
            slot.pointee.framesReply &+= 1
            slot.pointee.bytesReply &+= UInt64(length)
        } else {
            slot.pointee.framesOriginal &+= 1
            slot.pointee.bytesOriginal &+= UInt64(length)
        }
        var flags = slot.pointee.flags
        let announcedBefore = FlowTable.announced(flags, tcp: slot.pointee.key.ipProtocol == IPProtocol.tcp)
        let proto = slot.pointee.key.ipProtocol
        if proto == IPProtocol.tcp {
            if lookup.stepKind == .ignore { return }
            let old = slot.pointee.tcpState
            let next = lookup.nextState
            if next == .finWait && (old == .synReceived || old == .established) {
                if reply { flags.insert(.firstFinReply) } else { flags.remove(.firstFinReply) }
            }
            if next == .synSent2 { flags.insert(.simultaneousOpen) }
            slot.pointee.tcpState = next
            if reply { flags.insert(.seenReply) }
            if next == .established && flags.contains(.seenReply) { flags.insert(.assured) }
        } else {
            if reply { flags.insert(.seenReply) }
            if flags.contains(.seenReply) && !FlowKey.isICMP(proto, slot.pointee.key.family)
                && (proto != IPProtocol.udp || now &- slot.pointee.created >= FlowTable.udpStreamAge)
            {
                flags.insert(.assured)
            }
        }
        slot.pointee.flags = flags
        touch(index, class: timeoutClass(of: slot, now: now), now: now)
        if !announcedBefore && FlowTable.announced(flags, tcp: proto == IPProtocol.tcp) {
            events.flowEstablished(event(index, now: now))
        }
    }

    /// A flow the sink was told is established: TCP once assured, others once answered.
    @inline(__always)
    static func announced(_ flags: FlowFlags, tcp: Bool) -> Bool {
        flags.contains(tcp ? .assured : .seenReply)
    }

    /// The list a flow belongs on, from its protocol, state and flags.
    @inline(__always)
    func timeoutClass(of slot: UnsafeMutablePointer<FlowSlot>, now: UInt64) -> FlowTimeoutClass {
        let flags = slot.pointee.flags
        switch slot.pointee.key.ipProtocol {
        case IPProtocol.tcp:
            switch slot.pointee.tcpState {
            case .synSent, .synSent2: return .tcpSynSent
            case .synReceived: return .tcpSynReceived
            case .established: return flags.contains(.seenReply) ? .tcpEstablished : .tcpUnacknowledged
            case .finWait: return .tcpFinWait
            case .closeWait: return .tcpCloseWait
            case .lastAck: return .tcpLastAck
            case .timeWait: return .tcpTimeWait
            case .close, .none: return .tcpClose
            }
        case IPProtocol.udp:
            return flags.contains(.assured) ? .udpStream : .udp
        case let proto where FlowKey.isICMP(proto, slot.pointee.key.family):
            return .icmp
        default:
            return flags.contains(.seenReply) ? .genericReplied : .genericUnreplied
        }
    }

    /// Counts a later fragment on its datagram's flow, if that flow is still the one its first
    /// fragment belonged to (same addresses, family and VLANs) and alive.
    @inline(__always)
    private func countFragment(_ lookup: FlowLookup, length: Int, now: UInt64) -> Bool {
        let index = lookup.slot
        guard index != FlowTable.none else { return false }
        let slot = slots + Int(index)
        let key = slot.pointee.key
        let fragment = pendingKey.pointee
        guard slot.pointee.flags.contains(.inUse), key.family == fragment.family,
            key.outerVLAN == fragment.outerVLAN, key.innerVLAN == fragment.innerVLAN,
            (key.lowAddress == fragment.lowAddress && key.highAddress == fragment.highAddress)
                || (key.lowAddress == fragment.highAddress && key.highAddress == fragment.lowAddress),
            !isExpired(index, now: now)
        else { return false }
        if lookup.direction == .reply {
            slot.pointee.framesReply &+= 1
            slot.pointee.bytesReply &+= UInt64(length)
        } else {
            slot.pointee.framesOriginal &+= 1
            slot.pointee.bytesOriginal &+= UInt64(length)
        }
        touch(index, class: slot.pointee.timeoutClass, now: now)
        return true
    }

    /// Remembers a forwarded first fragment's state for the rest of its datagram.
    @inline(__always)
    private func remember(_ lookup: FlowLookup, slot index: UInt32, now: UInt64) {
        let key = slots[Int(index)].key
        let source = key.address(lookup.side)
        let destination = key.address(lookup.side.other)
        let meta = FragmentTable.meta(
            protocol: key.family == .ipv4 ? key.ipProtocol : 0, outerVLAN: key.outerVLAN, innerVLAN: key.innerVLAN)
        let hash = hasher.hashFragment(
            source: source, destination: destination, identification: lookup.identification, meta: UInt64(meta))
        fragments.remember(
            source: source, destination: destination, identification: lookup.identification, meta: meta, hash: hash,
            expires: now &+ core.pointee.fragmentTimeout, now: now, slot: index, state: lookup.state,
            direction: lookup.direction?.rawValue ?? 0xff)
        core.pointee.statistics.fragmentsRemembered &+= 1
    }
}
