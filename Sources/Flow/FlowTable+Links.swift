/// The table's links: bucket chains, timeout-class lists and the free list. Each operation is
/// O(1) except unchaining, which walks one bucket's chain (on average about one slot).
extension FlowTable {
    /// Appends `index` to `timeoutClass`'s list at time `now`.
    @inline(__always)
    func append(_ index: UInt32, to timeoutClass: FlowTimeoutClass, now: UInt64) {
        let list = lists + Int(timeoutClass.rawValue)
        let slot = slots + Int(index)
        slot.pointee.timeoutClass = timeoutClass
        slot.pointee.listTime = now
        slot.pointee.next = FlowTable.none
        slot.pointee.previous = list.pointee.tail
        if list.pointee.tail == FlowTable.none {
            list.pointee.head = index
        } else {
            slots[Int(list.pointee.tail)].next = index
        }
        list.pointee.tail = index
        list.pointee.count &+= 1
    }

    /// Takes `index` off its class list.
    @inline(__always)
    func unlist(_ index: UInt32) {
        let slot = slots + Int(index)
        let list = lists + Int(slot.pointee.timeoutClass.rawValue)
        let previous = slot.pointee.previous
        let next = slot.pointee.next
        if previous == FlowTable.none { list.pointee.head = next } else { slots[Int(previous)].next = next }
        if next == FlowTable.none { list.pointee.tail = previous } else { slots[Int(next)].previous = previous }
        list.pointee.count &-= 1
    }

    /// A frame refreshed the flow in `index` at `now`, and it now belongs in `timeoutClass`.
    @inline(__always)
    func touch(_ index: UInt32, class timeoutClass: FlowTimeoutClass, now: UInt64) {
        let slot = slots + Int(index)
        if now > slot.pointee.lastSeen { slot.pointee.lastSeen = now }
        if timeoutClass != slot.pointee.timeoutClass {
            unlist(index)
            append(index, to: timeoutClass, now: now)
            return
        }
        let listTime = slot.pointee.listTime
        if now > listTime && now &- listTime >= lists[Int(timeoutClass.rawValue)].granularity
            && lists[Int(timeoutClass.rawValue)].tail != index
        {
            unlist(index)
            append(index, to: timeoutClass, now: now)
        }
    }

    /// Puts `index` at the head of its hash bucket's chain.
    @inline(__always)
    func chain(_ index: UInt32, hash: UInt32) {
        let home = slots + Int(self.home(hash))
        slots[Int(index)].hash = hash
        slots[Int(index)].hashNext = home.pointee.bucketHead
        home.pointee.bucketHead = index
    }

    /// Takes `index` out of its hash bucket's chain.
    @inline(__always)
    func unchain(_ index: UInt32) {
        let slot = slots + Int(index)
        let home = slots + Int(self.home(slot.pointee.hash))
        if home.pointee.bucketHead == index {
            home.pointee.bucketHead = slot.pointee.hashNext
        } else {
            var previous = home.pointee.bucketHead
            while slots[Int(previous)].hashNext != index { previous = slots[Int(previous)].hashNext }
            slots[Int(previous)].hashNext = slot.pointee.hashNext
        }
        slot.pointee.hashNext = FlowTable.none
    }

    /// A slot from the (doubly linked) free list, `home` when it is free, or ``none``.
    @inline(__always)
    func popFree(preferring home: UInt32) -> UInt32 {
        let index = slots[Int(home)].flags.contains(.inUse) ? core.pointee.freeHead : home
        guard index != FlowTable.none else { return index }
        let slot = slots + Int(index)
        let previous = slot.pointee.previous
        let next = slot.pointee.next
        if previous == FlowTable.none { core.pointee.freeHead = next } else { slots[Int(previous)].next = next }
        if next != FlowTable.none { slots[Int(next)].previous = previous }
        core.pointee.inUse &+= 1
        return index
    }

    /// Removes the flow in `index` entirely (chain, list) and returns the slot to the free list.
    @inline(__always)
    func release(_ index: UInt32) {
        unlist(index)
        unchain(index)
        let slot = slots + Int(index)
        slot.pointee.flags = []
        let head = core.pointee.freeHead
        slot.pointee.next = head
        slot.pointee.previous = FlowTable.none
        if head != FlowTable.none { slots[Int(head)].previous = index }
        core.pointee.freeHead = index
        core.pointee.inUse &-= 1
    }
}
