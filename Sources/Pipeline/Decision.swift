import Answers
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
    /// What a `reject` answers with.
    public var answer: RejectKind
    /// The frame's `ct state` bit (0 when the policy does not track flows).
    public var ctState: UInt8 = 0
    /// The frame's `ct direction` (0 original, 1 reply; 0xff: none).
    public var ctDirection: UInt8 = 0xff
    /// The frame would have opened a flow but the table was full (the verdict is then the
    /// policy's `flows-full` choice).
    public var flowRefused = false

    @inlinable
    init(_ rule: CompiledRule, number: Int32) {
        verdict = rule.verdict
        self.rule = number
        retries = rule.retries
        delayNanoseconds = rule.delayNanoseconds
        jitterNanoseconds = rule.jitterNanoseconds
        answer = rule.answer
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
