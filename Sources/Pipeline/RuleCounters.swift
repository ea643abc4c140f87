import Synchronization

/// Packets and bytes for one rule.
public struct RuleCount: Sendable, Hashable, Codable {
    public var packets: UInt64
    public var bytes: UInt64
    public init(packets: UInt64 = 0, bytes: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
    }

    public static func += (lhs: inout RuleCount, rhs: RuleCount) {
        lhs.packets &+= rhs.packets
        lhs.bytes &+= rhs.bytes
    }
}

/// One thread's counters for one compiled policy: a slot per rule plus one for the default.
///
/// Exactly one forwarding thread writes a block, with relaxed atomic loads and stores (plain
/// `mov`s on x86-64 and arm64: no locked instructions, no shared cache line per frame); any
/// thread may read it for `status` and metrics and sees values at most one frame old.
public final class RuleCounters: @unchecked Sendable {
    /// Two words per slot: packets, then bytes.
    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>
    /// Rules plus the default slot (the last).
    public let count: Int

    /// Counters for `ruleCount` rules and the default.
    public init(ruleCount: Int) {
        count = ruleCount + 1
        words = .allocate(capacity: 2 * count)
        for i in 0..<(2 * count) { (words + i).initialize(to: Atomic(0)) }
    }

    /// The slot of the default verdict.
    @inlinable public var defaultSlot: Int { count - 1 }

    /// Counts one frame of `bytes` bytes in `slot`. Only the owning thread calls this.
    @inlinable @inline(__always)
    public func add(slot: Int, bytes: Int) {
        let packetWord = words + 2 * slot
        packetWord.pointee.store(packetWord.pointee.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        let byteWord = packetWord + 1
        byteWord.pointee.store(byteWord.pointee.load(ordering: .relaxed) &+ UInt64(bytes), ordering: .relaxed)
    }

    /// The current value of one slot.
    public func read(slot: Int) -> RuleCount {
        RuleCount(
            packets: words[2 * slot].load(ordering: .relaxed), bytes: words[2 * slot + 1].load(ordering: .relaxed))
    }

    /// Every slot, rules first, the default last.
    public func snapshot() -> [RuleCount] {
        (0..<count).map { read(slot: $0) }
    }

    deinit {
        words.deinitialize(count: 2 * count)
        words.deallocate()
    }
}
