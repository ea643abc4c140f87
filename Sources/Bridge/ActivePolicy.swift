import Loader
import Synchronization

/// The policy in force, with what `status` reports about it.
public struct ActivePolicy: Sendable {
    public var loaded: LoadedPolicy
    /// Starts at 1 and grows with every accepted reload.
    public var generation: UInt64
    /// Wall-clock time it was put in force, nanoseconds since the epoch.
    public var loadedAt: UInt64
    /// Sockets for the policy's `mirror "IF"` statements.
    public var monitors: MonitorPorts

    public init(loaded: LoadedPolicy, generation: UInt64, loadedAt: UInt64, monitors: MonitorPorts = .none) {
        self.loaded = loaded
        self.generation = generation
        self.loadedAt = loadedAt
        self.monitors = monitors
    }
}

/// Where the control plane publishes a new policy and the forwarding threads pick it up.
///
/// Threads compare ``generation`` (one relaxed load per batch) with the one they run and, when
/// it changed, take the new policy under the lock: once per reload, never per frame.
public final class PolicySlot: Sendable {
    private let state: Mutex<ActivePolicy>
    private let published: Atomic<UInt64>

    public init(_ initial: ActivePolicy) {
        state = Mutex(initial)
        published = Atomic(initial.generation)
    }

    /// The generation most recently published.
    @inline(__always)
    public var generation: UInt64 { published.load(ordering: .acquiring) }

    /// The policy in force.
    public func current() -> ActivePolicy { state.withLock { $0 } }

    /// Puts `policy` in force; the threads pick it up between batches.
    public func publish(_ policy: ActivePolicy) {
        state.withLock { $0 = policy }
        published.store(policy.generation, ordering: .releasing)
    }
}
