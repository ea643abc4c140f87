/// A keyed hash for flow keys: folded 64x64->128 multiplies of the key's words with secret seed
/// words (the wyhash construction), so an attacker who cannot learn the seed cannot aim many
/// flows at one bucket.
///
/// Not a cryptographic MAC; it is the "fast, seeded, good enough against hash flooding" choice
/// nf_conntrack (`hashrnd`, jhash) and Suricata make too. Three independent multiplies and one to
/// finish, a few nanoseconds.
public struct FlowHasher: Sendable {
    @usableFromInline let seeds: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// A hasher keyed by `seed` (expanded with SplitMix64); the same seed gives the same hashes.
    public init(seed: UInt64) {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        seeds = (next(), next(), next(), next(), next(), next(), next() | 1)
    }

    /// A hasher with a seed from the system's random source.
    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(seed: generator.next())
    }

    @inlinable @inline(__always)
    static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// The 32-bit hash of `key`.
    @inlinable @inline(__always)
    public func hash(_ key: FlowKey) -> UInt32 {
        let a = FlowHasher.fold(
            UInt64(truncatingIfNeeded: key.lowAddress) ^ seeds.0, UInt64(truncatingIfNeeded: key.highAddress) ^ seeds.1)
        // An IPv4 flow's high words are the same for every IPv4 flow (v4-mapped): skip them.
        let b =
            key.family == .ipv4
            ? 0
            : FlowHasher.fold(
                UInt64(truncatingIfNeeded: key.lowAddress >> 64) ^ seeds.2,
                UInt64(truncatingIfNeeded: key.highAddress >> 64) ^ seeds.3)
        let c = FlowHasher.fold(key.packed ^ seeds.4, UInt64(key.family.rawValue) ^ seeds.5)
        let mixed = FlowHasher.fold(a ^ b ^ c, seeds.6)
        return UInt32(truncatingIfNeeded: mixed ^ (mixed >> 32))
    }

    /// The 32-bit hash of a fragment key: addresses in the frame's order, protocol (0 for IPv6),
    /// identification and VLANs.
    @inlinable @inline(__always)
    func hashFragment(source: UInt128, destination: UInt128, identification: UInt32, meta: UInt64) -> UInt32 {
        let a = FlowHasher.fold(
            UInt64(truncatingIfNeeded: source) ^ seeds.1, UInt64(truncatingIfNeeded: destination) ^ seeds.0)
        let b = FlowHasher.fold(
            UInt64(truncatingIfNeeded: source >> 64) ^ seeds.3, UInt64(truncatingIfNeeded: destination >> 64) ^ seeds.2)
        let c = FlowHasher.fold(meta ^ seeds.5, UInt64(identification) ^ seeds.4)
        let mixed = FlowHasher.fold(a ^ b ^ c, seeds.6)
        return UInt32(truncatingIfNeeded: mixed ^ (mixed >> 32))
    }
}
