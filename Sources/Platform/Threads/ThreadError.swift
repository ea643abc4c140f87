/// Why a ``PlatformThread`` could not be started. Each ``description`` is one line.
public enum ThreadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CPU list could not be applied (a CPU that is offline, not allowed, or out of range).
    case pinning(CPUAffinity.Failure)
    /// `pthread_create` (or setting up its attributes) failed, e.g. EAGAIN at the thread limit.
    case startFailed(name: String, Errno)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .pinning(let failure):
            return failure.description
        case .startFailed(let name, let error):
            return "cannot start thread \(name): \(error)"
        }
    }
}
