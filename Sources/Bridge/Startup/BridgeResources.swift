import Logging
import Mirror
import Operations
import Ring

/// What the bridge sets up around its forwarding threads and puts back on exit: the prepared
/// ports (offloads and IPv6 off), the nftables mirror (and, fail-open, the guard and the kernel
/// bridge), the host port, the monitor sockets, the control socket and the metrics endpoint.
final class BridgeResources: @unchecked Sendable {
    let configuration: BridgeConfiguration
    private(set) var preparation: PortPreparation?
    private(set) var kernelMirror: KernelMirror?
    private(set) var hostPort: TapDevice?
    let monitors = MonitorSockets()
    private(set) var listener: ControlListener?
    private(set) var metricsServer: MetricsServer?
    private let logger: Logger

    var mirrorPorts: MirrorPorts { MirrorPorts(a: configuration.portA, b: configuration.portB) }

    /// The MTU the rings are sized for: the larger port's, at least 1500.
    var mtu: Int { max(preparation?.ports.map(\.mtu).max() ?? 1500, 1500) }

    init(configuration: BridgeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Prepares both ports and, when mirroring, commits `policy`'s mirror.
    func preparePorts(mirroring policy: ActivePolicy) throws(BridgeError) {
        do {
            preparation = try PortPreparation.prepare([configuration.portA, configuration.portB])
        } catch {
            throw .ports(error)
        }
        for warning in preparation?.warnings ?? [] { logger.warning("\(warning)") }
        if configuration.mirror { try startMirror(policy) }
    }

    /// Takes the kernel's side: the mirror table (and, fail-open, the guard and kernel bridge).
    private func startMirror(_ policy: ActivePolicy) throws(BridgeError) {
        let mirror: KernelMirror
        do {
            mirror = try KernelMirror(
                ports: mirrorPorts, mode: configuration.onFailure, flowSetSize: configuration.flows,
                policy: policy.loaded.compiled.policy)
        } catch {
            throw .mirror("nftables: \(error)")
        }
        let plan = mirror.plan(policy.loaded.compiled.policy)
        do {
            try mirror.commit(plan)
        } catch {
            mirror.abandon()
            throw .mirror("nftables: \(error)")
        }
        kernelMirror = mirror
        logger.notice(
            "mirrored into nftables",
            metadata: [
                "table": "bridge \(KernelMirror.table)", "rules": "\(plan.mirroredRuleNames.count)",
                "on_failure": "\(configuration.onFailure.rawValue)",
                "kernel_bridge": "\(mirror.kernelBridge ?? "none")", "kernel": "\(mirror.capabilities)",
            ])
        // What the kernel will not enforce as the bridge does, rule by rule (as check --print-nft).
        for note in plan.notes { logger.info("\(note.diagnostic.summary)") }
    }

    /// Creates the TAP host port when `--host-port` names one.
    func openHostPort() throws(BridgeError) {
        guard let name = configuration.hostPort else { return }
        do {
            hostPort = try TapDevice(name: name, mtu: mtu)
        } catch {
            throw .hostPort(error)
        }
    }

    /// Listens on the control socket and binds the metrics endpoint (served once `start` runs).
    func openControl(metrics snapshot: @escaping @Sendable () -> MetricsSnapshot) throws(BridgeError) {
        do {
            listener = try ControlListener(path: configuration.controlPath)
        } catch {
            throw .control(error)
        }
        guard let address = configuration.metrics else { return }
        do {
            metricsServer = try MetricsServer(listen: address, snapshot: snapshot)
        } catch {
            throw .metrics("--metrics \(address): \(error)")
        }
    }

    /// A port that was removed came back: apply the port settings to the new interface.
    func reprepare(_ name: String) -> Bool {
        guard let preparation else { return false }
        do {
            try preparation.reprepare(name)
            return true
        } catch {
            logger.error("cannot prepare returning port", metadata: ["interface": "\(name)", "error": "\(error)"])
            return false
        }
    }

    /// Puts everything back: host port and monitors closed, the control socket removed, the
    /// mirror stopped (fail-closed removes it, fail-open lifts the guard), the ports restored.
    func tearDown() {
        hostPort?.close()
        hostPort = nil
        monitors.closeAll()
        listener = nil
        for failure in kernelMirror?.stop() ?? [] { logger.error("nftables: \(failure)") }
        kernelMirror = nil
        for failure in preparation?.restore() ?? [] { logger.error("\(failure)") }
        preparation = nil
    }
}
