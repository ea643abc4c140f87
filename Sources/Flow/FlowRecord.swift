/// One flow as the `flows` command shows it.
public struct FlowRecord: Sendable, Equatable {
    /// Addresses, ports, protocol and VLANs in the originator's orientation.
    public var tuple: FlowTuple
    /// nf_conntrack's TCP state name (`ESTABLISHED`, `TIME_WAIT`, ...), or `UNREPLIED` /
    /// `REPLIED` for other protocols.
    public var stateName: String
    /// The TCP state (`.none` for other protocols).
    public var tcpState: TCPState
    /// The timeout class the flow is in (its timeout's name is `timeoutClass.timeoutName`).
    public var timeoutClass: FlowTimeoutClass
    /// Protected from early eviction.
    public var assured: Bool
    /// The responder has been seen.
    public var seenReply: Bool
    /// A TCP flow picked up mid-stream (or restored).
    public var pickedUp: Bool
    /// Restored from the kernel's set after a restart.
    public var restored: Bool
    /// Nanoseconds since the flow was created.
    public var age: UInt64
    /// Nanoseconds since a frame last refreshed it.
    public var idle: UInt64
    /// Nanoseconds until it expires if nothing more is seen.
    public var remaining: UInt64
    /// Frames from the originator.
    public var framesOriginal: UInt64
    /// Frames from the responder.
    public var framesReply: UInt64
    /// Bytes from the originator.
    public var bytesOriginal: UInt64
    /// Bytes from the responder.
    public var bytesReply: UInt64
    /// The creator passed when the flow was created (the integrator maps it to a rule name).
    public var creator: UInt32
}

extension FlowTable {
    /// Up to `limit` live flows at `now`, class by class, oldest-moved first within a class.
    /// Allocates: the owner thread calls it on request, between batches.
    public func snapshot(now: UInt64, limit: Int = Int.max) -> [FlowRecord] {
        let now = clock(now)
        var records: [FlowRecord] = []
        records.reserveCapacity(min(limit, core.pointee.inUse))
        for classIndex in 0..<FlowTimeoutClass.count {
            var index = lists[classIndex].head
            while index != FlowTable.none && records.count < limit {
                let slot = slots + Int(index)
                if !isExpired(index, now: now) { records.append(record(slot, now: now)) }
                index = slot.pointee.next
            }
        }
        return records
    }

    private func record(_ slot: UnsafeMutablePointer<FlowSlot>, now: UInt64) -> FlowRecord {
        let flow = slot.pointee
        let flags = flow.flags
        let tcp = flow.key.ipProtocol == 6
        let deadline = deadline(slot)
        return FlowRecord(
            tuple: flow.key.tuple(from: flow.originator),
            stateName: tcp ? flow.tcpState.name : (flags.contains(.seenReply) ? "REPLIED" : "UNREPLIED"),
            tcpState: flow.tcpState, timeoutClass: flow.timeoutClass, assured: flags.contains(.assured),
            seenReply: flags.contains(.seenReply), pickedUp: flags.contains(.pickedUp),
            restored: flags.contains(.restored), age: now > flow.created ? now - flow.created : 0,
            idle: now > flow.lastSeen ? now - flow.lastSeen : 0, remaining: deadline > now ? deadline - now : 0,
            framesOriginal: flow.framesOriginal, framesReply: flow.framesReply, bytesOriginal: flow.bytesOriginal,
            bytesReply: flow.bytesReply, creator: flow.creator)
    }
}
