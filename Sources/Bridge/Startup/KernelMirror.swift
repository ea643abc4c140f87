import Mirror
import Policy
import Synchronization

/// The running bridge's side of the nftables mirror: one long-lived netlink socket that commits
/// every accepted policy to `bridge bridgekeeper`, and, in fail-open mode, owns the guard table
/// and the kernel bridge that takes over when the process is gone.
final class KernelMirror: @unchecked Sendable {
    let connection: NftablesConnection
    let ports: MirrorPorts
    let mode: FailureMode
    /// The kernel bridge of fail-open mode.
    private(set) var kernelBridge: String?
    static let table = "bridgekeeper"

    /// The plan for `policy` on these ports (pure: no kernel involved).
    static func plan(_ policy: Policy, ports: MirrorPorts) -> MirrorPlan {
        MirrorPlanner.plan(policy, ports: ports, table: table)
    }

    /// Opens the netlink socket; in fail-open mode stops kernel forwarding (the guard) before
    /// enslaving the ports to the kernel bridge, so no frame is ever forwarded twice; in
    /// fail-closed mode removes a kernel bridge an earlier fail-open run left on the ports.
    init(ports: MirrorPorts, mode: FailureMode) throws(MirrorError) {
        connection = try NftablesConnection()
        self.ports = ports
        self.mode = mode
        switch mode {
        case .open:
            try connection.installGuard()
            kernelBridge = try KernelBridge.create(ports: ports)
        case .closed:
            if let leftover = try KernelBridge.find(enslaving: ports) {
                try KernelBridge.remove(name: leftover)
            }
        }
    }

    /// Kernel counts of tables this process replaced (a replace starts the kernel's counters
    /// at zero), by rule name: what the kernel enforced before a reload, or while Bridgekeeper
    /// was down in fail-open mode, stays visible.
    private let carried = Mutex<[String: RuleCounter]>([:])

    /// Replaces the mirror table with `plan` in one transaction; nothing changes when it fails.
    func commit(_ plan: MirrorPlan) throws(MirrorError) {
        let before = (try? connection.counters(table: Self.table)) ?? [:]
        try connection.commit(plan)
        carried.withLock { carried in
            for (name, count) in before { carried[name] = Self.sum(carried[name], count) }
        }
    }

    /// The names of the rules the kernel's mirror table holds now (nil when it cannot be read,
    /// or the table is gone).
    func currentRuleNames() -> Set<String>? {
        guard let current = try? connection.counters(table: Self.table) else { return nil }
        return Set(current.keys)
    }

    /// Undoes a fail-open start whose first commit failed: a policy that never reached the
    /// kernel must not be what the kernel bridge enforces, so the bridge goes again.
    func abandon() {
        if let kernelBridge { try? KernelBridge.remove(name: kernelBridge) }
        kernelBridge = nil
    }

    /// The kernel's packets and bytes per mirrored rule, by rule name, including what earlier
    /// tables counted (empty on error).
    func counters() -> [String: RuleCounter] {
        let current = (try? connection.counters(table: Self.table)) ?? [:]
        var totals = carried.withLock { $0 }
        for (name, count) in current { totals[name] = Self.sum(totals[name], count) }
        return totals
    }

    private static func sum(_ a: RuleCounter?, _ b: RuleCounter) -> RuleCounter {
        guard let a else { return b }
        return RuleCounter(packets: a.packets &+ b.packets, bytes: a.bytes &+ b.bytes)
    }

    /// On a clean exit: fail-closed removes the mirror (nothing passes while Bridgekeeper is
    /// down); fail-open keeps it and lifts the guard, so the kernel bridge forwards at once under
    /// the mirrored policy.
    func stop() -> [MirrorError] {
        var failures: [MirrorError] = []
        switch mode {
        case .closed:
            do { try connection.removeTable(named: Self.table) } catch { failures.append(error) }
        case .open:
            do { try connection.removeGuard() } catch { failures.append(error) }
        }
        return failures
    }
}
