import CLinuxShim
import Dispatch
import Foundation
import Loader
import Logging
import Mirror
import Operations
import Pipeline
import Policy
import Ring
import Ruleset
import Synchronization

/// The control plane of a running bridge: sets the ports up, starts the forwarding threads,
/// answers the control socket, reloads on SIGHUP, writes `log`/`pcap` output, and puts
/// everything back on exit.
public final class BridgeController: @unchecked Sendable {
    let configuration: BridgeConfiguration
    let logger: Logger
    let startedAt = Clock.monotonic()
    let slot: PolicySlot
    let ledger = CounterLedger()
    var preparation: PortPreparation?
    let monitors = MonitorSockets()
    var kernelMirror: KernelMirror?
    var mirrorPorts: MirrorPorts { MirrorPorts(a: configuration.portA, b: configuration.portB) }
    var workers: [ForwardingWorker] = []
    var shared: [WorkerShared] = []
    var counters: [PortCounterBlock] = []
    var logQueues: [LogRecordQueue] = []
    var captureQueues: [CaptureQueue] = []
    var tap: TapDevice?
    var listener: ControlListener?
    var signals: Int32 = -1
    /// What `status` reports about reloads (written by the reload thread).
    private struct ReloadRecord {
        var last: StatusReport.Reload?
        /// Wall clock of `last`, nanoseconds.
        var lastAt: UInt64 = 0
        var count: UInt64 = 0
        var failures: UInt64 = 0
    }
    /// Tells systemd (Type=notify / notify-reload) when the bridge is ready and reloading.
    let notifier = SystemdNotifier()
    /// The `/metrics` endpoint, bound at start, serving once `run` begins.
    private var metricsServer: MetricsServer?
    private let reloadRecord = Mutex(ReloadRecord())
    private let reloadQueue = ReloadQueue()
    /// `pcap` statement files by path (opened by reloads, written by the control thread).
    private let captureWriters = Mutex<[String: CaptureFile]>([:])
    var logLimiter = RateLimiter(perSecond: 100, burst: 200)
    var garbageLimiter = RateLimiter(perSecond: 1, burst: 5)
    var stopRequested = false
    var nextFlush: UInt64 = 0
    let finished = DispatchGroup()

    /// Checks the policy, prepares both ports, opens the rings and the host port. Nothing is left
    /// configured when it throws.
    public init(configuration: BridgeConfiguration, logger: Logger) throws(BridgeError) {
        self.configuration = configuration
        self.logger = logger
        let ports = MirrorPorts(a: configuration.portA, b: configuration.portB)
        let report = PolicyLoader.load(path: configuration.policyPath) { policy in
            configuration.mirror ? KernelMirror.plan(policy, ports: ports).notes.map(\.diagnostic) : []
        }
        for diagnostic in report.diagnostics {
            switch diagnostic.severity {
            case .error: logger.error("\(diagnostic.summary)")
            case .warning: logger.warning("\(diagnostic.summary)")
            case .note: logger.info("\(diagnostic.summary)")
            }
        }
        guard let loaded = report.loaded else {
            throw .policy(path: configuration.policyPath, errors: max(1, report.errors.count))
        }
        slot = PolicySlot(ActivePolicy(loaded: loaded, generation: 1, loadedAt: Clock.wall()))
        do {
            try setUp()
        } catch {
            tearDown()
            throw error
        }
        if loaded.compiled.policy.rules.contains(where: { $0.verdict.kind.reflects }) && tap == nil {
            logger.warning("the policy reflects frames but there is no --host-port: reflected frames are dropped")
        }
    }

    private func setUp() throws(BridgeError) {
        do {
            preparation = try PortPreparation.prepare([configuration.portA, configuration.portB])
        } catch {
            throw .ports(error)
        }
        for warning in preparation?.warnings ?? [] { logger.warning("\(warning)") }
        if configuration.mirror { try startMirror() }
        let first = slot.current()
        if !first.loaded.compiled.mirrorInterfaces.isEmpty {
            slot.publish(
                ActivePolicy(
                    loaded: first.loaded, generation: first.generation, loadedAt: first.loadedAt,
                    monitors: try monitors.ports(for: first.loaded.compiled)))
        }
        let mtu = max(preparation?.ports.map(\.mtu).max() ?? 1500, 1500)
        if let name = configuration.hostPort {
            do {
                tap = try TapDevice(name: name, mtu: mtu)
            } catch {
                throw .hostPort(error)
            }
        }
        var socketConfiguration = PacketSocketConfiguration()
        let frameSize = RingGeometry.receiveFrameSize(mtu: mtu, headroom: socketConfiguration.headroom)
        socketConfiguration.frameCount =
            configuration.ringFrames ?? max(4096, BridgeConfiguration.ringBytes / frameSize)
        socketConfiguration.version = configuration.ringVersion3 ? .v3(blockTimeoutMilliseconds: 1) : .v2
        socketConfiguration.qdiscBypass = configuration.qdiscBypass
        socketConfiguration.mtu = mtu
        // TPACKET_V3 has no TX ring: with it, frames are sent one `send()` each.
        let transmitRing = configuration.transmitRing && !configuration.ringVersion3
        if transmitRing { socketConfiguration.transmitFrameCount = configuration.transmitRingFrames }
        let active = slot.current()
        for number in 0..<max(1, configuration.workers) {
            var sockets: [PacketSocket] = []
            for (index, name) in [configuration.portA, configuration.portB].enumerated() {
                var perPort = socketConfiguration
                if configuration.workers > 1 {
                    perPort.fanoutGroup = UInt16(truncatingIfNeeded: (Int(getpid()) &* 2 &+ index) & 0xffff)
                }
                do {
                    sockets.append(try PacketSocket(interface: name, configuration: perPort))
                } catch {
                    throw .socket(error)
                }
            }
            let monitor = try? LinkMonitor()
            let portCounters = PortCounterBlock()
            let workerShared = WorkerShared()
            let logs = LogRecordQueue()
            let captures = CaptureQueue(slotSize: sockets[0].receiveGeometry.frameSize)
            var options = WorkerOptions()
            if let cpus = configuration.cpus, !cpus.isEmpty { options.cpus = [cpus[number % cpus.count]] }
            options.transmitRing = transmitRing
            options.stopAfter = configuration.count
            options.busyPollNanoseconds = UInt64(configuration.busyPollMicroseconds) * 1000
            let worker = ForwardingWorker(
                number: number, options: options, sockets: sockets, tap: tap, readsTap: number == 0, slot: slot,
                ledger: ledger, counters: portCounters, shared: workerShared,
                delay: DelayQueue(
                    capacity: configuration.delayCapacity, slotSize: sockets[0].receiveGeometry.frameSize),
                logs: logs, captures: captures, linkMonitor: monitor,
                reopenPort: { [weak self] name in self?.reprepare(name) ?? false },
                stopAll: { [weak self] in self?.requestStopFromWorker() }, logger: logger)
            workers.append(worker)
            shared.append(workerShared)
            counters.append(portCounters)
            logQueues.append(logs)
            captureQueues.append(captures)
        }
        openCaptureFiles(for: active)
        do {
            listener = try ControlListener(path: configuration.controlPath)
        } catch {
            throw .control(error)
        }
        if let address = configuration.metrics {
            do {
                metricsServer = try MetricsServer(listen: address) { [weak self] in
                    self?.metricsSnapshot() ?? MetricsSnapshot()
                }
            } catch {
                throw .metrics("--metrics \(address): \(error)")
            }
        }
    }

    /// Takes the kernel's side: the mirror table (and, fail-open, the guard and kernel bridge).
    private func startMirror() throws(BridgeError) {
        let plan = KernelMirror.plan(slot.current().loaded.compiled.policy, ports: mirrorPorts)
        let mirror: KernelMirror
        do {
            mirror = try KernelMirror(ports: mirrorPorts, mode: configuration.onFailure)
        } catch {
            throw .mirror("nftables: \(error)")
        }
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
                "kernel_bridge": "\(mirror.kernelBridge ?? "none")",
            ])
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
            listener?.handOver(uid: account.uid, gid: account.gid)
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

    /// A port that was removed came back: apply the port settings to the new interface.
    private func reprepare(_ name: String) -> Bool {
        guard let preparation else { return false }
        do {
            try preparation.reprepare(name)
            return true
        } catch {
            logger.error("cannot prepare returning port", metadata: ["interface": "\(name)", "error": "\(error)"])
            return false
        }
    }

    private let stopEvent = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))

    /// Called on a forwarding thread (`--count` reached): ends the control loop.
    private func requestStopFromWorker() {
        var one: UInt64 = 1
        _ = write(stopEvent, &one, 8)
    }

    /// Runs until SIGTERM/SIGINT (or `--count`), then stops the threads and restores the ports.
    /// Returns the process exit status.
    public func run() -> Int32 {
        blockSignals()
        keepControlOffForwardingCPUs()
        for worker in workers {
            finished.enter()
            let thread = Thread { [finished] in
                worker.run()
                finished.leave()
            }
            thread.name = "bk-forward-\(worker.number)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        metricsServer?.start()
        let reloader = Thread { [self] in
            reloadQueue.run { encode(reload(trigger: "SIGHUP or control socket")) }
        }
        reloader.name = "bk-reload"
        reloader.start()
        let active = slot.current()
        logger.notice(
            "forwarding",
            metadata: [
                "port_a": "\(configuration.portA)", "port_b": "\(configuration.portB)",
                "policy": "\(configuration.policyPath)", "generation": "\(active.generation)",
                "sha256": "\(active.loaded.sha256)", "rules": "\(active.loaded.compiled.ruleCount)",
                "workers": "\(workers.count)", "control": "\(configuration.controlPath)",
                "metrics": "\(configuration.metrics ?? "off")",
            ])
        try? notifier.ready(status: readyStatus(active))
        controlLoop()
        logger.notice("stopping")
        try? notifier.stopping()
        reloadQueue.stop()
        metricsServer?.stop()
        for worker in shared {
            worker.stopRequested.store(true, ordering: .relaxed)
            worker.wake()
        }
        finished.wait()
        drainLogsAndCaptures(force: true)
        tearDown()
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

    private func blockSignals() {
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGHUP)
        sigaddset(&mask, SIGTERM)
        sigaddset(&mask, SIGINT)
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        signals = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        signal(SIGPIPE, SIG_IGN)
    }

    private func controlLoop() {
        var fds = [pollfd](repeating: pollfd(fd: -1, events: 0, revents: 0), count: 3)
        while !stopRequested {
            fds[0] = pollfd(fd: signals, events: Int16(POLLIN), revents: 0)
            fds[1] = pollfd(fd: listener?.fd ?? -1, events: Int16(POLLIN), revents: 0)
            fds[2] = pollfd(fd: stopEvent, events: Int16(POLLIN), revents: 0)
            _ = poll(&fds, nfds_t(fds.count), 200)
            if fds[0].revents != 0 { handleSignals() }
            if fds[1].revents != 0 { handleControlConnections() }
            if fds[2].revents != 0 {
                logger.notice(
                    "forwarded the requested number of frames", metadata: ["count": "\(configuration.count ?? 0)"])
                stopRequested = true
            }
            drainLogsAndCaptures(force: false)
        }
    }

    /// Reads every pending signal; several SIGHUPs while one reload runs make one more reload.
    private func handleSignals() {
        var reload = false
        var info = signalfd_siginfo()
        while read(signals, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGHUP: reload = true
            case SIGTERM, SIGINT: stopRequested = true
            default: break
            }
        }
        if reload && !stopRequested { reloadQueue.request() }
    }

    private func handleControlConnections() {
        while let listener, let (connection, request) = listener.accept() {
            let words = request.split(separator: " ").map(String.init)
            switch words.first {
            case "status":
                ControlListener.reply(connection, encode(status()))
            case "reload":
                reloadQueue.request(replyTo: connection)
            default:
                let (allowed, suppressed) = garbageLimiter.admit(now: Clock.monotonic())
                if allowed {
                    logger.warning(
                        "ignored a control request it does not understand",
                        metadata: ["request": "\(request.prefix(64))", "suppressed_before": "\(suppressed)"])
                }
                ControlListener.reply(connection, "{\"error\":\"unknown request; use status or reload\"}")
            }
        }
    }

    private func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Reload

    /// Reads the policy again with exactly `check`'s code; when it is good, puts it in force
    /// between batches and waits until every thread runs it.
    func reload(trigger: String) -> ReloadReply {
        try? notifier.reloading()
        let reply = performReload(trigger: trigger)
        reloadRecord.withLock { record in
            record.count += 1
            if !reply.ok { record.failures += 1 }
        }
        // systemd learns the outcome before the control client does.
        let status = reply.ok ? readyStatus(slot.current()) : "reload failed: \(reply.message)"
        try? notifier.ready(status: status)
        return reply
    }

    /// The `STATUS=` line for systemd.
    private func readyStatus(_ active: ActivePolicy) -> String {
        "forwarding \(configuration.portA) <-> \(configuration.portB), policy generation \(active.generation), "
            + "\(active.loaded.compiled.ruleCount) rules"
    }

    private func performReload(trigger: String) -> ReloadReply {
        let old = slot.current()
        let ports = mirrorPorts
        let mirroring = kernelMirror != nil
        let report = PolicyLoader.load(path: configuration.policyPath) { policy in
            mirroring ? KernelMirror.plan(policy, ports: ports).notes.map(\.diagnostic) : []
        }
        guard let loaded = report.loaded else {
            let errors = report.diagnostics.filter { $0.severity == .error }.map(\.summary)
            for error in errors { logger.error("\(error)") }
            return failedReload(
                trigger: trigger,
                message:
                    "\(errors.count) error\(errors.count == 1 ? "" : "s"); generation \(old.generation) stays in force",
                errors: errors, generation: old.generation)
        }
        // The same files again (a SIGHUP storm, a config tool re-sending): nothing to change,
        // and no need to make the kernel rebuild a large mirror table, as long as the kernel
        // still holds it (a reload also repairs a mirror someone flushed).
        if loaded.sha256 == old.loaded.sha256, mirrorIntact(for: loaded.compiled.policy) {
            logger.info(
                "reload: the policy files are unchanged",
                metadata: ["trigger": "\(trigger)", "generation": "\(old.generation)"])
            recordReload(
                StatusReport.Reload(
                    at: Clock.rfc3339(Clock.wall()), ok: true, generation: old.generation,
                    message: "files unchanged; generation \(old.generation) stays in force", errors: []))
            return ReloadReply(
                ok: true, generation: old.generation, message: "files unchanged; generation \(old.generation) stays",
                errors: [])
        }
        let monitorPorts: MonitorPorts
        do {
            monitorPorts = try monitors.ports(for: loaded.compiled)
        } catch {
            return failedReload(
                trigger: trigger, message: "\(error); generation \(old.generation) stays in force",
                errors: ["\(error)"], generation: old.generation)
        }
        // The kernel first: if nftables refuses the new table, neither side changes.
        if let kernelMirror {
            do {
                try kernelMirror.commit(KernelMirror.plan(loaded.compiled.policy, ports: ports))
            } catch {
                return failedReload(
                    trigger: trigger,
                    message: "nftables refused the new policy (\(error)); generation \(old.generation) stays in force",
                    errors: ["\(error)"], generation: old.generation)
            }
        }
        let next = ActivePolicy(
            loaded: loaded, generation: old.generation + 1, loadedAt: Clock.wall(), monitors: monitorPorts)
        openCaptureFiles(for: next)
        slot.publish(next)
        for worker in shared { worker.wake() }
        waitForThreads(toRun: next.generation)
        let change = RuleChanges(from: old.loaded.compiled.policy, to: loaded.compiled.policy)
        logger.notice(
            "reloaded",
            metadata: [
                "trigger": "\(trigger)", "generation": "\(next.generation)", "sha256": "\(loaded.sha256)",
                "rules": "\(loaded.compiled.ruleCount)", "added": "\(change.added.joined(separator: ","))",
                "removed": "\(change.removed.joined(separator: ","))",
                "changed": "\(change.changed.joined(separator: ","))",
            ])
        for warning in loaded.warnings { logger.warning("\(warning.summary)") }
        let message = change.summary
        recordReload(
            StatusReport.Reload(
                at: Clock.rfc3339(Clock.wall()), ok: true, generation: next.generation, message: message, errors: []))
        return ReloadReply(ok: true, generation: next.generation, message: message, errors: [])
    }

    /// The kernel still holds the mirror of `policy` (or there is no mirror to hold).
    private func mirrorIntact(for policy: Policy) -> Bool {
        guard let kernelMirror else { return true }
        let expected = Set(KernelMirror.plan(policy, ports: mirrorPorts).mirroredRuleNames)
        return kernelMirror.currentRuleNames() == expected
    }

    /// Logs and records a reload that changed nothing.
    private func failedReload(trigger: String, message: String, errors: [String], generation: UInt64) -> ReloadReply {
        logger.error("reload failed", metadata: ["trigger": "\(trigger)", "reason": "\(message)"])
        recordReload(
            StatusReport.Reload(
                at: Clock.rfc3339(Clock.wall()), ok: false, generation: generation, message: message, errors: errors))
        return ReloadReply(ok: false, generation: generation, message: message, errors: errors)
    }

    private func recordReload(_ reload: StatusReport.Reload) {
        reloadRecord.withLock { record in
            record.last = reload
            record.lastAt = Clock.wall()
        }
    }

    /// What `/metrics` shows: the status, as Prometheus families.
    func metricsSnapshot() -> MetricsSnapshot {
        let status = status()
        let record = reloadRecord.withLock { $0 }
        return MetricsSnapshot(
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
            defaultBytes: status.defaultBytes, reloads: record.count, reloadFailures: record.failures,
            lastReload: record.last.map {
                MetricsSnapshot.LastReload(ok: $0.ok, timestamp: Double(record.lastAt) / 1e9)
            },
            generation: status.policy.generation, policyLoadedAt: Double(slot.current().loadedAt) / 1e9,
            uptimeSeconds: status.uptimeSeconds, heldFrames: status.held, version: status.version)
    }

    /// Waits (up to two seconds) until every forwarding thread has switched to `generation`.
    private func waitForThreads(toRun generation: UInt64) {
        let deadline = Clock.monotonic() + 2_000_000_000
        while Clock.monotonic() < deadline {
            if shared.allSatisfy({ $0.appliedGeneration.load(ordering: .acquiring) >= generation }) { return }
            usleep(200)
        }
        logger.warning("a forwarding thread is slow to take the new policy", metadata: ["generation": "\(generation)"])
    }

    // MARK: Status

    func status() -> StatusReport {
        let active = slot.current()
        let names = active.loaded.compiled.ruleNames
        let totals = ledger.totals(for: names)
        let interfaces = [configuration.portA, configuration.portB]
        var ports: [StatusReport.Port] = []
        for port in 0..<2 {
            var values: [String: UInt64] = [:]
            for counter in PortCounter.allCases {
                values[counter.name] = counters.reduce(0) { $0 &+ $1.read(counter, port: UInt8(port)) }
            }
            let link = shared.first?.link(port) ?? .up
            ports.append(
                StatusReport.Port(
                    name: port == 0 ? "a" : "b", interface: interfaces[port], link: link.text, counters: values))
        }
        let kernel = kernelMirror?.counters() ?? [:]
        let rules = zip(names, totals.rules).map { name, count in
            StatusReport.Rule(
                name: name, packets: count.packets, bytes: count.bytes, kernelPackets: kernel[name]?.packets,
                kernelBytes: kernel[name]?.bytes)
        }
        return StatusReport(
            version: BridgekeeperVersion.text, pid: getpid(),
            uptimeSeconds: Double(Clock.monotonic() - startedAt) / 1e9, ports: ports, hostPort: tap?.name,
            policy: StatusReport.PolicyInfo(
                file: configuration.policyPath, generation: active.generation, sha256: active.loaded.sha256,
                loadedAt: Clock.rfc3339(active.loadedAt), rules: names.count),
            lastReload: reloadRecord.withLock { $0.last }, reloads: reloadRecord.withLock { $0.count }, rules: rules,
            defaultVerdict: active.loaded.compiled.policy.defaultVerdict.rawValue,
            defaultPackets: totals.default.packets, defaultBytes: totals.default.bytes,
            held: shared.reduce(0) { $0 + $1.held.load(ordering: .relaxed) },
            onFailure: configuration.onFailure.rawValue,
            mirrorTable: kernelMirror == nil ? nil : KernelMirror.table, workers: workers.count)
    }

    // MARK: log and pcap output

    /// Opens (appending) the capture files a policy names; files already open stay open.
    private func openCaptureFiles(for policy: ActivePolicy) {
        for path in policy.loaded.compiled.captureFiles where captureWriters.withLock({ $0[path] == nil }) {
            do {
                let file = try CaptureFile(path: path)
                captureWriters.withLock { $0[path] = file }
            } catch {
                logger.error("cannot open capture file", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// Writes queued `log` lines (rate-limited) and `pcap` copies; flushes files once a second.
    private func drainLogsAndCaptures(force: Bool) {
        let active = slot.current()
        let compiled = active.loaded.compiled
        for queue in logQueues {
            while let record = queue.pop() {
                let (allowed, suppressed) = logLimiter.admit(now: Clock.monotonic())
                guard allowed else { continue }
                let known = record.generation == active.generation
                let name =
                    record.rule < 0 ? "default" : known ? compiled.ruleNames[Int(record.rule)] : "rule#\(record.rule)"
                let prefix = known ? compiled.logPrefixes[Int(record.prefix)] : nil
                var line = LogLine.describe(rule: name, prefix: prefix, info: record.info, port: record.port)
                if suppressed > 0 { line += " suppressed_before=\(suppressed)" }
                logger.info("event=log \(line)", metadata: [LineLogHandler.fieldsKey: "1"])
            }
        }
        captureWriters.withLock { writers in
            for queue in captureQueues {
                while let (header, bytes) = queue.first() {
                    if header.generation == active.generation, Int(header.file) < compiled.captureFiles.count,
                        let writer = writers[compiled.captureFiles[Int(header.file)]]
                    {
                        writer.write(bytes, time: header.time, wireLength: Int(header.wireLength))
                    }
                    queue.removeFirst()
                }
            }
            let now = Clock.monotonic()
            if force || now >= nextFlush {
                nextFlush = now + 1_000_000_000
                for writer in writers.values { writer.flush() }
            }
        }
    }

    // MARK: Teardown

    /// Puts everything back without running (after a failed privilege drop, say).
    public func shutDown() {
        tearDown()
    }

    private func tearDown() {
        for worker in workers {
            for socket in worker.sockets { socket?.close() }
        }
        tap?.close()
        tap = nil
        monitors.closeAll()
        listener = nil
        for failure in kernelMirror?.stop() ?? [] { logger.error("nftables: \(failure)") }
        kernelMirror = nil
        for failure in preparation?.restore() ?? [] { logger.error("\(failure)") }
        preparation = nil
        captureWriters.withLock { writers in for writer in writers.values { writer.flush() } }
    }
}

/// The version `--version` and `status` report.
public enum BridgekeeperVersion {
    public static let text = "0.1.0"
}
