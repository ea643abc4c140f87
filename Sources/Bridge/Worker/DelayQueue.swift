/// Frames held by `forward delay D [jitter J]`, copied out of the RX ring into preallocated
/// slots and sent when due.
///
/// Bounded: `capacity` slots of `slotSize` bytes, allocated once; a frame that finds no free slot
/// (or is larger than a slot) is refused and the caller counts the overflow. Order is kept per
/// rule: a frame is never due before an earlier frame of the same rule. Due frames come out in
/// (due time, arrival) order. No allocation after `init`.
public final class DelayQueue {
    /// A held frame's bookkeeping.
    public struct Entry {
        public var due: UInt64
        public var sequence: UInt64
        public var slot: Int32
        public var length: Int32
        /// The port the frame leaves by.
        public var egress: UInt8
        /// Send attempts allowed after the first fails for lack of room.
        public var retries: UInt8
        /// The rule that decided (-1: default), for per-rule order.
        public var rule: Int32
    }

    public let capacity: Int
    public let slotSize: Int
    private let storage: UnsafeMutableRawPointer
    private let heap: UnsafeMutablePointer<Entry>
    private var heapCount = 0
    private let freeSlots: UnsafeMutablePointer<Int32>
    private var freeCount: Int
    private var sequence: UInt64 = 0
    /// Latest due time handed out per rule (index rule + 1; slot 0 is the default).
    private var lastDue: UnsafeMutablePointer<UInt64>
    private var lastDueCount: Int

    /// Frames held now.
    public var count: Int { heapCount }

    public init(capacity: Int, slotSize: Int) {
        precondition(capacity > 0 && slotSize > 0)
        self.capacity = capacity
        self.slotSize = slotSize
        storage = .allocate(byteCount: capacity * slotSize, alignment: 64)
        heap = .allocate(capacity: capacity)
        freeSlots = .allocate(capacity: capacity)
        for i in 0..<capacity { freeSlots[i] = Int32(capacity - 1 - i) }
        freeCount = capacity
        lastDueCount = 1
        lastDue = .allocate(capacity: 1)
        lastDue[0] = 0
    }

    deinit {
        storage.deallocate()
        heap.deallocate()
        freeSlots.deallocate()
        lastDue.deallocate()
    }

    /// Makes room to keep order for `ruleCount` rules (call on each policy swap, not per frame).
    public func prepare(ruleCount: Int) {
        guard ruleCount + 1 > lastDueCount else { return }
        let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: ruleCount + 1)
        grown.initialize(repeating: 0, count: ruleCount + 1)
        grown.update(from: lastDue, count: lastDueCount)
        lastDue.deallocate()
        lastDue = grown
        lastDueCount = ruleCount + 1
    }

    /// Copies `frame` in to leave at `due` (nanoseconds, monotonic clock). False when full or
    /// when the frame does not fit a slot: the caller counts an overflow.
    public func hold(
        _ frame: UnsafeRawBufferPointer, due: UInt64, egress: UInt8, retries: UInt8, rule: Int32
    ) -> Bool {
        guard freeCount > 0, frame.count <= slotSize, let source = frame.baseAddress else { return false }
        let orderSlot = Int(rule) + 1
        var when = due
        if orderSlot >= 0 && orderSlot < lastDueCount {
            if when < lastDue[orderSlot] { when = lastDue[orderSlot] }
            lastDue[orderSlot] = when
        }
        freeCount -= 1
        let slot = freeSlots[freeCount]
        (storage + Int(slot) * slotSize).copyMemory(from: source, byteCount: frame.count)
        sequence &+= 1
        push(
            Entry(
                due: when, sequence: sequence, slot: slot, length: Int32(frame.count), egress: egress, retries: retries,
                rule: rule))
        return true
    }

    /// When the earliest held frame is due, or nil when nothing is held.
    public var nextDue: UInt64? { heapCount > 0 ? heap[0].due : nil }

    /// The earliest held frame if it is due at `now`, without removing it.
    public func peekDue(now: UInt64) -> Entry? {
        guard heapCount > 0, heap[0].due <= now else { return nil }
        return heap[0]
    }

    /// The earliest held frame regardless of time (for flushing at exit).
    public func peek() -> Entry? { heapCount > 0 ? heap[0] : nil }

    /// The bytes of a held frame.
    public func bytes(of entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + Int(entry.slot) * slotSize, count: Int(entry.length))
    }

    /// Removes the earliest frame (after it was sent or given up) and frees its slot.
    public func removeFirst() {
        guard heapCount > 0 else { return }
        freeSlots[freeCount] = heap[0].slot
        freeCount += 1
        heapCount -= 1
        if heapCount > 0 {
            heap[0] = heap[heapCount]
            siftDown(0)
        }
    }

    private func less(_ a: Entry, _ b: Entry) -> Bool {
        a.due != b.due ? a.due < b.due : a.sequence < b.sequence
    }

    private func push(_ entry: Entry) {
        var i = heapCount
        heap[i] = entry
        heapCount += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !less(heap[i], heap[parent]) { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1
            if left >= heapCount { return }
            var smallest = left
            if left + 1 < heapCount && less(heap[left + 1], heap[left]) { smallest = left + 1 }
            if !less(heap[smallest], heap[i]) { return }
            heap.swapAt(i, smallest)
            i = smallest
        }
    }
}

extension UnsafeMutablePointer {
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
