import Ruleset

/// What the pipeline decided for one frame.
public struct Decision: Sendable, Equatable {
    public var verdict: VerdictCode
    /// The rule that decided, or -1 for the policy's default.
    public var rule: Int32
    /// Send attempts after a send that fails for lack of room.
    public var retries: UInt8
    /// How long to hold the frame before sending it (0: at once).
    public var delayNanoseconds: UInt64
    /// How far the hold time may vary either side of the delay (tc-netem's jitter).
    public var jitterNanoseconds: UInt64

    @inlinable
    init(_ rule: CompiledRule, number: Int32) {
        verdict = rule.verdict
        self.rule = number
        retries = rule.retries
        delayNanoseconds = rule.delayNanoseconds
        jitterNanoseconds = rule.jitterNanoseconds
    }

    /// The default verdict decided.
    @inlinable public var isDefault: Bool { rule < 0 }

    /// How long to hold the frame: the delay, moved by up to the jitter either way, uniformly,
    /// using `randomBits` as the random draw (the checker keeps jitter <= delay).
    @inlinable
    public func holdNanoseconds(randomBits: UInt64) -> UInt64 {
        guard jitterNanoseconds > 0 else { return delayNanoseconds }
        let jitter = min(jitterNanoseconds, delayNanoseconds)
        return delayNanoseconds - jitter + randomBits % (2 * jitter + 1)
    }
}
