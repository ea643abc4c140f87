import CLinuxShim
import Capture
import Platform
import Ring

#if canImport(Glibc)
    import Glibc
#endif

/// What a transmit run did, and why any of its threads stopped early.
public struct TransmitResult: Sendable {
    /// The totals over all threads.
    public var summary: TransmitSummary
    /// One entry per thread that failed (pinning, the link going down, ...).
    public var failures: [InjectionError]
    /// Where the capture is damaged, when a thread met the damage (every thread reads the same
    /// capture): the whole frames before it were sent.
    public var damage: CaptureDamage? { summary.damage }
}

/// Runs one transmit thread per socket (pinned round robin to ``TransmitOptions/cpus``, a CPU the
/// kernel refuses failing the start) until the frames run out, the duration passes, or
/// SIGINT/SIGTERM arrives, showing progress on the calling thread.
///
/// SIGINT and SIGTERM are blocked on the calling thread for the run (the transmit threads inherit
/// that) and read through a signalfd, so either ends the run cleanly with a summary; the signal
/// mask is restored afterwards.
public enum TransmitRunner {
    /// Sends through `sockets` (thread `i` owns `sockets[i]`), each thread's frames made on that
    /// thread by `makeSource` from its ``ThreadShare``.
    public static func run<Source: FrameSource>(
        sockets: [PacketSocket], options: TransmitOptions,
        makeSource: @escaping @Sendable (ThreadShare) throws(InjectionError) -> Source
    ) -> TransmitResult {
        var signals = SignalCatcher()
        defer { signals.restore() }
        let finished = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        defer { close(finished) }
        let stop = StopFlag()
        let outcomes = sockets.map { _ in ThreadOutcome() }
        var threads: [PlatformThread] = []
        var startFailures: [InjectionError] = []
        let start = MonotonicClock.now()
        for (index, socket) in sockets.enumerated() {
            let share = ThreadShare(thread: index, of: sockets.count)
            let outcome = outcomes[index]
            var cpus: [Int]?
            if let list = options.cpus, !list.isEmpty { cpus = [list[index % list.count]] }
            do throws(ThreadError) {
                threads.append(
                    try PlatformThread.start(name: "bk-transmit-\(index)", cpus: cpus) {
                        runThread(
                            share: share, socket: socket, options: options, stop: stop, outcome: outcome,
                            finished: finished, makeSource: makeSource)
                    })
            } catch {
                switch error {
                case .pinning(let failure): startFailures.append(.pinning(failure))
                case .startFailed(_, let code): startFailures.append(.threadFailed(code))
                }
                stop.set()
                break
            }
        }
        let interrupted = waitForThreads(
            count: threads.count, finished: finished, signals: &signals, stop: stop, outcomes: outcomes,
            options: options, start: start)
        for thread in threads { thread.join() }
        let end = MonotonicClock.now()
        let counters = outcomes.reduce(TransmitCounters()) { $0 + $1.counters }
        var summary = TransmitSummary(counters: counters, seconds: Double(end &- start) / 1e9, interrupted: interrupted)
        summary.damage = outcomes.lazy.compactMap(\.damage).first
        return TransmitResult(summary: summary, failures: outcomes.compactMap(\.failure) + startFailures)
    }

    /// The body of transmit thread `share.thread`.
    private static func runThread<Source: FrameSource>(
        share: ThreadShare, socket: PacketSocket, options: TransmitOptions, stop: StopFlag, outcome: ThreadOutcome,
        finished: Int32, makeSource: @Sendable (ThreadShare) throws(InjectionError) -> Source
    ) {
        defer {
            var one: UInt64 = 1
            _ = write(finished, &one, 8)
        }
        let source: Source
        do {
            source = try makeSource(share)
        } catch {
            outcome.failure = error
            return
        }
        var framesPerSecond = 0.0
        if case .rate(let total) = options.pacing { framesPerSecond = total / Double(share.threads) }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: TransmitLoop<Source>.scratchSize, alignment: 64)
        defer { scratch.deallocate() }
        var loop = TransmitLoop(
            source: source, socket: socket, stopRequested: stop, published: outcome.published, options: options,
            framesPerSecond: framesPerSecond, scratch: scratch)
        loop.run()
        outcome.counters = loop.counters
        outcome.failure = loop.failure ?? loop.source.failure
        outcome.damage = loop.source.damage
    }

    /// Waits until `count` threads have finished, stopping them at the deadline or on a signal and
    /// showing progress meanwhile. Returns whether a signal ended the run.
    private static func waitForThreads(
        count: Int, finished: Int32, signals: inout SignalCatcher, stop: StopFlag, outcomes: [ThreadOutcome],
        options: TransmitOptions, start: UInt64
    ) -> Bool {
        let deadline = options.durationSeconds.map { start &+ UInt64(max(0, $0) * 1e9) }
        let progressInterval: UInt64 = 250_000_000
        var progress = ProgressLine(start: start)
        var nextProgress = start &+ progressInterval
        var done = 0
        var interrupted = false
        while done < count {
            let now = MonotonicClock.now()
            var wake = options.progress ? nextProgress : now &+ progressInterval
            if let deadline, !stop.isSet { wake = min(wake, deadline) }
            let wait = wake > now ? wake &- now : 0
            var descriptors = [
                pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: finished, events: Int16(POLLIN), revents: 0),
            ]
            var timeout = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
            _ = cls_ppoll(&descriptors, 2, &timeout)
            if signals.takePending() {
                interrupted = true
                stop.set()
            }
            var ended: UInt64 = 0
            if read(finished, &ended, 8) == 8 { done += Int(ended) }
            let after = MonotonicClock.now()
            if let deadline, after >= deadline { stop.set() }
            if options.progress && after >= nextProgress && done < count {
                let total = outcomes.reduce(TransmitCounters()) { $0 + $1.published.current }
                progress.show(progress.text(total, now: after, elapsed: after &- start))
                nextProgress = after &+ progressInterval
            }
        }
        if options.progress { progress.clear() }
        return interrupted
    }
}

/// What one thread leaves for the main thread: counters while it runs, totals and failure after
/// (read only after the thread was joined).
final class ThreadOutcome: @unchecked Sendable {
    let published = PublishedCounters()
    var counters = TransmitCounters()
    var failure: InjectionError?
    var damage: CaptureDamage?
}

/// SIGINT and SIGTERM blocked on the calling thread and read through a signalfd.
struct SignalCatcher {
    private var previous = sigset_t()
    private(set) var descriptor: Int32 = -1

    init() {
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &mask, &previous)
        descriptor = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
    }

    /// Whether a signal arrived since the last call (reads them all).
    func takePending() -> Bool {
        var info = signalfd_siginfo()
        var any = false
        while read(descriptor, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            any = true
        }
        return any
    }

    /// Closes the signalfd and puts the previous mask back. A signal that arrived meanwhile was
    /// already consumed, so it does not kill the process now.
    mutating func restore() {
        if descriptor >= 0 {
            _ = takePending()
            close(descriptor)
            descriptor = -1
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
}
