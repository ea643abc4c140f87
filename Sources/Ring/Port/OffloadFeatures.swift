import CLinuxShim
import Glibc
import Platform

/// The offload settings of one interface, read and written through ETHTOOL_GFEATURES /
/// ETHTOOL_SFEATURES by feature name (the names `ethtool -k` prints).
///
/// Features are switched by their *requested* bit, and only those that can be changed; so a
/// restore puts back exactly what was requested before, dependent features included.
struct OffloadFeatures {
    /// Features that make the kernel hand over or send frames larger than the MTU: receive
    /// coalescing (GRO, hardware GRO, LRO) and segmentation offloads (GSO, and every TCP
    /// segmentation variant: TSO, TSO6, ECN, mangle-ID, AccECN), which `ethtool -k` shows
    /// together as "tcp-segmentation-offload".
    static func isCoalescing(_ name: String) -> Bool {
        ["rx-gro", "rx-gro-hw", "rx-lro", "tx-generic-segmentation"].contains(name)
            || (name.hasPrefix("tx-tcp") && name.hasSuffix("segmentation"))
    }

    /// One 32-bit block of ETHTOOL_GFEATURES.
    struct Block {
        var available: UInt32
        var requested: UInt32
        var active: UInt32
        var neverChanged: UInt32
    }

    let interface: String
    /// Feature name -> bit number.
    let bits: [String: Int]
    var blocks: [Block]

    /// Reads the interface's feature names and current state.
    init(interface: String, control: InterfaceControl) throws(Errno) {
        self.interface = interface
        let names = try Self.featureNames(interface: interface, control: control)
        var bits: [String: Int] = [:]
        for (bit, name) in names.enumerated() { bits[name] = bit }
        self.bits = bits
        self.blocks = try Self.readBlocks(interface: interface, control: control, count: (names.count + 31) / 32)
    }

    /// Whether feature `bit` is requested / active / changeable.
    func isRequested(_ bit: Int) -> Bool { blocks[bit / 32].requested & (1 << UInt32(bit % 32)) != 0 }
    func isActive(_ bit: Int) -> Bool { blocks[bit / 32].active & (1 << UInt32(bit % 32)) != 0 }
    func isChangeable(_ bit: Int) -> Bool { blocks[bit / 32].available & (1 << UInt32(bit % 32)) != 0 }

    /// Requests each feature in `changes` on (true) or off (false), leaving all others alone.
    func request(_ changes: [Int: Bool], control: InterfaceControl) throws(Errno) {
        guard !changes.isEmpty else { return }
        let count = blocks.count
        let header = MemoryLayout<ethtool_sfeatures>.size
        let stride = MemoryLayout<ethtool_set_features_block>.stride
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: header + count * stride, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        buffer.storeBytes(of: UInt32(ETHTOOL_SFEATURES), toByteOffset: 0, as: UInt32.self)
        buffer.storeBytes(of: UInt32(count), toByteOffset: 4, as: UInt32.self)
        for (bit, on) in changes {
            let offset = header + bit / 32 * stride
            let mask: UInt32 = 1 << UInt32(bit % 32)
            let valid = buffer.load(fromByteOffset: offset, as: UInt32.self) | mask
            var requested = buffer.load(fromByteOffset: offset + 4, as: UInt32.self)
            requested = on ? requested | mask : requested & ~mask
            buffer.storeBytes(of: valid, toByteOffset: offset, as: UInt32.self)
            buffer.storeBytes(of: requested, toByteOffset: offset + 4, as: UInt32.self)
        }
        try control.ethtool(interface, buffer)
    }

    /// The `ETH_SS_FEATURES` string set: feature names in bit order.
    private static func featureNames(interface: String, control: InterfaceControl) throws(Errno) -> [String] {
        let infoHeader = MemoryLayout<ethtool_sset_info>.size
        let info = UnsafeMutableRawBufferPointer.allocate(byteCount: infoHeader + 4, alignment: 8)
        defer { info.deallocate() }
        info.initializeMemory(as: UInt8.self, repeating: 0)
        info.storeBytes(of: UInt32(ETHTOOL_GSSET_INFO), toByteOffset: 0, as: UInt32.self)
        info.storeBytes(
            of: UInt64(1) << UInt64(ETH_SS_FEATURES.rawValue), toByteOffset: 8, as: UInt64.self)
        try control.ethtool(interface, info)
        let count = Int(info.load(fromByteOffset: infoHeader, as: UInt32.self))
        guard count > 0 else { return [] }

        let length = Int(ETH_GSTRING_LEN)
        let stringsHeader = MemoryLayout<ethtool_gstrings>.size
        let strings = UnsafeMutableRawBufferPointer.allocate(
            byteCount: stringsHeader + count * length, alignment: 8)
        defer { strings.deallocate() }
        strings.initializeMemory(as: UInt8.self, repeating: 0)
        strings.storeBytes(of: UInt32(ETHTOOL_GSTRINGS), toByteOffset: 0, as: UInt32.self)
        strings.storeBytes(of: UInt32(ETH_SS_FEATURES.rawValue), toByteOffset: 4, as: UInt32.self)
        strings.storeBytes(of: UInt32(count), toByteOffset: 8, as: UInt32.self)
        try control.ethtool(interface, strings)
        return (0..<count).map { index in
            let start = stringsHeader + index * length
            let bytes = strings[start..<start + length].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func readBlocks(interface: String, control: InterfaceControl, count: Int) throws(Errno)
        -> [Block]
    {
        let header = MemoryLayout<ethtool_gfeatures>.size
        let stride = MemoryLayout<ethtool_get_features_block>.stride
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: header + count * stride, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        buffer.storeBytes(of: UInt32(ETHTOOL_GFEATURES), toByteOffset: 0, as: UInt32.self)
        buffer.storeBytes(of: UInt32(count), toByteOffset: 4, as: UInt32.self)
        try control.ethtool(interface, buffer)
        return (0..<count).map { index in
            let offset = header + index * stride
            return Block(
                available: buffer.load(fromByteOffset: offset, as: UInt32.self),
                requested: buffer.load(fromByteOffset: offset + 4, as: UInt32.self),
                active: buffer.load(fromByteOffset: offset + 8, as: UInt32.self),
                neverChanged: buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
        }
    }
}

/// What ``OffloadFeatures`` turned off on one port, to put back on teardown.
struct SavedOffloads: Sendable {
    let interface: String
    /// Bits that were requested on and were switched off.
    let switchedOff: [Int]

    /// Turns every changeable coalescing feature that is requested on `interface` off. Returns what
    /// changed and the names of the coalescing features still active afterwards (fixed on).
    static func disableCoalescing(on interface: String, control: InterfaceControl) throws(Errno)
        -> (saved: SavedOffloads, stillActive: [String])
    {
        let before = try OffloadFeatures(interface: interface, control: control)
        var changes: [Int: Bool] = [:]
        for (name, bit) in before.bits where OffloadFeatures.isCoalescing(name) {
            guard before.isRequested(bit), before.isChangeable(bit) else { continue }
            changes[bit] = false
        }
        try before.request(changes, control: control)
        let saved = SavedOffloads(interface: interface, switchedOff: changes.keys.sorted())
        let after = try OffloadFeatures(interface: interface, control: control)
        let stillActive = after.bits.filter { OffloadFeatures.isCoalescing($0.key) && after.isActive($0.value) }
            .map(\.key).sorted()
        return (saved, stillActive)
    }

    /// Requests the switched-off features on again.
    func restore(control: InterfaceControl) throws(Errno) {
        guard !switchedOff.isEmpty else { return }
        let current = try OffloadFeatures(interface: interface, control: control)
        var changes: [Int: Bool] = [:]
        for bit in switchedOff { changes[bit] = true }
        try current.request(changes, control: control)
    }
}
