import Frame

/// Putting back flows read from the kernel's set of established flows after a crash.
extension FlowTable {
    /// Inserts `tuple` (in its originator's orientation) as an established, assured flow with
    /// `remaining` nanoseconds to live if nothing more is seen (capped at its class's timeout),
    /// as if both sides had been seen. TCP flows are ESTABLISHED, UDP flows on `udp-stream`,
    /// ICMP query flows on `icmp`, others answered. The sink is not told it is established (it
    /// came from the kernel's set), only about a flow evicted to make room.
    ///
    /// The flow's exact deadline holds for lookups; its slot is reclaimed once its class's list
    /// reaches it, which may be later than that deadline when `remaining` is short.
    @discardableResult
    public func insertEstablished<Events: FlowEventSink>(
        _ tuple: FlowTuple, remaining: UInt64, creator: UInt32, now: UInt64, events: inout Events
    ) -> RestoreOutcome {
        let now = clock(now)
        let (key, side) = FlowKey.side(of: tuple)
        let hash = hasher.hash(key)
        var index = find(key, hash: hash)
        core.pointee.epoch &+= 1
        if index != FlowTable.none {
            guard isExpired(index, now: now) else { return .exists }
            end(index, reason: endReason(index), now: now, events: &events)
            unlist(index)
        } else {
            index = freeSlot(forHash: hash, now: now, events: &events)
            guard index != FlowTable.none else {
                core.pointee.statistics.refusedFull &+= 1
                return .full
            }
            chain(index, hash: hash)
        }
        let slot = slots + Int(index)
        let tcp = key.ipProtocol == IPProtocol.tcp
        var flags: FlowFlags = [.inUse, .seenReply, .assured, .restored]
        if side == .high { flags.insert(.originatorHigh) }
        if tcp { flags.insert(.pickedUp) }
        slot.pointee.key = key
        slot.pointee.tcpState = tcp ? .established : .none
        slot.pointee.flags = flags
        slot.pointee.creator = creator
        slot.pointee.created = now
        slot.pointee.framesOriginal = 0
        slot.pointee.framesReply = 0
        slot.pointee.bytesOriginal = 0
        slot.pointee.bytesReply = 0
        let timeoutClass = timeoutClass(of: slot, now: now)
        append(index, to: timeoutClass, now: now)
        let timeout = lists[Int(timeoutClass.rawValue)].timeout
        let shortfall = timeout - min(remaining, timeout)
        slot.pointee.lastSeen = now - shortfall
        core.pointee.statistics.created &+= 1
        core.pointee.statistics.restored &+= 1
        return .inserted
    }
}
