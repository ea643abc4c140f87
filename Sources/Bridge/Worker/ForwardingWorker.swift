import Answers
import CLinuxShim
import Flow
import Frame
import Logging
import Pipeline
import Platform
import Ring
import Ruleset

#if canImport(Glibc)
    import Glibc
#endif

/// One forwarding thread: both directions between its two port sockets, the delay queue, the
/// host port, link changes, and policy swaps between batches.
///
/// Everything per frame happens in ``forwardBatch(from:)``: read a ready RX slot, run the
/// pipeline, act on the verdict, release the slot in ring order. No allocation, lock, closure or
/// existential on that path. Sending, the host port, the delay queue and links are in the
/// `ForwardingWorker+*.swift` files beside this one.
final class ForwardingWorker: @unchecked Sendable {
    let configuration: WorkerConfiguration
    var ports: WorkerPorts
    let interfaceNames: [String]
    var linkUp: [Bool] = [true, true]
    let slot: PolicySlot
    var active: ActivePolicy
    var pipeline: Pipeline
    let channels: WorkerChannels
    /// `--count`: the frames all threads may still forward (nil: no limit).
    let budget: ForwardBudget?
    /// The thread's flows, buckets and meters, kept across reloads.
    let state: ThreadState
    let delay: DelayQueue
    /// Where host-port frames go: learned from source MACs, only with a host port.
    let macs: MACTable?
    weak var host: (any WorkerHost)?
    let logger: Logger
    var effects: WorkerEffects
    /// One per egress port (a at 0, b at 1): the TX ring path, its retries and tally.
    var transmitters: [Transmitter]
    var random: SplitMix64
    let hostBuffer: UnsafeMutableRawBufferPointer
    /// Where a `reject`'s answer is built.
    let answerBuffer: UnsafeMutableRawBufferPointer
    var nextStatistics: UInt64 = 0
    /// Whether to spin on the rings before sleeping, and for how long.
    var polling: AdaptivePoll
    /// Frames this thread has taken from its rings.
    var framesSeen = 0
    var linkLogLimiter = RateLimiter(perSecond: 1, burst: 10)
    /// Clocks each frame when the kernel received it, not when its batch was read.
    var arrivals = ArrivalClock()

    var number: Int { configuration.number }
    var counters: PortCounterBlock { channels.counters }
    var shared: WorkerShared { channels.shared }

    init(
        configuration: WorkerConfiguration, ports: WorkerPorts, slot: PolicySlot, channels: WorkerChannels,
        state: ThreadState, budget: ForwardBudget?, host: any WorkerHost, logger: Logger
    ) {
        self.budget = budget
        self.configuration = configuration
        self.ports = ports
        self.interfaceNames = ports.sockets.map { $0?.interfaceName ?? "" }
        self.slot = slot
        self.active = slot.current()
        self.state = state
        self.pipeline = Self.pipeline(for: active, state: state)
        self.channels = channels
        let slotSize = ports.sockets.compactMap { $0?.receiveGeometry.frameSize }.max() ?? 2048
        self.delay = DelayQueue(capacity: configuration.delayCapacity, slotSize: slotSize)
        self.macs = ports.hostPort == nil ? nil : MACTable()
        self.host = host
        self.logger = logger
        self.effects = WorkerEffects(
            logs: channels.logs, captures: channels.captures, counters: channels.counters,
            monitors: active.monitors, generation: active.generation, flowChanges: channels.flowChanges)
        let wait = TransmitWait(retryNanoseconds: UInt64(configuration.retryWaitMicroseconds) * 1000)
        self.transmitters = [Transmitter(wait: wait), Transmitter(wait: wait)]
        self.random = SplitMix64(seed: UInt64(configuration.number + 1))
        self.polling = AdaptivePoll(fixed: configuration.busyPollNanoseconds)
        self.hostBuffer = .allocate(byteCount: 65536, alignment: 16)
        self.answerBuffer = .allocate(byteCount: AnswerBuilder.maximumAnswerLength, alignment: 16)
        channels.ledger.switchTo(thread: number, names: pipeline.policy.ruleNames, counters: pipeline.counters)
        delay.prepare(ruleCount: pipeline.policy.ruleCount)
        shared.appliedGeneration.store(active.generation, ordering: .releasing)
    }

    deinit {
        hostBuffer.deallocate()
        answerBuffer.deallocate()
    }

    /// A pipeline for `active` on this thread's state, with fresh counters.
    private static func pipeline(for active: ActivePolicy, state: ThreadState) -> Pipeline {
        let compiled = active.loaded.compiled
        return Pipeline(
            policy: compiled, counters: RuleCounters(ruleCount: compiled.ruleCount), state: state,
            now: MonotonicClock.now())
    }

    /// The loop. Returns when ``WorkerShared/stopRequested`` is set, after flushing held frames.
    func run() {
        var fds = [pollfd](repeating: pollfd(fd: -1, events: 0, revents: 0), count: 5)
        while !shared.stopRequested.load(ordering: .relaxed) {
            if slot.generation != active.generation { adoptNewPolicy() }
            fds[0] = pollfd(fd: pollDescriptor(port: 0), events: Int16(POLLIN), revents: 0)
            fds[1] = pollfd(fd: pollDescriptor(port: 1), events: Int16(POLLIN), revents: 0)
            let hostDescriptor = configuration.readsHostPort ? ports.hostPort?.fileDescriptor ?? -1 : -1
            fds[2] = pollfd(fd: hostDescriptor, events: Int16(POLLIN), revents: 0)
            fds[3] = pollfd(fd: ports.linkMonitor?.fileDescriptor ?? -1, events: Int16(POLLIN), revents: 0)
            fds[4] = pollfd(fd: shared.wakeDescriptor, events: Int16(POLLIN), revents: 0)
            let spin = polling.spin(now: MonotonicClock.now())
            var timeout = spin > 0 && busyPollFindsFrames(for: spin) ? timespec() : waitTime()
            var ready = cls_ppoll(&fds, UInt(fds.count), &timeout)
            if let fault = configuration.injectedPollFault, framesSeen >= fault {
                ready = -1
                errno = EIO
            }
            if ready < 0 && errno != EINTR {
                fail("ppoll: \(Errno.current)")
                break
            }
            if fds[4].revents != 0 { shared.drainWake() }
            var taken = 0
            for port in 0..<2 where fds[port].revents != 0 {
                if fds[port].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                    portFailed(port)
                    continue
                }
                taken &+= forwardBatch(from: UInt8(port))
            }
            if taken > 0 {
                polling.sawFrames(at: MonotonicClock.now())
                framesSeen &+= taken
            }
            if fds[2].revents & Int16(POLLIN) != 0 { forwardFromHost() }
            if fds[3].revents & Int16(POLLIN) != 0 { handleLinkEvents() }
            if delay.count > 0 { sendDueFrames(now: MonotonicClock.now()) }
            if transmitBacklog { flushTransmitRings() }
            if let flows = state.flows, flows.statistics.inUse > 0 {
                flows.expire(now: MonotonicClock.now(), budget: 256, events: &effects)
            }
            if shared.flowsRequested {
                // The figures from the same moment as the list, not from the last second's publish.
                if let flows = state.flows { shared.publish(flows.statistics) }
                shared.deliver(state.flows?.snapshot(now: MonotonicClock.now()) ?? [])
            }
            publishStatistics()
            if let budget, budget.exhausted {
                host?.forwardedRequestedCount()
                break
            }
        }
        flushHeldFrames()
        channels.ledger.retire(thread: number)
    }

    /// The thread cannot go on: it says why (log, status) and the bridge stops, so that the fail
    /// mode applies and systemd restarts it, rather than forwarding on with a thread missing.
    private func fail(_ reason: String) {
        logger.critical("forwarding thread failed", metadata: ["worker": "\(number)", "reason": "\(reason)"])
        shared.recordFailure(reason)
        host?.workerFailed(number: number, reason: reason)
    }

    /// The socket to poll for `port`, or -1 while its link is down or it is gone.
    private func pollDescriptor(port: Int) -> Int32 {
        linkUp[port] ? ports.sockets[port]?.fileDescriptor ?? -1 : -1
    }

    /// How long the loop may sleep: until the next held frame is due, 200 µs while a TX ring
    /// still holds frames the kernel had no room for (they must not wait for the next arrival),
    /// else a second (the wake descriptor cuts it short).
    private func waitTime() -> timespec {
        var nanoseconds: UInt64 = 1_000_000_000
        if let due = delay.nextDue {
            let now = MonotonicClock.now()
            nanoseconds = due <= now ? 0 : min(nanoseconds, due - now)
        }
        if transmitBacklog { nanoseconds = min(nanoseconds, 200_000) }
        return timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }

    /// Spins on both RX rings' next status word for up to `nanoseconds` (no system call); true
    /// as soon as a frame is ready, so the loop polls without sleeping. Stops early for held
    /// frames, a TX backlog, or a stop or policy swap to act on.
    private func busyPollFindsFrames(for nanoseconds: UInt64) -> Bool {
        let deadline = MonotonicClock.now() &+ nanoseconds
        var spins = 0
        while true {
            for port in 0..<2 where linkUp[port] {
                if ports.sockets[port]?.hasReadyFrame == true { return true }
            }
            spins += 1
            if spins & 63 == 0 {
                if shared.stopRequested.load(ordering: .relaxed) || slot.generation != active.generation
                    || delay.count > 0 || transmitBacklog || MonotonicClock.now() >= deadline
                {
                    return false
                }
            }
            cls_cpu_relax()
        }
    }

    // MARK: The per-frame path

    /// Every ready frame of `port`'s ring (up to the batch limit), in ring order; how many.
    private func forwardBatch(from port: UInt8) -> Int {
        guard let socket = ports.sockets[Int(port)] else { return 0 }
        let egress = port ^ 1
        var taken = 0
        var info = FrameInfo()
        effects.port = port
        arrivals.startBatch(monotonic: MonotonicClock.now(), wall: WallClock.now())
        while taken < configuration.batchLimit, let received = socket.receive() {
            taken += 1
            let now = arrivals.arrival(received.timestamp)
            var frame = received.buffer
            counters.add(.rxFrames, port: port)
            counters.add(.rxBytes, port: port, UInt64(received.wireLength))
            if received.flags.contains(.truncated) {
                counters.add(.truncated, port: port)
                socket.release()
                continue
            }
            let decision: Decision
            if pipeline.needsFrameInfo || macs != nil || received.flags.contains(.checksumNotReady) {
                FrameInfo.parse(frame.readOnlyBytes, into: &info)
                if received.flags.contains(.checksumNotReady) {
                    // The sender left its checksum to offload; nobody downstream will fill it in.
                    frame.completeL4Checksum(info: info)
                }
                if let macs, info.present.contains(.ethernet) { macs.learn(info.sourceMAC, port: port) }
                decision = pipeline.process(&frame, info: &info, port: port, now: now, effects: &effects)
            } else {
                decision = pipeline.decideByDefault(length: frame.length)
            }
            switch decision.verdict {
            case .forward:
                forward(frame.readOnlyBytes, egress: egress, decision: decision)
            case .drop:
                counters.add(.dropped, port: port)
            case .reject:
                counters.add(.dropped, port: port)
                answer(frame.readOnlyBytes, info: info, decision: decision, from: port, now: now, received: received)
            case .reflect:
                reflect(frame.readOnlyBytes, from: port)
            case .reflectForward:
                reflect(frame.readOnlyBytes, from: port)
                forward(frame.readOnlyBytes, egress: egress, decision: decision)
            }
            socket.release()
        }
        if configuration.transmitRing, let out = ports.sockets[Int(egress)], out.pendingTransmitCount > 0 {
            flushTransmitRing(out, egress: egress)
        }
        return taken
    }

    /// Sends a rejected frame's answer (when it gets one) back out of the port it came in on. A
    /// checksum the sender left to offload was completed before the policy ran, so only one
    /// the driver already validated is not checked again.
    @inline(__always)
    private func answer(
        _ bytes: UnsafeRawBufferPointer, info: FrameInfo, decision: Decision, from port: UInt8, now: UInt64,
        received: ReceivedFrame
    ) {
        let length = pipeline.answer(
            bytes, info: info, decision: decision, now: now,
            verifyingChecksum: !received.flags.contains(.checksumValid), into: answerBuffer)
        guard length > 0 else { return }
        counters.add(.answers, port: port)
        send(UnsafeRawBufferPointer(start: answerBuffer.baseAddress, count: length), egress: port, retries: 0)
    }

    /// Sends now, or holds for the rule's delay (within `--count`'s budget, when there is one).
    @inline(__always)
    private func forward(_ bytes: UnsafeRawBufferPointer, egress: UInt8, decision: Decision) {
        if let budget {
            guard budget.take() else { return }
            if decision.delayNanoseconds == 0 && !send(bytes, egress: egress, retries: decision.retries) {
                budget.giveBack()
            } else if decision.delayNanoseconds > 0 {
                hold(bytes, egress: egress, decision: decision)
            }
            return
        }
        if decision.delayNanoseconds > 0 {
            hold(bytes, egress: egress, decision: decision)
            return
        }
        send(bytes, egress: egress, retries: decision.retries)
    }

    /// Between batches: switch to the policy the control thread published.
    private func adoptNewPolicy() {
        active = slot.current()
        pipeline = Self.pipeline(for: active, state: state)
        channels.ledger.switchTo(thread: number, names: pipeline.policy.ruleNames, counters: pipeline.counters)
        delay.prepare(ruleCount: pipeline.policy.ruleCount)
        effects.monitors = active.monitors
        effects.generation = active.generation
        shared.appliedGeneration.store(active.generation, ordering: .releasing)
    }
}
