/// Ending flows: batched expiry from the list heads, reclaiming and early eviction when the table
/// is full, and the events that report them.
extension FlowTable {
    /// Removes up to `budget` flows whose timeout ran out by `now`, telling `events` about each;
    /// returns how many it removed. Only list heads are looked at, so the work is bounded by
    /// `budget` plus one look per timeout class. Call it between batches.
    ///
    /// Each list is ordered by when its flows last moved to the tail, and a busy flow moves at
    /// most once per refresh granularity (1 s, or an eighth of a shorter timeout), so a flow may
    /// be reclaimed up to that late; lookups see it gone on time. A flow restored with less time
    /// left than its class's timeout may wait longer, until its list reaches it.
    @discardableResult
    public func expire<Events: FlowEventSink>(now: UInt64, budget: Int, events: inout Events) -> Int {
        let now = clock(now)
        var removed = 0
        let first = core.pointee.expireCursor
        for step in 0..<FlowTimeoutClass.count {
            let list = lists + (first + step) % FlowTimeoutClass.count
            while removed < budget {
                let head = list.pointee.head
                guard head != FlowTable.none, isExpired(head, now: now) else { break }
                retire(head, reason: endReason(head), now: now, events: &events)
                removed += 1
            }
        }
        core.pointee.expireCursor = (first + 1) % FlowTimeoutClass.count
        if removed > 0 { core.pointee.epoch &+= 1 }
        return removed
    }

    /// A free slot for a new flow with `hash`: its home slot if free, else from the free list,
    /// else by reclaiming an expired list head, else by evicting the unassured flow seen least
    /// recently (nearest its deadline); ``none`` when nothing can go.
    @inline(__always)
    func freeSlot<Events: FlowEventSink>(forHash hash: UInt32, now: UInt64, events: inout Events) -> UInt32 {
        let home = self.home(hash)
        let index = popFree(preferring: home)
        if index != FlowTable.none { return index }
        return reclaimSlot(preferring: home, now: now, events: &events)
    }

    /// How many heads of one list a reclaim moves to the tail at most (see ``reclaimSlot``).
    static let secondChances = 8

    /// Reclaims an expired list head, or evicts the unassured flow nearest its deadline.
    ///
    /// A list is ordered by when its flows last *moved*, and a busy flow moves at most once per
    /// refresh granularity, so the head of an evictable list may be a flow a frame refreshed a
    /// moment ago: under a flood of new flows that turns the table over faster than the
    /// granularity (the stateful bench's churn: 65,536 slots in 0.26 s), a busy flow that is not
    /// assured yet (an answered UDP flow in its first 2 s) reached the head at every turnover and
    /// was evicted, and its next frame recreated it, so it never lived the 2 s that make it
    /// assured. Such a head gets a second chance instead (the CLOCK algorithm): it moves to the
    /// tail, and the flow seen least recently goes.
    private func reclaimSlot<Events: FlowEventSink>(
        preferring home: UInt32, now: UInt64, events: inout Events
    ) -> UInt32 {
        var victim = FlowTable.none
        var earliest = UInt64.max
        for classIndex in 0..<FlowTimeoutClass.count {
            let list = lists + classIndex
            let evictable = FlowTimeoutClass(rawValue: UInt8(classIndex))?.mayBeEvicted == true
            var chances = evictable ? FlowTable.secondChances : 0
            while true {
                let head = list.pointee.head
                guard head != FlowTable.none else { break }
                if isExpired(head, now: now) {
                    retire(head, reason: endReason(head), now: now, events: &events)
                    return popFree(preferring: home)
                }
                guard evictable else { break }
                if chances > 0 && requeueIfRefreshed(head, in: list) {
                    chances -= 1
                    continue
                }
                let deadline = deadline(slots + Int(head))
                if deadline < earliest {
                    earliest = deadline
                    victim = head
                }
                break
            }
        }
        guard victim != FlowTable.none else { return FlowTable.none }
        retire(victim, reason: .evicted, now: now, events: &events)
        return popFree(preferring: home)
    }

    /// Moves the head `index` of `list` to its tail when a frame refreshed it after it was put
    /// where it is; true when it moved. Its list time becomes its last use, or the tail's when
    /// that is later, so the list stays ordered.
    @inline(__always)
    private func requeueIfRefreshed(_ index: UInt32, in list: UnsafeMutablePointer<FlowList>) -> Bool {
        let slot = slots + Int(index)
        let tail = list.pointee.tail
        guard slot.pointee.lastSeen > slot.pointee.listTime, tail != index else { return false }
        let listTime = max(slot.pointee.lastSeen, slots[Int(tail)].listTime)
        unlist(index)
        append(index, to: slot.pointee.timeoutClass, now: listTime)
        return true
    }

    /// Why the flow in `index` ends when its time runs out: closed for a finished TCP
    /// connection, expired otherwise.
    @inline(__always)
    func endReason(_ index: UInt32) -> FlowEndReason {
        switch slots[Int(index)].timeoutClass {
        case .tcpTimeWait, .tcpClose: .closed
        default: .expired
        }
    }

    /// Reports the end of the flow in `index` and frees its slot.
    @inline(__always)
    func retire<Events: FlowEventSink>(_ index: UInt32, reason: FlowEndReason, now: UInt64, events: inout Events) {
        end(index, reason: reason, now: now, events: &events)
        release(index)
    }

    /// Reports the end of the flow in `index` and counts it (the slot is left as it is).
    @inline(__always)
    func end<Events: FlowEventSink>(_ index: UInt32, reason: FlowEndReason, now: UInt64, events: inout Events) {
        switch reason {
        case .expired: core.pointee.statistics.expired &+= 1
        case .closed: core.pointee.statistics.closed &+= 1
        case .evicted: core.pointee.statistics.evicted &+= 1
        }
        events.flowEnded(event(index, now: now), reason: reason)
    }

    /// The flow in `index` as an event reports it.
    func event(_ index: UInt32, now: UInt64) -> FlowEvent {
        let slot = slots + Int(index)
        let deadline = deadline(slot)
        return FlowEvent(
            tuple: slot.pointee.key.tuple(from: slot.pointee.originator), creator: slot.pointee.creator,
            remainingTimeout: deadline > now ? deadline - now : 0, tcpState: slot.pointee.tcpState,
            wasEstablished: FlowTable.announced(
                slot.pointee.flags, tcp: slot.pointee.key.ipProtocol == 6))
    }
}
