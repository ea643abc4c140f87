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
    /// Uniform random extra hold time, `0 ... jitterNanoseconds`.
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
}
