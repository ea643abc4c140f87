/// A full walk of the table's links, for tests and debugging.
extension FlowTable {
    /// What is wrong with the table's links, in a few words each (empty when sound): every slot
    /// is either on the free list or on exactly one class list and in its hash bucket's chain,
    /// lists are ordered and counted right, and in-use plus free is the capacity. O(capacity).
    public func integrityProblems() -> [String] {
        var problems: [String] = []
        var seen = [UInt8](repeating: 0, count: capacity)
        var listed = 0
        for classIndex in 0..<FlowTimeoutClass.count {
            let list = lists[classIndex]
            var index = list.head
            var previous = FlowTable.none
            var count = 0
            var lastTime: UInt64 = 0
            while index != FlowTable.none {
                guard Int(index) < capacity, seen[Int(index)] == 0 else {
                    problems.append("class \(classIndex): slot \(index) repeated or out of range")
                    break
                }
                seen[Int(index)] = 1
                let slot = slots[Int(index)]
                if slot.previous != previous { problems.append("class \(classIndex): slot \(index) back link") }
                if slot.timeoutClass.rawValue != classIndex { problems.append("slot \(index) on the wrong list") }
                if !slot.flags.contains(.inUse) { problems.append("slot \(index) listed but not in use") }
                if slot.listTime < lastTime { problems.append("class \(classIndex): out of order at \(index)") }
                if find(slot.key, hash: slot.hash) != index { problems.append("slot \(index) not in its bucket") }
                lastTime = slot.listTime
                previous = index
                index = slot.next
                count += 1
            }
            if previous != list.tail { problems.append("class \(classIndex): tail") }
            if count != list.count { problems.append("class \(classIndex): count \(list.count), walked \(count)") }
            listed += count
        }
        if listed != core.pointee.inUse { problems.append("in use \(core.pointee.inUse), listed \(listed)") }
        var free = 0
        var index = core.pointee.freeHead
        var previousFree = FlowTable.none
        while index != FlowTable.none {
            guard Int(index) < capacity, seen[Int(index)] == 0 else {
                problems.append("free list: slot \(index) repeated, listed or out of range")
                break
            }
            seen[Int(index)] = 2
            if slots[Int(index)].flags.contains(.inUse) { problems.append("free slot \(index) marked in use") }
            if slots[Int(index)].previous != previousFree { problems.append("free slot \(index) back link") }
            free += 1
            previousFree = index
            index = slots[Int(index)].next
        }
        if listed + free != capacity { problems.append("\(listed) listed + \(free) free != capacity \(capacity)") }
        return problems
    }

    /// Slots on the free list.
    public var freeCount: Int {
        var count = 0
        var index = core.pointee.freeHead
        while index != FlowTable.none && count <= capacity {
            count += 1
            index = slots[Int(index)].next
        }
        return count
    }
}
