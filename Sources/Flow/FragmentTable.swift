/// One remembered first fragment: its datagram's key and the state it got.
struct FragmentEntry {
    var source: UInt128
    var destination: UInt128
    /// When the entry stops answering (0: empty).
    var expires: UInt64
    var identification: UInt32
    /// Protocol (IPv4; 0 for IPv6), outer and inner VLAN ids, see ``FragmentTable/meta``.
    var meta: UInt32
    /// The flow the first fragment belonged to (may have gone since: check before counting).
    var slot: UInt32
    var state: CTState
    /// 0 original, 1 reply, 0xff none.
    var direction: UInt8
}

/// A small fixed-size, 4-way set-associative table of first fragments, so a datagram's later
/// fragments (which carry no ports) get the state and direction its first fragment got.
///
/// Keyed by addresses in the frame's order, VLANs, the IP identification and, for IPv4, the
/// protocol (an IPv6 Fragment header's identification is unique per address pair). A new entry
/// takes an empty or expired way, else the way that expires first: under a flood of fragments
/// the oldest datagrams lose their memory, and their later fragments are `invalid`.
struct FragmentTable {
    let entries: UnsafeMutablePointer<FragmentEntry>
    let setMask: Int
    static let ways = 4

    /// Room for about `capacity` first fragments (rounded up to a power of two).
    init(capacity: Int) {
        var count = FragmentTable.ways
        while count < capacity { count <<= 1 }
        entries = .allocate(capacity: count)
        entries.initialize(
            repeating: FragmentEntry(
                source: 0, destination: 0, expires: 0, identification: 0, meta: 0, slot: FlowTable.none,
                state: .invalid, direction: 0xff),
            count: count)
        setMask = count / FragmentTable.ways - 1
    }

    func deallocate() {
        entries.deinitialize(count: (setMask + 1) * FragmentTable.ways)
        entries.deallocate()
    }

    var memoryBytes: Int { (setMask + 1) * FragmentTable.ways * MemoryLayout<FragmentEntry>.stride }

    /// Protocol and VLANs in one word.
    @inline(__always)
    static func meta(protocol proto: UInt8, outerVLAN: UInt16, innerVLAN: UInt16) -> UInt32 {
        UInt32(proto) << 24 | UInt32(outerVLAN & 0x0fff) << 12 | UInt32(innerVLAN & 0x0fff)
    }

    @inline(__always)
    func set(_ hash: UInt32) -> UnsafeMutablePointer<FragmentEntry> {
        entries + (Int(hash) & setMask) * FragmentTable.ways
    }

    @inline(__always)
    static func matches(
        _ entry: UnsafeMutablePointer<FragmentEntry>, _ source: UInt128, _ destination: UInt128,
        _ identification: UInt32,
        _ meta: UInt32
    ) -> Bool {
        entry.pointee.identification == identification && entry.pointee.meta == meta
            && entry.pointee.source == source && entry.pointee.destination == destination
    }

    /// The live entry for this datagram, or nil.
    @inline(__always)
    func find(
        source: UInt128, destination: UInt128, identification: UInt32, meta: UInt32, hash: UInt32, now: UInt64
    ) -> UnsafeMutablePointer<FragmentEntry>? {
        let set = set(hash)
        for way in 0..<FragmentTable.ways {
            let entry = set + way
            if entry.pointee.expires > now && FragmentTable.matches(entry, source, destination, identification, meta) {
                return entry
            }
        }
        return nil
    }

    /// Remembers a first fragment's state until `expires`.
    @inline(__always)
    func remember(
        source: UInt128, destination: UInt128, identification: UInt32, meta: UInt32, hash: UInt32, expires: UInt64,
        now: UInt64, slot: UInt32, state: CTState, direction: UInt8
    ) {
        let set = set(hash)
        var chosen = set
        for way in 0..<FragmentTable.ways {
            let entry = set + way
            if FragmentTable.matches(entry, source, destination, identification, meta) || entry.pointee.expires <= now {
                chosen = entry
                break
            }
            if entry.pointee.expires < chosen.pointee.expires { chosen = entry }
        }
        chosen.pointee = FragmentEntry(
            source: source, destination: destination, expires: expires, identification: identification, meta: meta,
            slot: slot, state: state, direction: direction)
    }
}
