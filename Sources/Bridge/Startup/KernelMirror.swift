import Flow
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
    /// What this kernel accepts in the bridge family (probed once, in throw-away tables).
    let capabilities: KernelCapabilities
    /// The size of the kernel's flow sets (the flow table's capacity).
    let flowSetSize: Int
    static let table = "bridgekeeper"
    /// The table of the kernel's flow sets (`ct state` emulation).
    static var flowTable: String { FlowTablePlan.name(forMirror: table) }

    /// The plan for `policy` on these ports as this kernel can hold it (no kernel involved).
    func plan(_ policy: Policy) -> MirrorPlan {
        MirrorPlanner.plan(
            policy, ports: ports, table: Self.table, capabilities: capabilities, flowSetSize: flowSetSize)
    }

    /// Opens the netlink socket and probes the kernel; in fail-open mode stops kernel forwarding
    /// (the guard, shaped for `policy`'s plan) before enslaving the ports to the kernel bridge,
    /// so no frame is ever forwarded twice; in fail-closed mode removes a kernel bridge and the
    /// flow sets an earlier fail-open run left.
    init(ports: MirrorPorts, mode: FailureMode, flowSetSize: Int, policy: Policy) throws(MirrorError) {
        connection = try NftablesConnection()
        self.ports = ports
        self.mode = mode
        self.flowSetSize = max(1024, flowSetSize)
        capabilities = try connection.capabilities()
        let plan = MirrorPlanner.plan(
            policy, ports: ports, table: Self.table, capabilities: capabilities, flowSetSize: self.flowSetSize)
        switch mode {
        case .open:
            try connection.installGuard(for: plan)
            kernelBridge = try KernelBridge.create(ports: ports)
        case .closed:
            if let leftover = try KernelBridge.find(enslaving: ports) {
                try KernelBridge.remove(name: leftover)
            }
            try? connection.removeTable(named: Self.flowTable)
        }
    }

    /// The established flows a crash in fail-open left in the kernel's flow sets, to put back
    /// in the flow table (nothing in fail-closed mode, or when the sets cannot be read).
    func leftoverFlows() -> [KernelFlowEntry] {
        guard mode == .open else { return [] }
        return ((try? connection.flows(table: Self.flowTable)) ?? []).filter(\.flow.answered)
    }

    /// Adds established flows to the kernel's sets and removes ended ones (one transaction each).
    func sync(added: [KernelFlowEntry], removed: [KernelFlow]) throws(MirrorError) {
        if !added.isEmpty { try connection.addFlows(added, table: Self.flowTable) }
        if !removed.isEmpty { try connection.removeFlows(removed, table: Self.flowTable) }
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
            try? connection.removeTable(named: Self.flowTable)
        case .open:
            do { try connection.removeGuard() } catch { failures.append(error) }
        }
        return failures
    }
}
