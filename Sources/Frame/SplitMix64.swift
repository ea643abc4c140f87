/// A small, fast, reproducible random sequence (SplitMix64): the jitter of delayed frames, the
/// frame generators, and seeded tests all draw from it. Not for anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    /// A sequence that depends only on `seed`.
    @inlinable
    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0 ..< bound` (slightly biased for huge bounds; fine for tests and traffic mixes).
    @inlinable
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
