import Frame

/// One key's bucket in a ``MeterTable``: the key, the bucket's two numbers, a hash tag and
/// whether the slot is in use, in exactly one 64-byte cache line.
struct MeterSlot {
    var key: MeterKey
    var tokens: UInt64
    var last: UInt64
    /// The hash's high 32 bits: the slot's home position (tag & mask), and most mismatches
    /// told apart without comparing the key.
    var tag: UInt32
    /// 1 when the slot holds a key, 0 when it is empty.
    var used: UInt32
}

/// A slot's neighbours in the table's recency list (most recently used first); kept apart
/// from the slots so moving one to the front touches 8-byte entries, not whole cache lines.
/// The list runs through slot positions, so a slot that moves takes its links along.
struct RecencyLink {
    var previous: Int32
    var next: Int32
}

/// The seeded hash of meter keys: three independent 64x64 -> 128-bit multiplies folded to 64
/// bits (the "mum" step of wyhash), over the key's five words and six secret words drawn from the
/// table's seed. The seed is random unless a test gives one, so a sender cannot choose keys that
/// share a chain. Fast and well mixed, not cryptographic.
struct MeterHash {
    let secret0: UInt64
    let secret1: UInt64
    let secret2: UInt64
    let secret3: UInt64
    let secret4: UInt64
    let secret5: UInt64

    init(seed: UInt64) {
        // Never zero: the constant factor in `c` cannot erase the word it multiplies.
        var generator = SplitMix64(seed: seed)
        secret0 = generator.next() | 1
        secret1 = generator.next() | 1
        secret2 = generator.next() | 1
        secret3 = generator.next() | 1
        secret4 = generator.next() | 1
        secret5 = generator.next() | 1
    }

    @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always)
    func hash(_ key: MeterKey) -> UInt64 {
        let a = MeterHash.mum(key.word0 ^ secret0, key.word1 ^ secret1)
        let b = MeterHash.mum(key.word2 ^ secret2, key.word3 ^ secret3)
        let c = MeterHash.mum(key.word4 ^ secret4, secret5)
        return MeterHash.mum(a ^ secret5, b ^ c ^ secret0)
    }
}
