import CLinuxShim

#if canImport(Glibc)
    import Glibc
#endif

/// A named POSIX thread, optionally pinned to CPUs and given its own stack size, that can be
/// joined: the forwarding workers, the transmit threads and the metrics server.
///
/// ```swift
/// let thread = try PlatformThread.start(name: "bk-worker-0", cpus: [2]) { worker.run() }
/// thread.join()
/// ```
///
/// The CPUs are set on the thread's attributes, so the thread runs its first instruction on them
/// and a list the kernel refuses fails ``start(name:cpus:stackSize:_:)`` instead of the thread.
/// The body runs on a plain thread, off every actor. Join each thread once; a thread not joined
/// when its ``PlatformThread`` is released is detached.
public final class PlatformThread: @unchecked Sendable {
    /// The name given at start (the kernel shows its first 15 bytes).
    public let name: String
    /// The CPUs the thread was pinned to, or nil.
    public let cpus: [Int]?
    private let handle: pthread_t
    private var joined = false

    private init(name: String, cpus: [Int]?, handle: pthread_t) {
        self.name = name
        self.cpus = cpus
        self.handle = handle
    }

    deinit {
        if !joined { pthread_detach(handle) }
    }

    /// Starts `body` on a new thread called `name`, pinned to `cpus` when given, with a stack of
    /// `stackSize` bytes when given (the system default otherwise).
    public static func start(
        name: String, cpus: [Int]? = nil, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void
    ) throws(ThreadError) -> PlatformThread {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let cpus {
            guard !cpus.isEmpty, cpus.allSatisfy({ (0...CPUAffinity.maximumCPU).contains($0) }) else {
                throw .pinning(.pinningFailed(cpus, .invalidArgument))
            }
            let values = cpus.map { Int32($0) }
            let code = values.withUnsafeBufferPointer {
                cls_thread_attr_set_cpus(&attributes, $0.baseAddress, Int32($0.count))
            }
            if let error = Errno(returned: code) { throw .pinning(.pinningFailed(cpus, error)) }
        }
        if let stackSize, let error = Errno(returned: pthread_attr_setstacksize(&attributes, stackSize)) {
            throw .startFailed(name: name, error)
        }
        let context = Unmanaged.passRetained(ThreadBody(name: name, run: body)).toOpaque()
        var handle = pthread_t()
        let code = pthread_create(&handle, &attributes, platformThreadEntry, context)
        if let error = Errno(returned: code) {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            // A CPU set the kernel refuses surfaces here (glibc applies it while creating the thread).
            if let cpus, error == .invalidArgument { throw .pinning(.pinningFailed(cpus, error)) }
            throw .startFailed(name: name, error)
        }
        return PlatformThread(name: name, cpus: cpus, handle: handle)
    }

    /// True on the thread itself (which must not join itself).
    public var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }

    /// Waits for the thread to end. Calling it again does nothing.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }
}

/// What a new thread runs: its name, then its body.
private final class ThreadBody {
    let name: String
    let run: @Sendable () -> Void

    init(name: String, run: @escaping @Sendable () -> Void) {
        self.name = name
        self.run = run
    }
}

/// The C entry point every ``PlatformThread`` starts in.
private func platformThreadEntry(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
    _ = cls_set_current_thread_name(body.name)
    body.run()
    return nil
}
