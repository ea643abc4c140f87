import Dispatch
import Synchronization

/// Reloads run on their own thread, one at a time, so the control socket keeps answering
/// `status` while a large policy is checked and committed. Requests that arrive during a reload
/// are coalesced into one more reload after it, which reads the newest file; every control
/// connection that asked is answered with the result of a reload that started after it asked.
final class ReloadQueue: @unchecked Sendable {
    private struct State {
        var pending = false
        var waiting: [Int32] = []
        var stopping = false
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Asks for a reload; `connection` (a control socket client) gets the result.
    func request(replyTo connection: Int32? = nil) {
        state.withLock { state in
            state.pending = true
            if let connection { state.waiting.append(connection) }
        }
        wake.signal()
    }

    /// The reload thread's loop: runs `reload` for each batch of requests, sends each waiting
    /// connection the encoded result, and returns after ``stop()``.
    func run(reload: () -> String) {
        while true {
            wake.wait()
            let (go, waiting, stopping) = state.withLock { state in
                defer {
                    state.pending = false
                    state.waiting = []
                }
                return (state.pending, state.waiting, state.stopping)
            }
            if stopping {
                for connection in waiting {
                    ControlListener.reply(connection, ReloadReply.stopping.json)
                }
                finished.signal()
                return
            }
            guard go else { continue }
            let reply = reload()
            for connection in waiting { ControlListener.reply(connection, reply) }
        }
    }

    /// Ends the loop after the reload in progress (if any); waits for it.
    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
        finished.wait()
    }
}
