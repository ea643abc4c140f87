import Mirror
import Operations
import Pipeline
import Platform

/// Everything `status` reports, gathered by the control thread at one moment.
struct StatusInputs {
    var pid: Int32
    var uptimeSeconds: Double
    /// The interfaces of ports a and b.
    var interfaces: [String]
    /// Per port (a, b): each ``PortCounter`` summed over the threads.
    var portCounters: [[PortCounter: UInt64]]
    /// Per port (a, b).
    var links: [LinkCondition]
    var hostPort: String?
    var policyPath: String
    var active: ActivePolicy
    /// The ledger's totals for the rules in force, and the default.
    var ruleTotals: [RuleCount]
    var defaultTotal: RuleCount
    /// The kernel mirror's counters by rule name (empty without a mirror).
    var kernelCounters: [String: RuleCounter]
    var reloads: ReloadHistory.Record
    var held: Int
    var onFailure: FailureMode
    var mirrorTable: String?
    var workers: Int
    /// The flow table's figures, all threads together (nil: the policy does not track flows).
    var flows: FlowReport.Table? = nil
    /// Bytes each rule's first quota counted (rules with a quota only).
    var quotaConsumed: [String: UInt64] = [:]
    /// Meter evictions by rule, all threads together.
    var meterEvictions: [String: UInt64] = [:]
    /// Per worker, per port (a, b): each ``PortCounter``.
    var perWorker: [[[PortCounter: UInt64]]] = []
    /// `--link-propagate`'s state (nil when off).
    var linkPropagation: LinkPropagation? = nil
    /// The policy's dynamic sets.
    var dynamicSets: [StatusReport.DynamicSet] = []
}

/// Builds the `status` report and the `/metrics` snapshot from what the threads publish: pure
/// functions of their inputs.
enum StatusAssembler {
    static func report(_ inputs: StatusInputs) -> StatusReport {
        let active = inputs.active
        let names = active.loaded.compiled.ruleNames
        let ports = (0..<2).map { port in
            StatusReport.Port(
                name: port == 0 ? "a" : "b", interface: inputs.interfaces[port], link: inputs.links[port].text,
                counters: Dictionary(
                    uniqueKeysWithValues: PortCounter.allCases.map { ($0.name, inputs.portCounters[port][$0] ?? 0) }))
        }
        let compiled = active.loaded.compiled
        let rejecting = Set(compiled.policy.rules.filter { $0.verdicts.contains { $0.kind == .reject } }.map(\.name))
        let quotas = Dictionary(
            compiled.quotas.filter { $0.ordinal == 0 }.map { ($0.ruleName, $0.amount.bytes) },
            uniquingKeysWith: { first, _ in first })
        let metered = Set(compiled.limits.filter { !$0.key.isEmpty }.map(\.ruleName))
        let rules = zip(names, inputs.ruleTotals).map { name, count in
            let rejects = rejecting.contains(name)
            return StatusReport.Rule(
                name: name, packets: count.packets, bytes: count.bytes,
                kernelPackets: inputs.kernelCounters[name]?.packets, kernelBytes: inputs.kernelCounters[name]?.bytes,
                answers: rejects ? count.answers : nil, answersSuppressed: rejects ? count.answersSuppressed : nil,
                unanswered: rejects ? count.unanswered : nil,
                quotaConsumed: quotas[name].map { _ in inputs.quotaConsumed[name] ?? 0 }, quotaBytes: quotas[name],
                meterEvictions: metered.contains(name) ? inputs.meterEvictions[name] ?? 0 : nil)
        }
        return StatusReport(
            version: BridgekeeperVersion.text, pid: inputs.pid, uptimeSeconds: inputs.uptimeSeconds, ports: ports,
            hostPort: inputs.hostPort,
            policy: StatusReport.PolicyInfo(
                file: inputs.policyPath, generation: active.generation, sha256: active.loaded.sha256,
                loadedAt: WallClock.rfc3339(active.loadedAt), rules: names.count),
            lastReload: inputs.reloads.last, reloads: inputs.reloads.count, rules: rules,
            defaultVerdict: active.loaded.compiled.policy.defaultVerdict.rawValue,
            defaultPackets: inputs.defaultTotal.packets, defaultBytes: inputs.defaultTotal.bytes, held: inputs.held,
            onFailure: inputs.onFailure.rawValue, mirrorTable: inputs.mirrorTable, workers: inputs.workers,
            flows: inputs.flows,
            linkPropagation: inputs.linkPropagation.map {
                StatusReport.LinkPropagationReport(heldDown: $0.held, propagations: $0.propagations)
            },
            perWorker: inputs.perWorker.enumerated().map { number, ports in
                StatusReport.WorkerPorts(
                    worker: number,
                    ports: ports.map { counters in
                        Dictionary(uniqueKeysWithValues: PortCounter.allCases.map { ($0.name, counters[$0] ?? 0) })
                    })
            }, dynamicSets: inputs.dynamicSets)
    }

    /// The status as Prometheus families for `/metrics`.
    static func metrics(_ status: StatusReport, reloads: ReloadHistory.Record, policyLoadedAt: UInt64)
        -> MetricsSnapshot
    {
        MetricsSnapshot(
            ports: status.ports.map { port in
                MetricsSnapshot.Port(
                    name: port.name, interface: port.interface, up: port.link == "up",
                    counters: PortCounter.allCases.map { ($0.name, port.counters[$0.name] ?? 0) })
            },
            rules: status.rules.map {
                MetricsSnapshot.Rule(
                    name: $0.name, packets: $0.packets, bytes: $0.bytes, kernelPackets: $0.kernelPackets,
                    kernelBytes: $0.kernelBytes, answers: $0.answers, answersSuppressed: $0.answersSuppressed,
                    unanswered: $0.unanswered, quotaConsumed: $0.quotaConsumed, quotaBytes: $0.quotaBytes,
                    meterEvictions: $0.meterEvictions)
            },
            defaultVerdict: status.defaultVerdict, defaultPackets: status.defaultPackets,
            defaultBytes: status.defaultBytes, reloads: reloads.count, reloadFailures: reloads.failures,
            lastReload: reloads.last.map {
                MetricsSnapshot.LastReload(ok: $0.ok, timestamp: Double(reloads.lastAt) / 1e9)
            },
            generation: status.policy.generation, policyLoadedAt: Double(policyLoadedAt) / 1e9,
            uptimeSeconds: status.uptimeSeconds, heldFrames: status.held, version: status.version,
            linkPropagations: status.linkPropagation?.propagations,
            flows: status.flows.map {
                MetricsSnapshot.Flows(
                    inUse: UInt64($0.inUse), capacity: UInt64($0.capacity), created: $0.created, expired: $0.expired,
                    closed: $0.closed, evicted: $0.evicted, refusedFull: $0.refusedFull, invalid: $0.invalid)
            },
            dynamicSets: status.dynamicSets.map {
                MetricsSnapshot.DynamicSet(
                    name: $0.name, elements: UInt64($0.elements), capacity: UInt64($0.capacity), refused: $0.refused)
            })
    }
}
