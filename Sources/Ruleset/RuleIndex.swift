/// Finds the rules that can possibly match a frame without scanning all of them.
///
/// Each rule is filed under one *anchor*: a non-negated term on an address, port or VLAN field,
/// whose values go into a structure keyed by that field:
/// - address fields (MAC, IPv4, IPv6): one hash table per prefix length in use (an exact address
///   is a full-length prefix; a range is split into prefixes), probed longest first, and only
///   those a ``PrefixDirectory`` says can hold a prefix of the value;
/// - integer fields (ports, VLAN id): exact values in a hash table, ranges in a sorted table of
///   elementary segments (binary search).
/// Rules with no good anchor are *unindexed*. For a frame, every structure whose field the frame
/// has yields one sorted list of rule numbers; merging those lists in ascending order and testing
/// each rule fully keeps first-match semantics. A small policy has no structures at all: its
/// unindexed list is every rule, a linear scan.
public struct RuleIndex: @unchecked Sendable {
    /// One hash table of one prefix length for one address field.
    public struct PrefixTable: Sendable {
        public var field: FieldCode
        /// Bits to shift the value right to keep the prefix (`bitWidth - length`).
        public var shift: UInt8
        public var table: FlatHashMap
    }

    /// Exact values of one integer field.
    public struct ExactTable: Sendable {
        public var field: FieldCode
        public var table: FlatHashMap
    }

    /// Elementary segments of one integer field: segment `i` is `bounds[i] ..< bounds[i + 1]`.
    public struct RangeTable: Sendable {
        public var field: FieldCode
        /// `count + 1` ascending boundaries in `boundaryPool`.
        public var bounds: PoolSlice
        /// The rules of each segment, `count` slices in `segmentPool`.
        public var segments: PoolSlice
    }

    public let prefixTables: FlatArray<PrefixTable>
    /// One per address field with prefix tables: which of them a value can hit.
    public let prefixDirectories: FlatArray<PrefixDirectory>
    public let exactTables: FlatArray<ExactTable>
    public let rangeTables: FlatArray<RangeTable>
    public let boundaryPool: FlatArray<UInt128>
    public let segmentPool: FlatArray<PoolSlice>
    /// Rule numbers, ascending within every slice.
    public let rulePool: FlatArray<Int32>
    /// Rules no structure holds: tried for every frame (of a shape they can match).
    public let unindexed: PoolSlice
    /// The unindexed rules by frame shape.
    public let shapes: FrameClassTable

    /// The most rule lists a frame can yield (every structure, plus the unindexed list).
    public var maximumLists: Int { prefixTables.count + exactTables.count + rangeTables.count + 1 }

    init(
        prefixTables: [PrefixTable], prefixDirectories: [PrefixDirectory] = [], exactTables: [ExactTable],
        rangeTables: [RangeTable], boundaryPool: [UInt128],
        segmentPool: [PoolSlice], rulePool: [Int32], unindexed: PoolSlice, shapes: FrameClassTable
    ) {
        self.prefixTables = FlatArray(prefixTables)
        self.prefixDirectories = FlatArray(prefixDirectories)
        self.exactTables = FlatArray(exactTables)
        self.rangeTables = FlatArray(rangeTables)
        self.boundaryPool = FlatArray(boundaryPool)
        self.segmentPool = FlatArray(segmentPool)
        self.rulePool = FlatArray(rulePool)
        self.unindexed = unindexed
        self.shapes = shapes
    }

    /// The rules of the range segment holding `value`, by binary search.
    @inlinable
    public func rangeLookup(_ table: RangeTable, _ value: UInt128) -> PoolSlice {
        let bounds = boundaryPool.base + Int(table.bounds.start)
        let segmentCount = Int(table.segments.count)
        // Find the last boundary <= value among bounds[0 ... segmentCount].
        guard value >= bounds[0], value < bounds[segmentCount] else { return .empty }
        var low = 0
        var high = segmentCount  // invariant: bounds[low] <= value < bounds[high]
        while high - low > 1 {
            let mid = (low + high) >> 1
            if bounds[mid] <= value { low = mid } else { high = mid }
        }
        return segmentPool.base[Int(table.segments.start) + low]
    }

    func deallocate() {
        for i in 0..<prefixTables.count { prefixTables[i].table.deallocate() }
        for i in 0..<exactTables.count { exactTables[i].table.deallocate() }
        for i in 0..<prefixDirectories.count { prefixDirectories[i].deallocate() }
        prefixTables.deallocate()
        prefixDirectories.deallocate()
        exactTables.deallocate()
        rangeTables.deallocate()
        boundaryPool.deallocate()
        segmentPool.deallocate()
        rulePool.deallocate()
        shapes.deallocate()
    }
}
