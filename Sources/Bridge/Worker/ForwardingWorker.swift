import CLinuxShim
import Frame
import Logging
import Pipeline
import Ring
import Ruleset

#if canImport(Glibc)
    import Glibc
#endif

/// How a forwarding thread sends and batches.
public struct WorkerOptions: Sendable {
    /// CPUs to pin the thread to (nil: not pinned).
    public var cpus: [Int]?
    /// Most frames taken from one port's ring before looking at the other (fairness).
    public var batchLimit: Int = 256
    /// Send through the egress port's TX ring, one kick per batch, instead of one `send()`
    /// per frame straight from the RX slot.
    public var transmitRing: Bool = false
    /// How long one retry waits for room, in microseconds.
    public var retryWaitMicroseconds: Int32 = 200
    /// Stop after forwarding this many frames (all threads together), as snf_bridge's `-n`.
    public var stopAfter: UInt64?
    /// After a batch, check the rings' status words for this long before sleeping (0: never).
    public var busyPollNanoseconds: UInt64 = 0
    public init() {}
}

/// One forwarding thread: both directions between its two port sockets, the delay queue, the
/// host port, link changes, and policy swaps between batches.
///
/// Everything per frame happens in ``forwardBatch(from:)``: read a ready RX slot, run the
/// pipeline, act on the verdict, release the slot in ring order. No allocation, lock, closure or
/// existential on that path.
final class ForwardingWorker: @unchecked Sendable {
    let number: Int
    let options: WorkerOptions
    /// Port a at 0, b at 1; nil while the interface is gone.
    var sockets: [PacketSocket?]
    let interfaceNames: [String]
    var linkUp: [Bool] = [true, true]
    let tap: TapDevice?
    let readsTap: Bool
    let slot: PolicySlot
    var active: ActivePolicy
    var pipeline: Pipeline
    let ledger: CounterLedger
    let counters: PortCounterBlock
    let shared: WorkerShared
    let delay: DelayQueue
    let macs: MACTable?
    let logs: LogRecordQueue
    let captures: CaptureQueue
    let linkMonitor: LinkMonitor?
    let reopenPort: (String) -> Bool
    let stopAll: () -> Void
    let logger: Logger
    private var effects: WorkerEffects
    private var random: SplitMix64
    private let hostBuffer: UnsafeMutableRawBufferPointer
    private var nextStatistics: UInt64 = 0
    private var linkLogLimiter = RateLimiter(perSecond: 1, burst: 10)

    init(
        number: Int, options: WorkerOptions, sockets: [PacketSocket], tap: TapDevice?, readsTap: Bool,
        slot: PolicySlot, ledger: CounterLedger, counters: PortCounterBlock, shared: WorkerShared,
        delay: DelayQueue, logs: LogRecordQueue, captures: CaptureQueue, linkMonitor: LinkMonitor?,
        reopenPort: @escaping (String) -> Bool, stopAll: @escaping () -> Void, logger: Logger
    ) {
        self.number = number
        self.options = options
        self.sockets = sockets
        self.interfaceNames = sockets.map(\.interfaceName)
        self.tap = tap
        self.readsTap = readsTap
        self.slot = slot
        self.active = slot.current()
        self.pipeline = Pipeline(policy: active.loaded.compiled)
        self.ledger = ledger
        self.counters = counters
        self.shared = shared
        self.delay = delay
        self.macs = tap == nil ? nil : MACTable()
        self.logs = logs
        self.captures = captures
        self.linkMonitor = linkMonitor
        self.reopenPort = reopenPort
        self.stopAll = stopAll
        self.logger = logger
        self.effects = WorkerEffects(
            logs: logs, captures: captures, counters: counters, monitors: active.monitors,
            generation: active.generation)
        self.random = SplitMix64(seed: UInt64(number + 1))
        self.hostBuffer = .allocate(byteCount: 65536, alignment: 16)
        ledger.switchTo(thread: number, names: pipeline.policy.ruleNames, counters: pipeline.counters)
        delay.prepare(ruleCount: pipeline.policy.ruleCount)
        shared.appliedGeneration.store(active.generation, ordering: .releasing)
    }

    deinit {
        hostBuffer.deallocate()
    }

    /// The loop. Returns when ``WorkerShared/stopRequested`` is set, after flushing held frames.
    func run() {
        if let cpus = options.cpus {
            do throws(CPUAffinity.Failure) {
                try CPUAffinity.pinCurrentThread(to: cpus)
            } catch {
                logger.warning("cannot pin forwarding thread", metadata: ["worker": "\(number)", "error": "\(error)"])
            }
        }
        var fds = [pollfd](repeating: pollfd(fd: -1, events: 0, revents: 0), count: 5)
        while !shared.stopRequested.load(ordering: .relaxed) {
            if slot.generation != active.generation { adoptNewPolicy() }
            fds[0] = pollfd(fd: linkUp[0] ? sockets[0]?.fileDescriptor ?? -1 : -1, events: Int16(POLLIN), revents: 0)
            fds[1] = pollfd(fd: linkUp[1] ? sockets[1]?.fileDescriptor ?? -1 : -1, events: Int16(POLLIN), revents: 0)
            fds[2] = pollfd(fd: readsTap ? tap?.fileDescriptor ?? -1 : -1, events: Int16(POLLIN), revents: 0)
            fds[3] = pollfd(fd: linkMonitor?.fileDescriptor ?? -1, events: Int16(POLLIN), revents: 0)
            fds[4] = pollfd(fd: shared.wakeDescriptor, events: Int16(POLLIN), revents: 0)
            var timeout = options.busyPollNanoseconds > 0 && busyPollFindsFrames() ? timespec() : waitTime()
            let ready = cls_ppoll(&fds, UInt(fds.count), &timeout)
            if ready < 0 && errno != EINTR { break }
            if fds[4].revents != 0 { shared.drainWake() }
            for port in 0..<2 where fds[port].revents != 0 {
                if fds[port].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                    portFailed(port)
                    continue
                }
                forwardBatch(from: UInt8(port))
            }
            if fds[2].revents & Int16(POLLIN) != 0 { forwardFromHost() }
            if fds[3].revents & Int16(POLLIN) != 0 { handleLinkEvents() }
            if delay.count > 0 { sendDueFrames(now: Clock.monotonic()) }
            if transmitBacklog { flushTransmitRings() }
            publishStatistics()
            if let limit = options.stopAfter, shared.forwarded.load(ordering: .relaxed) >= limit {
                stopAll()
                break
            }
        }
        flushHeldFrames()
        ledger.retire(thread: number)
    }

    /// How long the loop may sleep: until the next held frame is due, 200 µs while a TX ring
    /// still holds frames the kernel had no room for (they must not wait for the next arrival),
    /// else a second (the wake descriptor cuts it short).
    private func waitTime() -> timespec {
        var nanoseconds: UInt64 = 1_000_000_000
        if let due = delay.nextDue {
            let now = Clock.monotonic()
            nanoseconds = due <= now ? 0 : min(nanoseconds, due - now)
        }
        if transmitBacklog { nanoseconds = min(nanoseconds, 200_000) }
        return timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }

    /// Spins on both RX rings' next status word for up to ``WorkerOptions/busyPollNanoseconds``
    /// (no system call); true as soon as a frame is ready, so the loop polls without sleeping.
    /// Stops early for held frames, a TX backlog, or a stop or policy swap to act on.
    private func busyPollFindsFrames() -> Bool {
        let deadline = Clock.monotonic() &+ options.busyPollNanoseconds
        var spins = 0
        while true {
            for port in 0..<2 where linkUp[port] {
                if sockets[port]?.hasReadyFrame == true { return true }
            }
            spins += 1
            if spins & 63 == 0 {
                if shared.stopRequested.load(ordering: .relaxed) || slot.generation != active.generation
                    || delay.count > 0 || transmitBacklog || Clock.monotonic() >= deadline
                {
                    return false
                }
            }
            cls_cpu_relax()
        }
    }

    /// A TX ring holds frames not yet handed to the kernel.
    private var transmitBacklog: Bool {
        guard options.transmitRing else { return false }
        return (sockets[0]?.pendingTransmitCount ?? 0) > 0 || (sockets[1]?.pendingTransmitCount ?? 0) > 0
    }

    private func flushTransmitRings() {
        for port in 0..<2 {
            if let socket = sockets[port], socket.pendingTransmitCount > 0 {
                flushTransmitRing(socket, egress: UInt8(port))
            }
        }
    }

    // MARK: The per-frame path

    /// Every ready frame of `port`'s ring (up to the batch limit), in ring order.
    private func forwardBatch(from port: UInt8) {
        guard let socket = sockets[Int(port)] else { return }
        let egress = port ^ 1
        var taken = 0
        var info = FrameInfo()
        effects.port = port
        while taken < options.batchLimit, let received = socket.receive() {
            taken += 1
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
                decision = pipeline.process(&frame, info: &info, port: port, effects: &effects)
            } else {
                decision = pipeline.decideByDefault(length: frame.length)
            }
            switch decision.verdict {
            case .forward:
                forward(frame.readOnlyBytes, egress: egress, decision: decision)
            case .drop:
                counters.add(.dropped, port: port)
            case .reflect:
                reflect(frame.readOnlyBytes, from: port)
            case .reflectForward:
                reflect(frame.readOnlyBytes, from: port)
                forward(frame.readOnlyBytes, egress: egress, decision: decision)
            }
            socket.release()
        }
        if options.transmitRing, let out = sockets[Int(egress)], out.pendingTransmitCount > 0 {
            flushTransmitRing(out, egress: egress)
        }
    }

    /// Sends now, or holds for the rule's delay.
    @inline(__always)
    private func forward(_ bytes: UnsafeRawBufferPointer, egress: UInt8, decision: Decision) {
        if decision.delayNanoseconds > 0 {
            let due = Clock.monotonic() &+ decision.holdNanoseconds(randomBits: random.next())
            if delay.hold(bytes, due: due, egress: egress, retries: decision.retries, rule: decision.rule) {
                counters.add(.delayed, port: egress)
                shared.held.store(delay.count, ordering: .relaxed)
            } else {
                counters.add(.delayOverflow, port: egress)
            }
            return
        }
        send(bytes, egress: egress, retries: decision.retries)
    }

    /// One frame out of `egress`, retrying up to `retries` times when there is no room.
    @inline(__always)
    private func send(_ bytes: UnsafeRawBufferPointer, egress: UInt8, retries: UInt8) {
        guard linkUp[Int(egress)], let socket = sockets[Int(egress)] else {
            counters.add(.linkDownDrops, port: egress)
            return
        }
        var attempts: UInt8 = 0
        while true {
            let result: SendResult
            if options.transmitRing {
                switch socket.enqueue(bytes) {
                case .queued: result = .sent
                case .full:
                    flushTransmitRing(socket, egress: egress)
                    result = .noRoom
                case .tooBig: result = .tooBig
                case .tooShort, .noTransmitRing: result = .failed(errno: EINVAL)
                }
            } else {
                result = socket.send(bytes)
            }
            switch result {
            case .sent:
                counters.add(.txFrames, port: egress)
                counters.add(.txBytes, port: egress, UInt64(bytes.count))
                shared.forwarded.store(shared.forwarded.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
                return
            case .noRoom where attempts < retries:
                attempts += 1
                counters.add(.retries, port: egress)
                waitForRoom(socket)
            case .linkDown:
                counters.add(.linkDownDrops, port: egress)
                return
            default:
                counters.add(.sendErrors, port: egress)
                return
            }
        }
    }

    /// A short, bounded wait for room to send on `socket`.
    private func waitForRoom(_ socket: PacketSocket) {
        var fd = pollfd(fd: socket.fileDescriptor, events: Int16(POLLOUT), revents: 0)
        var timeout = timespec(tv_sec: 0, tv_nsec: Int(options.retryWaitMicroseconds) * 1000)
        _ = cls_ppoll(&fd, 1, &timeout)
    }

    private func flushTransmitRing(_ socket: PacketSocket, egress: UInt8) {
        switch socket.flush() {
        case .sent, .noRoom: break
        case .linkDown: counters.add(.linkDownDrops, port: egress)
        default: counters.add(.sendErrors, port: egress)
        }
    }

    /// Hands a frame to the host's stack through the TAP host port.
    @inline(__always)
    private func reflect(_ bytes: UnsafeRawBufferPointer, from port: UInt8) {
        guard let tap else {
            counters.add(.dropped, port: port)
            return
        }
        if case .sent = tap.write(bytes) {
            counters.add(.reflected, port: port)
        } else {
            counters.add(.sendErrors, port: port)
        }
    }

    /// Frames the host sent into the TAP go to the segment that holds their destination MAC
    /// (both segments when it is unknown or a group address).
    private func forwardFromHost() {
        guard let tap else { return }
        for _ in 0..<options.batchLimit {
            guard case .frame(let length) = tap.read(into: hostBuffer), length >= 14 else { return }
            let bytes = UnsafeRawBufferPointer(start: hostBuffer.baseAddress, count: length)
            var destination: UInt64 = 0
            for i in 0..<6 { destination = destination << 8 | UInt64(bytes[i]) }
            let ports: [UInt8] = macs?.port(of: destination).map { [$0] } ?? [0, 1]
            for port in ports {
                counters.add(.fromHost, port: port)
                send(bytes, egress: port, retries: 2)
            }
        }
    }

    // MARK: Delay queue

    private func sendDueFrames(now: UInt64) {
        while let entry = delay.peekDue(now: now) {
            send(delay.bytes(of: entry), egress: entry.egress, retries: entry.retries)
            delay.removeFirst()
        }
        if options.transmitRing { flushTransmitRings() }
        shared.held.store(delay.count, ordering: .relaxed)
    }

    /// At exit, held frames leave at once rather than being lost.
    private func flushHeldFrames() {
        if delay.count > 0 {
            logger.info("sending frames held for delay before exit", metadata: ["frames": "\(delay.count)"])
        }
        while let entry = delay.peek() {
            send(delay.bytes(of: entry), egress: entry.egress, retries: entry.retries)
            delay.removeFirst()
        }
        flushTransmitRings()
        shared.held.store(0, ordering: .relaxed)
    }

    // MARK: Policy swaps, links, statistics

    /// Between batches: switch to the policy the control thread published.
    private func adoptNewPolicy() {
        active = slot.current()
        pipeline = Pipeline(policy: active.loaded.compiled)
        ledger.switchTo(thread: number, names: pipeline.policy.ruleNames, counters: pipeline.counters)
        delay.prepare(ruleCount: pipeline.policy.ruleCount)
        effects.monitors = active.monitors
        effects.generation = active.generation
        shared.appliedGeneration.store(active.generation, ordering: .releasing)
    }

    /// The port's socket reported an error (link down or interface removed): stop polling it.
    private func portFailed(_ port: Int) {
        guard let socket = sockets[port] else { return }
        let error = socket.takePendingError()
        if socket.isDetached {
            socket.close()
            sockets[port] = nil
            setLink(port, .gone, reason: "interface removed")
        } else {
            setLink(port, .down, reason: error.map { "\($0)" } ?? "link down")
        }
    }

    private func handleLinkEvents() {
        guard let linkMonitor else { return }
        let events = linkMonitor.readEvents()
        for event in events.events {
            guard let port = interfaceNames.firstIndex(of: event.state.name) else { continue }
            if event.isDeleted {
                if let socket = sockets[port] {
                    socket.close()
                    sockets[port] = nil
                }
                setLink(port, .gone, reason: "interface removed")
            } else if event.state.canForward {
                if sockets[port] == nil || sockets[port]!.isDetached {
                    // The interface came back under the same name: new index, new socket.
                    guard reopenPort(interfaceNames[port]) else { continue }
                    do {
                        sockets[port] =
                            try sockets[port]?.reopen()
                            ?? PacketSocket(
                                interface: interfaceNames[port], configuration: socketConfiguration(port))
                    } catch {
                        logger.error(
                            "cannot reopen port", metadata: ["port": "\(interfaceNames[port])", "error": "\(error)"])
                        continue
                    }
                }
                // The ENETDOWN the kernel left on the socket when the link went down is stale now;
                // unread, it would fail the port again at the next poll, with no event to revive it.
                _ = sockets[port]?.takePendingError()
                setLink(port, .up, reason: "link up")
            } else if sockets[port] != nil {
                // (A port already gone stays gone until it comes back: the messages the kernel
                // sends while tearing an interface down are not news.)
                setLink(port, .down, reason: event.state.isUp ? "no carrier" : "admin down")
            }
        }
    }

    /// The configuration the port's socket was opened with (to reopen it).
    private func socketConfiguration(_ port: Int) -> PacketSocketConfiguration {
        sockets[port ^ 1]?.configuration ?? PacketSocketConfiguration()
    }

    private func setLink(_ port: Int, _ condition: LinkCondition, reason: String) {
        let previous = shared.link(port)
        linkUp[port] = condition == .up
        shared.setLink(port, condition)
        guard previous != condition, number == 0 else { return }
        // A flapping link must not fill the disk: a burst, then one line a second.
        let (allowed, suppressed) = linkLogLimiter.admit(now: Clock.monotonic())
        guard allowed else { return }
        let level: Logger.Level = condition == .up ? .notice : .warning
        var metadata: Logger.Metadata = [
            "port": "\(port == 0 ? "a" : "b")", "interface": "\(interfaceNames[port])", "reason": "\(reason)",
        ]
        if suppressed > 0 { metadata["suppressed_before"] = "\(suppressed)" }
        logger.log(level: level, "port \(condition.text)", metadata: metadata)
    }

    /// Once a second: ring drops from PACKET_STATISTICS into the port counters.
    private func publishStatistics() {
        let now = Clock.monotonic()
        guard now >= nextStatistics else { return }
        nextStatistics = now + 1_000_000_000
        for port in 0..<2 {
            guard let socket = sockets[port] else { continue }
            let statistics = socket.statistics()
            let known = counters.read(.ringDrops, port: UInt8(port))
            if statistics.dropped > known { counters.add(.ringDrops, port: UInt8(port), statistics.dropped - known) }
        }
    }
}
