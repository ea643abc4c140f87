import Answers
import Frame

/// How a term tests its field's value.
public enum TermTest: UInt8, Sendable {
    /// A field of at most 64 bits in one interval: `value - lo <= hi` in 64-bit arithmetic,
    /// with `hi` holding the interval's span (the common case, tested before any switch).
    case narrowInterval
    /// `lo <= value <= hi` (a single value, a prefix or a range) on a wide field.
    case interval
    /// A field of at most 64 bits in one of a few intervals: `narrowPool[start ..< start + count]`.
    case narrowList
    /// The value lies in one of the intervals `intervalPool[start ..< start + count]` (few values).
    case intervalList
    /// The value lies in one of the sorted, disjoint intervals of the pool slice (binary search).
    case sortedIntervals
    /// The value is a key of `hashSets[start]` (many exact values).
    case exactHash
    /// Every bit of `lo` is set in the value (`tcp flags syn`).
    case allBits
    /// For one of the masks `intervalPool[start ..< start + count].lo`, every bit is set.
    case anyAllBits
    /// The BPF program `bpfPrograms[start]` accepts the frame.
    case bpf
    /// The token bucket (or meter) `limits[start]` lets the frame through (or, `over`, does not).
    case limit
    /// The quota `quotas[start]` still has room for the frame (or, `over`, has run out).
    case quota
    /// The field's value is held by the dynamic set `dynamicSets[start]` (not expired).
    case setMember
    /// `add @set { FIELD }`: the value goes into `dynamicSets[start]` if absent (with the
    /// timeout `lo` when `hi` is 1); holds unless the set is full.
    case setAdd
    /// `update @set { FIELD }`: as `setAdd`, and a held value's expiry moves.
    case setUpdate

    /// The test keeps state from frame to frame: it runs after the rule's other terms, only for
    /// frames they let through.
    @inlinable public var isStateful: Bool {
        self == .limit || self == .quota || self == .setAdd || self == .setUpdate
    }

    /// The test reads its term's field from the field vector.
    @inlinable public var readsField: Bool { self != .bpf && self != .limit && self != .quota }
}

/// One compiled condition of a rule's `match` line.
///
/// Equal terms hold when the frame has the field and the test passes; negated terms hold when the
/// frame lacks the field or the test fails (the policy language's semantics).
public struct Term: Sendable {
    public var field: FieldCode
    public var test: TermTest
    public var negated: Bool
    public var lo: UInt128
    public var hi: UInt128
    public var slice: PoolSlice

    public init(
        field: FieldCode, test: TermTest, negated: Bool, lo: UInt128 = 0, hi: UInt128 = 0, slice: PoolSlice = .empty
    ) {
        self.field = field
        self.test = test
        self.negated = negated
        self.lo = lo
        self.hi = hi
        self.slice = slice
    }
}

/// The verdict as the hot path sees it.
public enum VerdictCode: UInt8, Sendable {
    case forward = 0
    case drop = 1
    case reflect = 2
    case reflectForward = 3
    /// Dropped, and the sender answered (``CompiledRule/answer``).
    case reject = 4

    /// The frame goes out of the other port.
    @inlinable public var forwards: Bool { self == .forward || self == .reflectForward }
    /// The frame goes to the host port.
    @inlinable public var reflects: Bool { self == .reflect || self == .reflectForward }
}

/// A statement as the hot path runs it.
public enum Action: Sendable {
    /// Rewrite a header field.
    case rewrite(FieldRewrite)
    /// Lower the TCP MSS option to the MTU of the port the frame leaves by, less the IP and TCP
    /// headers (`tcp option maxseg size set rt mtu`).
    case segmentSizeToMTU
    /// Emit a log line; the index names the prefix in ``CompiledPolicy/logPrefixes``.
    case log(Int32)
    /// Append a copy to a pcap file; the index names it in ``CompiledPolicy/captureFiles``.
    case capture(Int32)
    /// Copy the frame as received to a monitor interface in ``CompiledPolicy/mirrorInterfaces``.
    case mirror(Int32)
}

/// One compiled rule: where its terms and actions are, and its verdict with options, or where
/// evaluation goes on when it does not decide.
public struct CompiledRule: Sendable {
    public var terms: PoolSlice
    public var actions: PoolSlice
    public var verdict: VerdictCode
    /// The named rule it comes from (its counters and name, the decision's rule), or -1 for a
    /// rule the inlining of chains added.
    public var slot: Int32 = -1
    /// When it matches without deciding: evaluation goes on at the first matching rule
    /// numbered at least this; -1: the rule decides.
    public var next: Int32 = -1
    /// Matches are counted into ``slot`` (not for a verdict map's elements).
    public var counts = true
    /// The rule has a rewrite: the frame's fields must be read again before going on.
    public var rewrites = false
    /// The segment the rule lies in (see ``Policy/FlatRule/segment``): it is eligible while the
    /// segment evaluation is in lies within `segmentLow ..< segmentHigh`.
    public var segmentLow: Int32 = 0
    public var segmentHigh: Int32 = .max
    /// For a rule that enters a segment (a jump): its bounds; `entersHigh` 0 for none.
    public var entersLow: Int32 = 0
    public var entersHigh: Int32 = 0
    /// Send attempts after the first one fails for lack of room.
    public var retries: UInt8
    /// The rule has `log`, `pcap` or `mirror` statements.
    public var hasEffects: Bool
    /// Hold time before sending, nanoseconds (0: send at once).
    public var delayNanoseconds: UInt64
    /// How far the hold time varies either side of the delay.
    public var jitterNanoseconds: UInt64
    /// Fields the rule's equal (non-negated) terms need: a frame lacking any of them cannot
    /// match, so the rule is skipped with one mask test.
    public var requiredFields: UInt64 = 0
    /// What a `reject` answers with (unused by other verdicts).
    public var answer: RejectKind = .automatic
}
