import CLinuxShim
import Flow
import Platform
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

    /// The thread's flow table, as it last published it (once a second).
    private let flowStatistics = Mutex(FlowStatistics())
    /// A `flows` request: set by the control thread, answered by the forwarding thread between
    /// batches with a snapshot of its table.
    private let flowRequest = Atomic<Bool>(false)
    private let flowSnapshot = Mutex<[FlowRecord]?>(nil)

    private let meterEvictionCounts = Mutex<[String: UInt64]>([:])
    private let failureReason = Mutex<String?>(nil)

    /// Why the thread stopped forwarding, when it failed (nil while it runs or after a clean stop).
    public var failure: String? { failureReason.withLock { $0 } }

    /// Records why the thread failed (the forwarding thread, as it gives up).
    func recordFailure(_ reason: String) {
        failureReason.withLock { $0 = reason }
    }

    /// The flow table's figures as the thread last published them.
    public var flows: FlowStatistics { flowStatistics.withLock { $0 } }

    /// Meter evictions by rule name, as the thread last published them.
    public var meterEvictions: [String: UInt64] { meterEvictionCounts.withLock { $0 } }

    /// Publishes the thread's flow figures (the forwarding thread, once a second).
    func publish(_ statistics: FlowStatistics) {
        flowStatistics.withLock { $0 = statistics }
    }

    /// Publishes the thread's meter evictions (the forwarding thread, once a second).
    func publish(meterEvictions: [String: UInt64]) {
        meterEvictionCounts.withLock { $0 = meterEvictions }
    }

    /// Whether the control thread asked for the flows (one relaxed load per loop).
    var flowsRequested: Bool { flowRequest.load(ordering: .relaxed) }

    /// The forwarding thread's answer to a `flows` request.
    func deliver(_ records: [FlowRecord]) {
        flowSnapshot.withLock { $0 = records }
        flowRequest.store(false, ordering: .releasing)
    }

    /// The control thread: asks the thread for its flows and waits (up to `timeoutNanoseconds`)
    /// for them; nil when the thread did not answer in time.
    func requestFlows(timeoutNanoseconds: UInt64 = 2_000_000_000) -> [FlowRecord]? {
        flowSnapshot.withLock { $0 = nil }
        flowRequest.store(true, ordering: .releasing)
        wake()
        let deadline = MonotonicClock.now() &+ timeoutNanoseconds
        while MonotonicClock.now() < deadline {
            if let records = flowSnapshot.withLock({ $0 }) { return records }
            usleep(500)
        }
        return nil
    }
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
