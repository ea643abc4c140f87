import Ring

/// Everything `bridgekeeper run` was asked to do.
public struct BridgeConfiguration: Sendable {
    public var portA: String
    public var portB: String
    public var policyPath: String
    /// Name of the TAP device to create for `reflect` (nil: no host port).
    public var hostPort: String?
    /// Forwarding threads (PACKET_FANOUT across them when more than one).
    public var workers: Int = 1
    /// CPUs for the forwarding threads; thread i runs on `cpus[i % count]`.
    public var cpus: [Int]?
    /// RX ring frames per socket; nil sizes each ring to ``ringBytes``.
    public var ringFrames: Int?
    /// The memory an automatically sized RX ring gets: at 1500-byte MTU about 20,000 frames,
    /// 70 ms of 300 k frames/s, enough to ride out a scheduling hiccup without loss.
    public static let ringBytes = 32 << 20
    /// Use TPACKET_V3 blocks instead of V2 frames (higher latency; see the README).
    public var ringVersion3: Bool = false
    /// Send through a TX ring with one kick per batch instead of one `send()` per frame
    /// (measured on the veth testbed: about a third more frames per second, less CPU per frame).
    public var transmitRing: Bool = true
    /// TX ring frames per socket when ``transmitRing`` is on.
    public var transmitRingFrames: Int = 1024
    /// After traffic, keep checking the rings for this long (microseconds) before sleeping in
    /// ppoll: a frame that arrives meanwhile is taken without a wake-up (lower latency, more CPU).
    /// 0: always sleep at once; nil (the default): spin only while frames keep coming.
    public var busyPollMicroseconds: Int?
    /// Bypass the egress qdisc (PACKET_QDISC_BYPASS).
    public var qdiscBypass: Bool = true
    /// Most frames held for `delay` at once, per forwarding thread.
    public var delayCapacity: Int = 16384
    /// `--link-propagate`: when one port loses its link, take the other down until it returns.
    public var linkPropagate: Bool = false
    /// For tests only: worker 0's `ppoll` fails after this many frames, to prove a failed thread
    /// stops the bridge (set from `BRIDGEKEEPER_INJECT_WORKER_FAULT`).
    public var injectedWorkerFault: Int?
    /// Flows the flow table holds, all threads together (`run --flows`; 0: no tracking).
    public var flows: Int = 262_144
    /// Each thread's share of ``flows`` (both directions of a flow reach the same thread).
    public var flowsPerWorker: Int { flows == 0 ? 0 : max(1024, flows / max(1, workers)) }
    /// The control socket.
    public var controlPath: String
    /// Stop after forwarding this many frames.
    public var count: UInt64?
    /// Mirror the policy into nftables (table `bridge bridgekeeper`).
    public var mirror: Bool = true
    /// What happens to traffic when the process is not running.
    public var onFailure: FailureMode = .closed
    /// Serve Prometheus metrics at `http://ADDR:PORT/metrics` (nil: off).
    public var metrics: String?

    public init(portA: String, portB: String, policyPath: String, controlPath: String) {
        self.portA = portA
        self.portB = portB
        self.policyPath = policyPath
        self.controlPath = controlPath
    }
}

/// `--on-failure open|closed`.
public enum FailureMode: String, Sendable, CaseIterable {
    /// A kernel bridge enforcing the nftables mirror forwards while Bridgekeeper is not running.
    case open
    /// Nothing passes while Bridgekeeper is not running.
    case closed
}

/// Why `run` could not start; each reads as one line saying what to do.
public enum BridgeError: Error, Sendable, CustomStringConvertible {
    case policy(path: String, errors: Int)
    case ports(PortSetupError)
    case socket(RingError)
    case hostPort(TapError)
    case control(ControlError)
    case mirror(String)
    case monitor(interface: String, RingError)
    case metrics(String)
    case privileges(String)
    case thread(String)
    case flows(String)

    public var description: String {
        switch self {
        case .policy(let path, let errors):
            return
                "\(path): \(errors) error\(errors == 1 ? "" : "s"); not starting (bridgekeeper check \(path) shows them)"
        case .ports(let error): return "\(error)"
        case .socket(let error): return "\(error)"
        case .hostPort(let error): return "host port: \(error)"
        case .control(let error): return "\(error)"
        case .mirror(let message): return message
        case .monitor(let interface, let error): return "monitor interface \(interface): \(error)"
        case .metrics(let message): return message
        case .privileges(let message): return "--user: \(message)"
        case .thread(let message): return "cannot start a thread: \(message)"
        case .flows(let message): return "--flows: \(message)"
        }
    }
}
