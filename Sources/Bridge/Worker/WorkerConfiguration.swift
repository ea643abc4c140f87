/// How one forwarding thread runs: its number, where it is pinned, how it batches and sends.
/// A plain value the worker set fills in from ``BridgeConfiguration``.
public struct WorkerConfiguration: Sendable, Equatable {
    /// The thread's number (0 reads the host port and logs link changes).
    public var number: Int = 0
    /// CPUs to pin the thread to (nil: not pinned).
    public var cpus: [Int]?
    /// Most frames taken from one port's ring before looking at the other (fairness).
    public var batchLimit: Int = 256
    /// Send through the egress port's TX ring, one kick per batch, instead of one `send()`
    /// per frame straight from the RX slot.
    public var transmitRing: Bool = false
    /// How long one retry waits for room, in microseconds.
    public var retryWaitMicroseconds: Int32 = 200
    /// After a batch, check the rings' status words for this long before sleeping (0: never);
    /// nil: adaptively, while frames keep coming (``AdaptivePoll``).
    public var busyPollNanoseconds: UInt64?
    /// Whether this thread reads the frames the host sends into the host port (one thread does).
    public var readsHostPort: Bool = false
    /// Most frames held for `delay` at once by this thread.
    public var delayCapacity: Int = 16384
    /// A test's injected fault: the thread's `ppoll` fails once it has taken this many frames
    /// (`BRIDGEKEEPER_INJECT_WORKER_FAULT=N` in the environment of `run`, for worker 0 only).
    public var injectedPollFault: Int?

    public init() {}

    /// Thread `number`'s share of `bridge`: its CPU (thread i takes the i-th listed CPU), the
    /// send mode, `--count`, `--busy-poll` and the delay queue's size.
    public init(number: Int, of bridge: BridgeConfiguration) {
        self.number = number
        if let cpus = bridge.cpus, !cpus.isEmpty { self.cpus = [cpus[number % cpus.count]] }
        transmitRing = bridge.sendsThroughTransmitRing
        busyPollNanoseconds = bridge.busyPollMicroseconds.map { UInt64($0) * 1000 }
        readsHostPort = number == 0
        delayCapacity = bridge.delayCapacity
        injectedPollFault = number == 0 ? bridge.injectedWorkerFault : nil
    }
}
