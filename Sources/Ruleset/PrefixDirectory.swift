/// Which prefix tables of one address field can hold an entry for a value, by the value's top
/// 16 bits: a frame probes only those tables instead of every prefix length in use.
///
/// A large blocklist spreads over several prefix lengths (a /32 table, a /24 table, ...), and a
/// frame would otherwise pay one hash probe per length, although most traffic falls under no
/// listed prefix at all. The directory is DPDK LPM's first-level table reduced to a bit mask:
/// entry `value >> shift` has bit `i` set when table `firstTable + i` holds a prefix inside (or
/// covering) that /16. 65,536 masks per field; traffic touches few of them, so they stay cached.
public struct PrefixDirectory: Sendable {
    public var field: FieldCode
    /// `bitWidth - 16`: keeps the top 16 bits of the field's value.
    public var shift: UInt8
    /// The field's tables: `prefixTables[firstTable ..< firstTable + tableCount]`, longest first.
    public var firstTable: Int32
    public var tableCount: Int32
    /// 65,536 masks.
    public var masks: FlatArray<UInt64>

    /// The entries under each /16 for up to 64 tables of one field (in their index order; a field
    /// with more prefix lengths gets one directory per 64 of them).
    /// - Parameter prefixes: per table, its prefix length and its entries' values (shifted right
    ///   to the prefix, as the table's keys are).
    init(field: FieldCode, bitWidth: Int, firstTable: Int, prefixes: [(length: Int, values: [UInt128])]) {
        self.field = field
        self.shift = UInt8(bitWidth - 16)
        self.firstTable = Int32(firstTable)
        self.tableCount = Int32(prefixes.count)
        precondition(prefixes.count <= 64, "a directory covers at most 64 tables")
        var rows = [UInt64](repeating: 0, count: 1 << 16)
        for (table, prefix) in prefixes.enumerated() {
            let bit = UInt64(1) << UInt64(table)
            for value in prefix.values {
                if prefix.length >= 16 {
                    rows[Int(truncatingIfNeeded: value >> (prefix.length - 16))] |= bit
                } else {
                    // A prefix shorter than 16 bits covers a run of /16s.
                    let span = 16 - prefix.length
                    let first = Int(truncatingIfNeeded: value) << span
                    for row in first..<(first + (1 << span)) { rows[row] |= bit }
                }
            }
        }
        masks = FlatArray(rows)
    }

    /// The tables (bit `i`: table `firstTable + i`) that may hold a prefix of `value`.
    @inlinable @inline(__always)
    public func candidates(_ value: UInt128) -> UInt64 {
        masks.base[Int(truncatingIfNeeded: value >> shift)]
    }

    func deallocate() { masks.deallocate() }
}
