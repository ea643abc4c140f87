/// One-bit facts about a flow.
struct FlowFlags: OptionSet {
    let rawValue: UInt8

    /// Protected from early eviction: the handshake completed (TCP), or the flow was answered
    /// and lived past its first 2 s (UDP), or was answered at all (other protocols).
    static let assured = FlowFlags(rawValue: 1 << 0)
    /// A frame from the responder was seen.
    static let seenReply = FlowFlags(rawValue: 1 << 1)
    /// A TCP flow created by a bare ACK (loose pickup) rather than a SYN.
    static let pickedUp = FlowFlags(rawValue: 1 << 2)
    /// The originator is the key's high side.
    static let originatorHigh = FlowFlags(rawValue: 1 << 3)
    /// The first FIN came from the responder.
    static let firstFinReply = FlowFlags(rawValue: 1 << 4)
    /// Both sides sent a SYN.
    static let simultaneousOpen = FlowFlags(rawValue: 1 << 5)
    /// Put back from the kernel's set after a restart.
    static let restored = FlowFlags(rawValue: 1 << 6)
    /// The slot holds a flow (clear on the free list).
    static let inUse = FlowFlags(rawValue: 1 << 7)
}

/// One flow's entry in the table's slot pool: 128 bytes, two cache lines. The first line holds
/// everything a lookup reads (key, state, flags, class, hash, chain link, last use, and the
/// head of the hash chain of the flows whose home this slot is); the second what only a commit
/// needs (list links, times, counters).
struct FlowSlot {
    /// The flow's key.
    var key: FlowKey
    /// The TCP state (`.none` for other protocols).
    var tcpState: TCPState
    /// See ``FlowFlags``.
    var flags: FlowFlags
    /// The list the flow is on.
    var timeoutClass: FlowTimeoutClass
    /// The key's hash, compared before the key.
    var hash: UInt32
    /// The next slot in this bucket's chain.
    var hashNext: UInt32
    /// The first slot of the chain of flows whose home is this slot (``none`` when empty). It
    /// belongs to the position, not to the flow in it: the table has no bucket array, so a
    /// lookup reads the chain's head in the same cache line as its home slot, and the table
    /// costs exactly 128 bytes per flow. Never copied or cleared with the flow.
    var bucketHead: UInt32
    /// When a frame last refreshed it; its deadline is `lastSeen + timeout(class)`.
    var lastSeen: UInt64
    /// The previous slot in this flow's timeout-class list, or in the free list.
    var previous: UInt32
    /// The next slot in this flow's timeout-class list, or in the free list.
    var next: UInt32
    /// The creator the caller passed when the flow was created.
    var creator: UInt32
    /// When the flow was created (ns, the caller's monotonic clock).
    var created: UInt64
    /// When it was last put at the tail of its class list (lists are ordered by this).
    var listTime: UInt64
    /// Frames from the originator.
    var framesOriginal: UInt64
    /// Frames from the responder.
    var framesReply: UInt64
    /// Bytes from the originator.
    var bytesOriginal: UInt64
    /// Bytes from the responder.
    var bytesReply: UInt64

    /// The side of the key that sent the first frame.
    @inline(__always) var originator: FlowSide { flags.contains(.originatorHigh) ? .high : .low }

    /// An empty slot.
    static let empty = FlowSlot(
        key: FlowKey(
            lowAddress: 0, highAddress: 0, lowPort: 0, highPort: 0, ipProtocol: 0, family: .ipv4, outerVLAN: 0,
            innerVLAN: 0),
        tcpState: .none, flags: [], timeoutClass: .genericUnreplied, hash: 0, hashNext: FlowTable.none,
        bucketHead: FlowTable.none, lastSeen: 0,
        previous: FlowTable.none, next: FlowTable.none, creator: 0, created: 0, listTime: 0, framesOriginal: 0,
        framesReply: 0, bytesOriginal: 0, bytesReply: 0)
}

/// One timeout class's list: slots ordered by `listTime`, oldest at the head.
struct FlowList {
    var head: UInt32
    var tail: UInt32
    var count: Int
    /// The class's timeout, ns.
    var timeout: UInt64
    /// A touch moves a flow to the tail only when it has been this long since the last move
    /// (nf_conntrack likewise rewrites a timeout only when it changes by at least a jiffy-second):
    /// frames of a busy flow then cost no list writes. Expiry may reclaim a flow up to this late;
    /// lookups are exact.
    var granularity: UInt64
}

/// The table's mutable scalars, in one allocation (no class-property exclusivity checks per frame).
struct FlowTableCore {
    var freeHead: UInt32
    var inUse: Int
    /// Bumped by every change; a lookup from before a change may not be committed.
    var epoch: UInt64
    var strictPickup: Bool
    var fragmentTimeout: UInt64
    /// The class ``FlowTable/expire(now:budget:events:)`` starts with (rotates, so a budget
    /// that runs out in one class does not starve the others).
    var expireCursor: Int
    var statistics: FlowStatistics
    /// The latest (biased) time the table was given: time never goes back for it (a capture's
    /// out-of-order timestamp, a caller's mistake), since its lists are ordered by time.
    var latest: UInt64 = 0
}
