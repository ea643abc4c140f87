import Mirror
import Policy
import Ruleset

/// What a reload changes beyond the policy files: the running bridge implements it, and the
/// unit tests implement it with a recording fake, so reload sequencing is tested without root.
protocol ReloadTarget: AnyObject, Sendable {
    /// Whether the threads have flow tables (a policy matching `ct` needs them).
    var tracksFlows: Bool { get }
    /// The nftables mirror of `policy` as this kernel can hold it, or nil when no mirror is kept.
    /// A reload plans once: the plan's notes become the load's warnings, and the same plan is
    /// compared with the kernel's table and committed (a 10,000-rule plan takes seconds).
    func mirrorPlan(for policy: Policy) -> MirrorPlan?
    /// Whether the kernel still holds `plan`'s rules.
    func mirrorIntact(_ plan: MirrorPlan) -> Bool
    /// Replaces the kernel mirror with `plan`; throws, changing nothing, when refused.
    func commitMirror(_ plan: MirrorPlan) throws(MirrorError)
    /// Opens the monitor sockets `policy`'s `mirror "IF"` statements name.
    func monitorPorts(for policy: CompiledPolicy) throws(BridgeError) -> MonitorPorts
    /// Puts `policy` in force: opens its capture files, publishes it, wakes the forwarding
    /// threads and waits until every one runs it.
    func putInForce(_ policy: ActivePolicy)
}
