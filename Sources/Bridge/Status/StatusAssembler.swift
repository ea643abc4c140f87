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
        let rules = zip(names, inputs.ruleTotals).map { name, count in
            StatusReport.Rule(
                name: name, packets: count.packets, bytes: count.bytes,
                kernelPackets: inputs.kernelCounters[name]?.packets, kernelBytes: inputs.kernelCounters[name]?.bytes)
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
            onFailure: inputs.onFailure.rawValue, mirrorTable: inputs.mirrorTable, workers: inputs.workers)
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
                    kernelBytes: $0.kernelBytes)
            },
            defaultVerdict: status.defaultVerdict, defaultPackets: status.defaultPackets,
            defaultBytes: status.defaultBytes, reloads: reloads.count, reloadFailures: reloads.failures,
            lastReload: reloads.last.map {
                MetricsSnapshot.LastReload(ok: $0.ok, timestamp: Double(reloads.lastAt) / 1e9)
            },
            generation: status.policy.generation, policyLoadedAt: Double(policyLoadedAt) / 1e9,
            uptimeSeconds: status.uptimeSeconds, heldFrames: status.held, version: status.version)
    }
}
