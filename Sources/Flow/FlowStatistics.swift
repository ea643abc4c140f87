/// The table's counters, as plain numbers: the owning thread reads them, or publishes a copy
/// periodically.
public struct FlowStatistics: Sendable, Equatable {
    /// Flows in the table (including expired ones not yet reclaimed).
    public var inUse: Int = 0
    /// The most flows the table holds.
    public var capacity: Int = 0
    /// Flows created (including restored ones).
    public var created: UInt64 = 0
    /// Flows removed because they were idle too long.
    public var expired: UInt64 = 0
    /// TCP flows removed because their connection was over.
    public var closed: UInt64 = 0
    /// Flows evicted early to make room.
    public var evicted: UInt64 = 0
    /// New flows refused because the table was full and nothing could be evicted.
    public var refusedFull: UInt64 = 0
    /// Frames classified.
    public var lookups: UInt64 = 0
    /// Frames classified `invalid`.
    public var invalid: UInt64 = 0
    /// Flows restored with ``FlowTable/insertEstablished(_:remaining:creator:now:events:)``.
    public var restored: UInt64 = 0
    /// First fragments remembered for their datagram's later fragments.
    public var fragmentsRemembered: UInt64 = 0
    /// Non-first fragments whose first fragment was not seen (classified `invalid`).
    public var fragmentsUnmatched: UInt64 = 0
    /// Commits refused because the table changed after their classify.
    public var staleCommits: UInt64 = 0

    /// All zero.
    public init() {}
}
