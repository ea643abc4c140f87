import CLinuxShim
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a forwarding thread shares with the control thread: how to stop it or wake it, and what
/// it reports back (the policy generation it runs, its held frames, its ports' links).
public final class WorkerShared: @unchecked Sendable {
    /// Set by the control thread to end the loop.
    public let stopRequested = Atomic<Bool>(false)
    /// The generation the thread runs (it acknowledges a reload by updating this).
    public let appliedGeneration = Atomic<UInt64>(0)
    /// Frames held for a delay right now.
    public let held = Atomic<Int>(0)
    /// Port a's ``LinkCondition``.
    private let linkA = Atomic<UInt8>(0)
    /// Port b's ``LinkCondition``.
    private let linkB = Atomic<UInt8>(0)

    /// The link condition of `port` (0 = a, 1 = b) as the thread last saw it.
    public func link(_ port: Int) -> LinkCondition {
        let raw = port == 0 ? linkA.load(ordering: .relaxed) : linkB.load(ordering: .relaxed)
        return LinkCondition(rawValue: raw) ?? .up
    }

    /// Records the link condition of `port` (the forwarding thread only).
    func setLink(_ port: Int, _ condition: LinkCondition) {
        if port == 0 {
            linkA.store(condition.rawValue, ordering: .relaxed)
        } else {
            linkB.store(condition.rawValue, ordering: .relaxed)
        }
    }
    /// Frames forwarded by this thread (for `--count`).
    public let forwarded = Atomic<UInt64>(0)
    /// An eventfd the thread polls: writing to it ends the thread's current wait.
    public let wakeDescriptor: Int32

    public init() {
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    deinit {
        close(wakeDescriptor)
    }

    /// Ends the thread's current `poll` so it looks at its shared state now.
    public func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeDescriptor, &one, 8)
    }

    /// Clears the wake-up after the thread saw it.
    func drainWake() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeDescriptor, &value, 8)
    }
}

/// The link states a port can be in, as `status` reports them.
public enum LinkCondition: UInt8, Sendable {
    case up = 0
    case down = 1
    case gone = 2

    public var text: String {
        switch self {
        case .up: return "up"
        case .down: return "down"
        case .gone: return "gone"
        }
    }
}
