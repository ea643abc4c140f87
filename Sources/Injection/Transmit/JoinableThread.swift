import Ring

#if canImport(Glibc)
    import Glibc
#endif

/// A POSIX thread that can be joined: the transmit threads, which the run waits for before it
/// reports.
final class JoinableThread {
    private let handle: pthread_t

    private init(handle: pthread_t) {
        self.handle = handle
    }

    /// Starts `body` on a new thread.
    static func start(_ body: @escaping @Sendable () -> Void) throws(InjectionError) -> JoinableThread {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(
            &handle, nil,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                body.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .threadFailed(SystemError(code: result))
        }
        return JoinableThread(handle: handle)
    }

    /// Waits for the thread to end.
    func join() {
        pthread_join(handle, nil)
    }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
