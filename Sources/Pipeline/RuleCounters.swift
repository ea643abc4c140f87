import Synchronization

/// Packets and bytes for one rule, and for a `reject` rule its answers.
public struct RuleCount: Sendable, Hashable, Codable {
    public var packets: UInt64
    public var bytes: UInt64
    /// Answers sent (resets and ICMP errors).
    public var answers: UInt64
    /// Answers the answer rate held back.
    public var answersSuppressed: UInt64
    /// Rejected frames that are never answered (ICMP errors, broadcasts, fragments, ...).
    public var unanswered: UInt64

    public init(
        packets: UInt64 = 0, bytes: UInt64 = 0, answers: UInt64 = 0, answersSuppressed: UInt64 = 0,
        unanswered: UInt64 = 0
    ) {
        self.packets = packets
        self.bytes = bytes
        self.answers = answers
        self.answersSuppressed = answersSuppressed
        self.unanswered = unanswered
    }

    public static func += (lhs: inout RuleCount, rhs: RuleCount) {
        lhs.packets &+= rhs.packets
        lhs.bytes &+= rhs.bytes
        lhs.answers &+= rhs.answers
        lhs.answersSuppressed &+= rhs.answersSuppressed
        lhs.unanswered &+= rhs.unanswered
    }
}

/// One thread's counters for one compiled policy: a slot per rule plus one for the default.
///
/// Exactly one forwarding thread writes a block, with relaxed atomic loads and stores (plain
/// `mov`s on x86-64 and arm64: no locked instructions, no shared cache line per frame); any
/// thread may read it for `status` and metrics and sees values at most one frame old.
public final class RuleCounters: @unchecked Sendable {
    /// Words per slot: packets, bytes, answers, suppressed answers, unanswered rejects.
    @usableFromInline static let stride = 5
    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>
    /// Rules plus the default slot (the last).
    public let count: Int

    /// Counters for `ruleCount` rules and the default.
    public init(ruleCount: Int) {
        count = ruleCount + 1
        words = .allocate(capacity: Self.stride * count)
        for i in 0..<(Self.stride * count) { (words + i).initialize(to: Atomic(0)) }
    }

    /// The slot of the default verdict.
    @inlinable public var defaultSlot: Int { count - 1 }

    /// Counts one frame of `bytes` bytes in `slot`. Only the owning thread calls this.
    @inlinable @inline(__always)
    public func add(slot: Int, bytes: Int) {
        let packetWord = words + Self.stride * slot
        packetWord.pointee.store(packetWord.pointee.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        let byteWord = packetWord + 1
        byteWord.pointee.store(byteWord.pointee.load(ordering: .relaxed) &+ UInt64(bytes), ordering: .relaxed)
    }

    /// What became of a rejected frame's answer.
    public enum AnswerFate: Int, Sendable {
        case sent = 2
        case suppressed = 3
        case unanswered = 4
    }

    /// Counts one rejected frame's answer in `slot`. Only the owning thread calls this.
    @inlinable @inline(__always)
    public func add(slot: Int, answer fate: AnswerFate) {
        let word = words + Self.stride * slot + fate.rawValue
        word.pointee.store(word.pointee.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// The current value of one slot.
    public func read(slot: Int) -> RuleCount {
        let base = Self.stride * slot
        return RuleCount(
            packets: words[base].load(ordering: .relaxed), bytes: words[base + 1].load(ordering: .relaxed),
            answers: words[base + 2].load(ordering: .relaxed),
            answersSuppressed: words[base + 3].load(ordering: .relaxed),
            unanswered: words[base + 4].load(ordering: .relaxed))
    }

    /// Every slot, rules first, the default last.
    public func snapshot() -> [RuleCount] {
        (0..<count).map { read(slot: $0) }
    }

    deinit {
        words.deinitialize(count: Self.stride * count)
        words.deallocate()
    }
}
