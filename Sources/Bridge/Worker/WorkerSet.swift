import Flow
import Frame
import Logging
import Mirror
import Pipeline
import Platform
import Ring

#if canImport(Glibc)
    import Glibc
#endif

/// The forwarding threads: one ``ForwardingWorker`` per `--workers`, each with its own socket on
/// each port (in one PACKET_FANOUT group per port when there are several), its counters, its
/// log and capture queues and its delay queue. Creates them, starts them (named and pinned),
/// stops and joins them, and answers for all of them together.
final class WorkerSet: @unchecked Sendable {
    private(set) var workers: [ForwardingWorker] = []
    /// By worker number: what each thread shares with the control plane.
    private(set) var channels: [WorkerChannels] = []
    private var threads: [PlatformThread] = []
    private let logger: Logger

    /// Opens every worker's sockets and builds the workers; throws (with every socket opened so
    /// far closed) when a socket cannot be opened.
    init(
        configuration: BridgeConfiguration, mtu: Int, hostPort: TapDevice?, slot: PolicySlot, ledger: CounterLedger,
        shared: SharedState, syncsFlows: Bool, host: any WorkerHost, logger: Logger
    ) throws(BridgeError) {
        self.logger = logger
        let flowsPerWorker = configuration.flowsPerWorker
        let budget = configuration.count.map { ForwardBudget(frames: $0) }
        var seeds = SplitMix64(seed: UInt64(truncatingIfNeeded: MonotonicClock.now()) ^ UInt64(getpid()))
        let settings = configuration.socketConfiguration(mtu: mtu)
        let interfaces = [configuration.portA, configuration.portB]
        for number in 0..<max(1, configuration.workers) {
            var sockets: [PacketSocket?] = []
            for (index, name) in interfaces.enumerated() {
                var perPort = settings
                if configuration.workers > 1 {
                    perPort.fanoutGroup = BridgeConfiguration.fanoutGroup(pid: getpid(), port: index)
                }
                do {
                    sockets.append(try PacketSocket(interface: name, configuration: perPort))
                } catch {
                    for socket in sockets { socket?.close() }
                    closeSockets()
                    throw .socket(error)
                }
            }
            let slotSize = sockets.compactMap { $0?.receiveGeometry.frameSize }.max() ?? 2048
            let channel = WorkerChannels(
                shared: WorkerShared(), counters: PortCounterBlock(), ledger: ledger, logs: LogRecordQueue(),
                captures: CaptureQueue(slotSize: slotSize),
                flowChanges: syncsFlows ? SPSCRing<FlowChange>(capacity: 65_536) : nil)
            let ports = WorkerPorts(sockets: sockets, hostPort: hostPort, linkMonitor: try? LinkMonitor())
            let state: ThreadState
            do {
                state = try ThreadState(
                    shared: shared, flowCapacity: flowsPerWorker,
                    settings: slot.current().loaded.compiled.policy.stateDefaults.flows, seed: seeds.next())
            } catch {
                for socket in sockets { socket?.close() }
                closeSockets()
                throw .flows("\(error)")
            }
            let worker = ForwardingWorker(
                configuration: WorkerConfiguration(number: number, of: configuration), ports: ports, slot: slot,
                channels: channel, state: state, budget: budget, host: host, logger: logger)
            workers.append(worker)
            channels.append(channel)
        }
    }

    /// Starts one thread per worker (`bk-forward-N`, pinned where `--cpu` says; a CPU the kernel
    /// refuses is a warning and the thread runs unpinned). Throws when a thread cannot start.
    func start() throws(BridgeError) {
        for worker in workers {
            let name = "bk-forward-\(worker.number)"
            let body: @Sendable () -> Void = { worker.run() }
            do throws(ThreadError) {
                do throws(ThreadError) {
                    threads.append(
                        try PlatformThread.start(name: name, cpus: worker.configuration.cpus, stackSize: 1 << 20, body))
                } catch .pinning(let failure) {
                    logger.warning(
                        "cannot pin forwarding thread", metadata: ["worker": "\(worker.number)", "error": "\(failure)"])
                    threads.append(try PlatformThread.start(name: name, stackSize: 1 << 20, body))
                }
            } catch {
                throw .thread("\(error)")
            }
        }
    }

    /// Asks every thread to stop and waits until all have (held frames sent, counters retired).
    func stopAndJoin() {
        for channel in channels {
            channel.shared.stopRequested.store(true, ordering: .relaxed)
            channel.shared.wake()
        }
        for thread in threads { thread.join() }
        threads = []
    }

    /// Ends every thread's current wait, so each looks at the policy slot now.
    func wakeAll() {
        for channel in channels { channel.shared.wake() }
    }

    /// Waits (up to `timeoutNanoseconds`) until every thread runs `generation`; false on timeout.
    func waitUntilAllRun(generation: UInt64, timeoutNanoseconds: UInt64 = 2_000_000_000) -> Bool {
        let deadline = MonotonicClock.now() + timeoutNanoseconds
        while MonotonicClock.now() < deadline {
            if channels.allSatisfy({ $0.shared.appliedGeneration.load(ordering: .acquiring) >= generation }) {
                return true
            }
            usleep(200)
        }
        return false
    }

    /// Frames held for a delay by all threads now.
    var held: Int { channels.reduce(0) { $0 + $1.shared.held.load(ordering: .relaxed) } }

    /// The link condition of `port` as the first thread last saw it.
    func link(_ port: Int) -> LinkCondition { channels.first?.shared.link(port) ?? .up }

    /// Puts `entries` (flows a crash left in the kernel) into every thread's flow table: the
    /// kernel's hash decides which thread sees a flow, so each one holds it. Before `start`.
    func restore(_ entries: [KernelFlowEntry], creator: UInt32, now: UInt64) -> Int {
        var restored = 0
        var ignored = NoFlowEvents()
        for worker in workers {
            guard let flows = worker.state.flows else { continue }
            for entry in entries
            where flows.insertEstablished(
                entry.flow.tuple, remaining: entry.remaining, creator: creator, now: now, events: &ignored) == .inserted
            {
                restored += 1
            }
        }
        return restored
    }

    /// Every thread's flows read directly, once the threads have stopped (``stopAndJoin()``).
    func flowsAfterStop() -> [FlowRecord] {
        let now = MonotonicClock.now()
        return workers.flatMap { $0.state.flows?.snapshot(now: now) ?? [] }
    }

    /// What every thread saw of its flows, for the kernel's flow sets (waits for each thread).
    func flowSnapshots() -> [FlowRecord] {
        channels.flatMap { $0.shared.requestFlows() ?? [] }
    }

    /// Every thread's own counters, per port (a, b).
    func perWorkerCounters() -> [[[PortCounter: UInt64]]] {
        channels.map { channel in
            (0..<2).map { port in
                Dictionary(
                    uniqueKeysWithValues: PortCounter.allCases.map {
                        ($0, channel.counters.read($0, port: UInt8(port)))
                    })
            }
        }
    }

    /// A port counter summed over every thread.
    func total(_ counter: PortCounter, port: Int) -> UInt64 {
        channels.reduce(0) { $0 &+ $1.counters.read(counter, port: UInt8(port)) }
    }

    /// Closes every port socket (at exit).
    func closeSockets() {
        for worker in workers {
            for socket in worker.ports.sockets { socket?.close() }
        }
    }
}
