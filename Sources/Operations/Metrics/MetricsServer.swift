import CLinuxShim
import Glibc
import Platform
import Synchronization

/// A tiny HTTP/1.1 server for `GET /metrics`, on its own thread.
///
/// `init` binds and listens at once, so a bad address or a port in use is reported before the
/// bridge starts (and a port below 1024 can be bound before privileges are dropped). ``start()``
/// starts the thread; each request calls the snapshot closure on that thread, renders it with
/// ``PrometheusText`` and closes the connection. One connection at a time, every read and write
/// with a timeout: a slow client delays the next scrape, never the bridge. The thread blocks every
/// signal, so SIGHUP and SIGTERM keep going to the bridge's signalfd.
public final class MetricsServer: Sendable {
    /// The address it listens on (with the real port when 0 was asked for).
    public let address: ListenAddress
    private let listenFD: Int32
    private let wakeFD: Int32
    private let render: @Sendable () -> String
    private let timeoutSeconds: Int
    private let state = Mutex(State())

    private struct State {
        var thread: PlatformThread?
        var stopped = false
    }

    /// Listens on `listen` (`ADDR:PORT`, `[IPV6]:PORT`, `:PORT`); `snapshot` is called for every
    /// scrape, on the server thread.
    public convenience init(
        listen: String, timeoutSeconds: Int = 2, snapshot: @escaping @Sendable () -> MetricsSnapshot
    ) throws(MetricsError) {
        try self.init(
            address: ListenAddress.parse(listen), timeoutSeconds: timeoutSeconds,
            render: { PrometheusText.render(snapshot()) })
    }

    /// Listens on `address`; `render` produces the exposition text for every scrape.
    public init(
        address: ListenAddress, timeoutSeconds: Int = 2, render: @escaping @Sendable () -> String
    ) throws(MetricsError) {
        let socket = try ListeningSocket(address)
        let wake = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wake >= 0 else {
            let code = Errno.current
            close(socket.fd)
            throw .cannotListen(address.description, errno: code)
        }
        self.address = socket.address
        listenFD = socket.fd
        wakeFD = wake
        self.render = render
        self.timeoutSeconds = max(1, timeoutSeconds)
    }

    deinit {
        stop()
    }

    /// The port it listens on.
    public var port: UInt16 { address.port }

    /// Starts serving on a new thread (named `bk-metrics`); does nothing if already started.
    public func start() {
        state.withLock { state in
            guard state.thread == nil, !state.stopped else { return }
            // The new thread inherits this mask: it starts with every signal blocked.
            var all = sigset_t()
            var previous = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            // The thread holds the server until it returns (a failed start leaves it unserved).
            state.thread = try? PlatformThread.start(name: "bk-metrics") { self.serveUntilStopped() }
        }
    }

    /// Stops the thread, waits for it, and closes the port; a stopped server does not start again.
    public func stop() {
        let (thread, wasStopped) = state.withLock { state -> (PlatformThread?, Bool) in
            defer {
                state.stopped = true
                state.thread = nil
            }
            return (state.thread, state.stopped)
        }
        guard !wasStopped else { return }
        if let thread {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
            if !thread.isCurrent { thread.join() }
        }
        close(listenFD)
        close(wakeFD)
    }

    private func serveUntilStopped() {
        var fds = [
            pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 || ready < 0 { return }
            guard fds[0].revents != 0 else { continue }
            while true {
                let connection = accept(listenFD, nil, nil)
                guard connection >= 0 else { break }
                // Blocking (Linux does not pass O_NONBLOCK on to accepted sockets), with timeouts.
                _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                HTTPExchange.serve(connection: connection, timeoutSeconds: timeoutSeconds, metrics: render)
            }
        }
    }
}
