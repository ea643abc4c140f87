import Glibc
import Logging
import Mirror
import Operations
import Pipeline
import Platform
import Policy
import Ring
import Ruleset
import Synchronization

/// A running bridge, assembled from its parts: ``BridgeResources`` (ports, mirror, host port,
/// control socket, metrics), ``WorkerSet`` (the forwarding threads), ``ControlLoop`` (signals
/// and the control socket), ``Reloader`` (SIGHUP and `reload`), ``OutputDrain`` (`log` and `pcap`
/// output) and ``StatusAssembler`` (`status`, `/metrics`). This type only starts them in order,
/// connects them, and stops them in the reverse order.
public final class BridgeController: @unchecked Sendable {
    let configuration: BridgeConfiguration
    let logger: Logger
    let startedAt = MonotonicClock.now()
    let slot: PolicySlot
    let ledger = CounterLedger()
    /// What every thread shares across reloads: quota counts, flow creators' names.
    let sharedState = SharedState()
    let resources: BridgeResources
    private var workerSet: WorkerSet?
    private var drain: OutputDrain?
    private var reloader: Reloader?
    /// Keeps the kernel's flow sets in step (fail-open with a stateful policy); nil otherwise.
    private var flowSync: FlowSetSync?
    private let controlLoop: ControlLoop
    private let reloadQueue = ReloadQueue()
    /// `--link-propagate`'s decisions (consulted only when it is on).
    private let linkPropagation = Mutex(LinkPropagation())
    /// Tells systemd (Type=notify / notify-reload) when the bridge is ready and reloading.
    let notifier = SystemdNotifier()

    /// Checks the policy, prepares both ports, opens the rings and the host port. Nothing is left
    /// configured when it throws.
    public init(configuration: BridgeConfiguration, logger: Logger) throws(BridgeError) {
        self.configuration = configuration
        self.logger = logger
        let loaded = try StartupPolicy.load(configuration, logger: logger)
        slot = PolicySlot(ActivePolicy(loaded: loaded, generation: 1, loadedAt: WallClock.now()))
        resources = BridgeResources(configuration: configuration, logger: logger)
        controlLoop = ControlLoop(listener: nil, logger: logger)
        do {
            try setUp()
        } catch {
            tearDown()
            throw error
        }
        if loaded.compiled.policy.rules.contains(where: { $0.verdicts.contains { $0.kind.reflects } })
            && resources.hostPort == nil
        {
            logger.warning("the policy reflects frames but there is no --host-port: reflected frames are dropped")
        }
    }

    private func setUp() throws(BridgeError) {
        try resources.preparePorts(mirroring: slot.current())
        if let ports = resources.preparation?.ports, ports.count == 2 {
            sharedState.setPortMTUs(a: ports[0].mtu, b: ports[1].mtu)
        }
        let first = slot.current()
        if !first.loaded.compiled.mirrorInterfaces.isEmpty {
            slot.publish(
                ActivePolicy(
                    loaded: first.loaded, generation: first.generation, loadedAt: first.loadedAt,
                    monitors: try resources.monitors.ports(for: first.loaded.compiled)))
        }
        try resources.openHostPort()
        // The kernel's flow sets are kept in step where the kernel emulates `ct state` with them
        // (fail-open, a stateful policy, no bridge conntrack).
        let mirror = resources.kernelMirror
        let syncsFlows =
            configuration.onFailure == .open && configuration.flows > 0
            && mirror.map { !$0.capabilities.bridgeConntrack }
                == true
        let workers = try WorkerSet(
            configuration: configuration, mtu: resources.mtu, hostPort: resources.hostPort, slot: slot,
            ledger: ledger, shared: sharedState, syncsFlows: syncsFlows, host: self, logger: logger)
        workerSet = workers
        if syncsFlows, let mirror {
            let leftover = mirror.leftoverFlows()
            if !leftover.isEmpty {
                let restored = workers.restore(
                    leftover, creator: sharedState.creatorID(for: "restored"), now: MonotonicClock.now())
                logger.notice(
                    "restored the flows the kernel kept",
                    metadata: ["flows": "\(leftover.count)", "slots": "\(restored)"])
            }
            flowSync = FlowSetSync(
                mirror: mirror, queues: workers.channels.compactMap(\.flowChanges), logger: logger)
        }
        let drain = OutputDrain(
            logQueues: workers.channels.map(\.logs), captureQueues: workers.channels.map(\.captures), logger: logger)
        drain.openCaptureFiles(for: slot.current())
        self.drain = drain
        reloader = Reloader(
            policyPath: configuration.policyPath, portNames: (configuration.portA, configuration.portB), slot: slot,
            target: self, notifier: notifier, logger: logger)
        try resources.openControl { [weak self] in self?.metricsSnapshot() ?? MetricsSnapshot() }
        controlLoop.listener = resources.listener
    }

    /// Gives up root: after everything that needs it (sockets, rings, TAP, netlink) is open,
    /// the process becomes `user`, keeping only CAP_NET_RAW and CAP_NET_ADMIN. Every file the
    /// policy was read from must stay readable for reloads, so that is checked first, and the
    /// control socket is handed to the user so it can remove it on exit.
    public func dropPrivileges(to user: String) throws(BridgeError) {
        do {
            for source in slot.current().loaded.compiled.policy.sources {
                try PrivilegeDrop.checkReadable(source.path, by: user)
            }
            let account = try UserAccount.lookUp(user)
            resources.listener?.handOver(uid: account.uid, gid: account.gid)
            let outcome = try PrivilegeDrop.drop(to: user)
            logger.notice(
                "dropped privileges",
                metadata: [
                    "user": "\(user)", "uid": "\(outcome.user.uid)", "capabilities": "\(outcome.kept)",
                ])
        } catch {
            throw .privileges("\(error)")
        }
    }

    /// Runs until SIGTERM/SIGINT (or `--count`), then stops the threads and restores the ports.
    /// Returns the process exit status.
    public func run() -> Int32 {
        guard let workerSet, let reloader else { return 1 }
        controlLoop.takeSignals()
        keepControlOffForwardingCPUs()
        let reloadThread: PlatformThread
        do {
            try workerSet.start()
            reloadThread = try PlatformThread.start(name: "bk-reload") { [reloadQueue] in
                reloadQueue.run { reloader.reload(trigger: "SIGHUP or control socket").json }
            }
        } catch {
            logger.critical("\(error)")
            workerSet.stopAndJoin()
            tearDown()
            return 1
        }
        resources.metricsServer?.start()
        let active = slot.current()
        logger.notice(
            "forwarding",
            metadata: [
                "port_a": "\(configuration.portA)", "port_b": "\(configuration.portB)",
                "policy": "\(configuration.policyPath)", "generation": "\(active.generation)",
                "sha256": "\(active.loaded.sha256)", "rules": "\(active.loaded.compiled.ruleCount)",
                "workers": "\(workerSet.workers.count)", "control": "\(configuration.controlPath)",
                "metrics": "\(configuration.metrics ?? "off")",
            ])
        try? notifier.ready(
            status: Reloader.readyStatus(active, ports: (configuration.portA, configuration.portB)))
        let ending = controlLoop.run(handler: self)
        if ending == .countReached {
            logger.notice(
                "forwarded the requested number of frames", metadata: ["count": "\(configuration.count ?? 0)"])
        }
        logger.notice("stopping")
        try? notifier.stopping()
        reloadQueue.stop()
        reloadThread.join()
        resources.metricsServer?.stop()
        workerSet.stopAndJoin()
        // Fail-open: the kernel takes over now, with every connection that was established.
        flowSync?.tick(now: MonotonicClock.now(), everything: true) { workerSet.flowsAfterStop() }
        drain?.drain(active: slot.current(), force: true)
        tearDown()
        if ending == .workerFailed {
            logger.critical("stopped because a forwarding thread failed; exiting with status 1")
            return 1
        }
        logger.notice("stopped")
        return 0
    }

    /// With `--cpu`, the control thread (and the reload and metrics threads it starts, which
    /// inherit its placement) runs on the CPUs the forwarding threads do not use, when there are
    /// any: checking and committing a large policy takes seconds of CPU that must not come out
    /// of a forwarding thread's time.
    private func keepControlOffForwardingCPUs() {
        guard let forwarding = configuration.cpus, !forwarding.isEmpty else { return }
        let others = CPUAffinity.currentThreadCPUs().filter { !forwarding.contains($0) }
        guard !others.isEmpty else { return }
        do {
            try CPUAffinity.pinCurrentThread(to: others)
        } catch {
            logger.warning("cannot move the control thread off the forwarding CPUs", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Status

    func status() -> StatusReport {
        let active = slot.current()
        let totals = ledger.totals(for: active.loaded.compiled.ruleNames)
        let counters = (0..<2).map { port in
            Dictionary(
                uniqueKeysWithValues: PortCounter.allCases.map { ($0, workerSet?.total($0, port: port) ?? 0) })
        }
        return StatusAssembler.report(
            StatusInputs(
                pid: getpid(), uptimeSeconds: Double(MonotonicClock.now() - startedAt) / 1e9,
                interfaces: [configuration.portA, configuration.portB], portCounters: counters,
                links: [workerSet?.link(0) ?? .up, workerSet?.link(1) ?? .up], hostPort: resources.hostPort?.name,
                policyPath: configuration.policyPath, active: active, ruleTotals: totals.rules,
                defaultTotal: totals.default, kernelCounters: resources.kernelMirror?.counters() ?? [:],
                reloads: reloader?.history.current ?? ReloadHistory.Record(), held: workerSet?.held ?? 0,
                onFailure: configuration.onFailure,
                mirrorTable: resources.kernelMirror == nil ? nil : KernelMirror.table,
                workers: workerSet?.workers.count ?? 0,
                flows: active.loaded.compiled.usesFlows
                    ? FlowReport.Table((workerSet?.channels ?? []).map(\.shared.flows)) : nil,
                quotaConsumed: Dictionary(
                    active.loaded.compiled.quotas.filter { $0.ordinal == 0 }.map {
                        ($0.ruleName, sharedState.quotaConsumed(SharedState.QuotaKey(rule: $0.ruleName, ordinal: 0)))
                    }, uniquingKeysWith: { first, _ in first }),
                meterEvictions: (workerSet?.channels ?? []).reduce(into: [:]) { total, channel in
                    for (rule, count) in channel.shared.meterEvictions { total[rule, default: 0] += count }
                },
                perWorker: workerSet?.perWorkerCounters() ?? [], linkPropagation: linkPropagationState(),
                dynamicSets: DynamicSetReport.sets(
                    of: active.loaded.compiled, in: sharedState, now: MonotonicClock.now())
            ))
    }

    /// Every thread's flows (each thread copies its table between batches when asked).
    func flowReport() -> FlowReport {
        let channels = workerSet?.channels ?? []
        var entries: [FlowReport.Entry] = []
        for channel in channels {
            for record in channel.shared.requestFlows() ?? [] {
                entries.append(FlowReport.Entry(record) { self.sharedState.creatorName($0) ?? "rule#\($0)" })
            }
        }
        return FlowReport(table: FlowReport.Table(channels.map(\.shared.flows)), flows: entries)
    }

    /// What `/metrics` shows: the status, as Prometheus families.
    func metricsSnapshot() -> MetricsSnapshot {
        StatusAssembler.metrics(
            status(), reloads: reloader?.history.current ?? ReloadHistory.Record(),
            policyLoadedAt: slot.current().loadedAt)
    }

    // MARK: Teardown

    /// Puts everything back without running (after a failed privilege drop, say).
    public func shutDown() {
        tearDown()
    }

    private func tearDown() {
        workerSet?.closeSockets()
        releaseHeldPorts()
        resources.tearDown()
        drain?.flushFiles()
    }
}

extension BridgeController: ControlHandler {
    func statusReply() -> String { status().json }

    func requestReload(replyTo connection: Int32?) { reloadQueue.request(replyTo: connection) }

    func flowsReply() -> String { flowReport().json }

    func resetQuotaReply(rule: String) -> String {
        let reset = sharedState.resetQuotas(of: rule)
        logger.notice("quota reset", metadata: ["rule": "\(rule)", "quotas": "\(reset)"])
        return ControlReplies.quotaReset(rule: rule, quotas: reset)
    }

    func controlTick() {
        drain?.drain(active: slot.current(), force: false)
        if let flowSync, let workerSet, slot.current().loaded.compiled.usesFlows {
            flowSync.tick(now: MonotonicClock.now()) { workerSet.flowSnapshots() }
        }
        if configuration.linkPropagate {
            apply(linkPropagation.withLock { $0.due(now: MonotonicClock.now()) })
        }
    }
}

extension BridgeController: WorkerHost {
    func preparePortAgain(_ name: String) -> Bool { resources.reprepare(name) }

    func forwardedRequestedCount() { controlLoop.stopForCount() }

    func workerFailed(number: Int, reason: String) { controlLoop.stopForFailure() }

    func linkChanged(port: Int, up: Bool) {
        guard configuration.linkPropagate else { return }
        apply(linkPropagation.withLock { $0.linkChanged(port: port, up: up, now: MonotonicClock.now()) })
    }

    /// `--link-propagate`'s counts and holds, for status (nil when it is off).
    func linkPropagationState() -> LinkPropagation? {
        configuration.linkPropagate ? linkPropagation.withLock { $0 } : nil
    }

    /// At exit: a port `--link-propagate` holds down comes back up, so the segment behind it (and,
    /// fail-open, the kernel bridge) is not left without a link by a bridge that is gone.
    private func releaseHeldPorts() {
        guard configuration.linkPropagate else { return }
        let held = linkPropagation.withLock { $0.held }
        apply(held.enumerated().filter(\.element).map { .bringUp(port: $0.offset) })
    }

    /// Carries out `--link-propagate`'s decisions, logging each.
    private func apply(_ actions: [LinkPropagation.Action]) {
        let interfaces = [configuration.portA, configuration.portB]
        for action in actions {
            let (port, up) =
                switch action {
                case .takeDown(let port): (port, false)
                case .bringUp(let port): (port, true)
                }
            let metadata: Logger.Metadata = [
                "port": "\(port == 0 ? "a" : "b")", "interface": "\(interfaces[port])",
                "because": "port \(port == 0 ? "b" : "a") \(up ? "is back" : "lost its link")",
            ]
            do throws(Errno) {
                try LinkSwitch.set(interfaces[port], up: up)
                logger.notice(
                    up ? "link propagation: port up again" : "link propagation: port down", metadata: metadata)
            } catch {
                logger.error("link propagation failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
    }
}

extension BridgeController: ReloadTarget {
    var tracksFlows: Bool { configuration.flows > 0 }

    func mirrorPlan(for policy: Policy) -> MirrorPlan? {
        resources.kernelMirror?.plan(policy)
    }

    func mirrorIntact(_ plan: MirrorPlan) -> Bool {
        guard let mirror = resources.kernelMirror else { return true }
        return mirror.currentRuleNames() == Set(plan.mirroredRuleNames)
    }

    func commitMirror(_ plan: MirrorPlan) throws(MirrorError) {
        try resources.kernelMirror?.commit(plan)
    }

    func monitorPorts(for policy: CompiledPolicy) throws(BridgeError) -> MonitorPorts {
        try resources.monitors.ports(for: policy)
    }

    func putInForce(_ policy: ActivePolicy) {
        drain?.openCaptureFiles(for: policy)
        slot.publish(policy)
        guard let workerSet else { return }
        workerSet.wakeAll()
        if !workerSet.waitUntilAllRun(generation: policy.generation) {
            logger.warning(
                "a forwarding thread is slow to take the new policy", metadata: ["generation": "\(policy.generation)"])
        }
    }
}

/// The version `--version` and `status` report.
public enum BridgekeeperVersion {
    public static let text = "0.1.0"
}
