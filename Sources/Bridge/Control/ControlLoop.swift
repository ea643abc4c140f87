import CLinuxShim
import Logging
import Platform
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the control loop asks of the bridge it serves.
protocol ControlHandler: AnyObject {
    /// The `status` reply (JSON).
    func statusReply() -> String
    /// Queues a reload; `connection`, when given, gets its result.
    func requestReload(replyTo connection: Int32?)
    /// The `flows` reply (JSON): every thread's live flows.
    func flowsReply() -> String
    /// The `reset-quota RULE` reply (JSON).
    func resetQuotaReply(rule: String) -> String
    /// The `set-list SET` reply (JSON): the dynamic set's elements.
    func setListReply(set: String) -> String
    /// Called every round (at least every 200 ms): time to drain logs and captures.
    func controlTick()
}

/// The control thread's loop: SIGHUP (reload), SIGTERM and SIGINT (stop) through a signalfd,
/// requests on the control socket (`status`, `reload`), and a stop asked for by a forwarding
/// thread (`--count` reached). Signals are blocked for the whole process before any thread
/// starts, so they arrive here and nowhere else.
final class ControlLoop: @unchecked Sendable {
    /// Why the loop ended.
    enum Ending: Equatable {
        case signal
        case countReached
        case workerFailed
    }

    /// The control socket (set once it is open; nil: signals only).
    var listener: ControlListener?
    private let logger: Logger
    private var signals: Int32 = -1
    private let stopEvent = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    private var garbageLimiter = RateLimiter(perSecond: 1, burst: 5)
    private let failed = Atomic<Bool>(false)

    init(listener: ControlListener?, logger: Logger) {
        self.listener = listener
        self.logger = logger
    }

    deinit {
        if signals >= 0 { close(signals) }
        close(stopEvent)
    }

    /// Blocks SIGHUP, SIGTERM and SIGINT in the calling thread (and every thread it starts
    /// later) and reads them from a signalfd instead; SIGPIPE is ignored.
    func takeSignals() {
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGHUP)
        sigaddset(&mask, SIGTERM)
        sigaddset(&mask, SIGINT)
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        signals = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        signal(SIGPIPE, SIG_IGN)
    }

    /// Any thread: ends ``run(handler:)`` (the requested number of frames was forwarded).
    func stopForCount() {
        var one: UInt64 = 1
        _ = write(stopEvent, &one, 8)
    }

    /// Any thread: ends ``run(handler:)`` because a forwarding thread failed.
    func stopForFailure() {
        failed.store(true, ordering: .relaxed)
        var one: UInt64 = 1
        _ = write(stopEvent, &one, 8)
    }

    /// Serves until a stop signal or ``stopForCount()``.
    func run(handler: some ControlHandler) -> Ending {
        var fds = [pollfd](repeating: pollfd(fd: -1, events: 0, revents: 0), count: 3)
        while true {
            fds[0] = pollfd(fd: signals, events: Int16(POLLIN), revents: 0)
            fds[1] = pollfd(fd: listener?.fd ?? -1, events: Int16(POLLIN), revents: 0)
            fds[2] = pollfd(fd: stopEvent, events: Int16(POLLIN), revents: 0)
            _ = poll(&fds, nfds_t(fds.count), 200)
            var ending: Ending?
            if fds[0].revents != 0 {
                let (reload, stop) = readSignals()
                if stop {
                    ending = .signal
                } else if reload {
                    handler.requestReload(replyTo: nil)
                }
            }
            if fds[1].revents != 0 { answerConnections(handler) }
            if fds[2].revents != 0 && ending == nil {
                ending = failed.load(ordering: .relaxed) ? .workerFailed : .countReached
            }
            handler.controlTick()
            if let ending { return ending }
        }
    }

    /// Reads every pending signal; several SIGHUPs while one reload runs make one more reload.
    private func readSignals() -> (reload: Bool, stop: Bool) {
        var reload = false
        var stop = false
        var info = signalfd_siginfo()
        while read(signals, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGHUP: reload = true
            case SIGTERM, SIGINT: stop = true
            default: break
            }
        }
        return (reload, stop)
    }

    private func answerConnections(_ handler: some ControlHandler) {
        while let listener, let (connection, request) = listener.accept() {
            let words = request.split(separator: " ").map(String.init)
            switch words.first {
            case "status":
                ControlListener.reply(connection, handler.statusReply())
            case "reload":
                handler.requestReload(replyTo: connection)
            case "flows":
                ControlListener.reply(connection, handler.flowsReply())
            case "reset-quota" where words.count == 2:
                ControlListener.reply(connection, handler.resetQuotaReply(rule: words[1]))
            case "set-list" where words.count == 2:
                ControlListener.reply(connection, handler.setListReply(set: words[1]))
            default:
                let (allowed, suppressed) = garbageLimiter.admit(now: MonotonicClock.now())
                if allowed {
                    logger.warning(
                        "ignored a control request it does not understand",
                        metadata: ["request": "\(request.prefix(64))", "suppressed_before": "\(suppressed)"])
                }
                ControlListener.reply(connection, ControlReplies.unknownRequest)
            }
        }
    }
}
