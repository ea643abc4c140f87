import Mirror
import Policy
import Ruleset

/// What a reload changes beyond the policy files: the running bridge implements it, and the
/// unit tests implement it with a recording fake, so reload sequencing is tested without root.
protocol ReloadTarget: AnyObject, Sendable {
    /// Whether a kernel mirror is kept (its notes then count as warnings, and it is committed).
    var mirrors: Bool { get }
    /// Whether the threads have flow tables (a policy matching `ct` needs them).
    var tracksFlows: Bool { get }
    /// The nftables mirror's notes about `policy` (what it leaves out and why).
    func mirrorNotes(for policy: Policy) -> [Diagnostic]
    /// Whether the kernel still holds the mirror of `policy` (true when nothing is mirrored).
    func mirrorIntact(for policy: Policy) -> Bool
    /// Replaces the kernel mirror with `policy`'s; throws, changing nothing, when refused.
    func commitMirror(_ policy: Policy) throws(MirrorError)
    /// Opens the monitor sockets `policy`'s `mirror "IF"` statements name.
    func monitorPorts(for policy: CompiledPolicy) throws(BridgeError) -> MonitorPorts
    /// Puts `policy` in force: opens its capture files, publishes it, wakes the forwarding
    /// threads and waits until every one runs it.
    func putInForce(_ policy: ActivePolicy)
}
