/// An open-addressing hash map from 128-bit keys to pool slices, frozen after construction.
///
/// Used for exact-value sets (membership) and for the rule index (value → the rules anchored on
/// it). Linear probing over a power-of-two table kept at most half full; a slot with
/// `count == 0` is empty, so every stored value has `count >= 1`.
public struct FlatHashMap: @unchecked Sendable {
    public struct Slot: Sendable {
        public var key: UInt128
        public var value: PoolSlice
    }

    public let slots: FlatArray<Slot>
    public let mask: Int

    /// Builds the map; later duplicates of a key replace earlier ones.
    public init(_ entries: [(key: UInt128, value: PoolSlice)]) {
        var capacity = 8
        while capacity < entries.count * 2 { capacity <<= 1 }
        var table = [Slot](repeating: Slot(key: 0, value: .empty), count: capacity)
        let mask = capacity - 1
        for entry in entries {
            precondition(entry.value.count > 0, "FlatHashMap values must be non-empty")
            var index = Int(truncatingIfNeeded: FlatHashMap.hash(entry.key)) & mask
            while table[index].value.count != 0 && table[index].key != entry.key {
                index = (index + 1) & mask
            }
            table[index] = Slot(key: entry.key, value: entry.value)
        }
        self.slots = FlatArray(table)
        self.mask = mask
    }

    /// Mixes both halves of the key (splitmix64 finaliser).
    @inlinable @inline(__always)
    public static func hash(_ key: UInt128) -> UInt64 {
        var x = UInt64(truncatingIfNeeded: key) ^ (UInt64(truncatingIfNeeded: key >> 64) &* 0x9E37_79B9_7F4A_7C15)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    /// The slice stored for `key`, or an empty slice.
    @inlinable
    public func lookup(_ key: UInt128) -> PoolSlice {
        var index = Int(truncatingIfNeeded: FlatHashMap.hash(key)) & mask
        while true {
            let slot = slots.base[index]
            if slot.value.count == 0 { return .empty }
            if slot.key == key { return slot.value }
            index = (index + 1) & mask
        }
    }

    public func deallocate() { slots.deallocate() }
}
