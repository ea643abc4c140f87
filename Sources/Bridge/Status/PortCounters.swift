import Synchronization

/// The per-port counters `status` and metrics show.
public enum PortCounter: Int, CaseIterable, Sendable {
    /// Frames read from the port's RX ring.
    case rxFrames
    case rxBytes
    /// Frames sent out of the port.
    case txFrames
    case txBytes
    /// Frames that arrived here and a rule (or the default) dropped.
    case dropped
    /// Frames longer than the ring's frame (`tp_len > tp_snaplen`): counted, not forwarded.
    case truncated
    /// Frames the kernel dropped because the RX ring was full (PACKET_STATISTICS).
    case ringDrops
    /// Sends out of this port that failed and were given up (other than for a full TX ring).
    case sendErrors
    /// Frames given up because this port's TX ring stayed full through every retry.
    case txRingFull
    /// Send attempts repeated after a failure for lack of room.
    case retries
    /// Frames held for a delay before leaving by this port.
    case delayed
    /// Frames a delay should have held but the delay queue was full.
    case delayOverflow
    /// Frames that arrived here and were handed to the host port.
    case reflected
    /// Frames the host sent through the host port out of this port.
    case fromHost
    /// Copies sent to a monitor interface for frames that arrived here.
    case mirrored
    /// Copies to a monitor interface dropped because it had no room.
    case mirrorDrops
    /// Frames that could not leave by this port because its link was down.
    case linkDownDrops
    /// Answers (resets, ICMP errors) to rejected frames that arrived here, sent back out of it.
    case answers

    /// The name used in JSON and Prometheus (`rx_frames`).
    public var name: String {
        switch self {
        case .rxFrames: return "rx_frames"
        case .rxBytes: return "rx_bytes"
        case .txFrames: return "tx_frames"
        case .txBytes: return "tx_bytes"
        case .dropped: return "dropped"
        case .truncated: return "truncated"
        case .ringDrops: return "ring_drops"
        case .sendErrors: return "send_errors"
        case .txRingFull: return "tx_ring_full"
        case .retries: return "retries"
        case .delayed: return "delayed"
        case .delayOverflow: return "delay_overflow"
        case .reflected: return "reflected"
        case .fromHost: return "from_host"
        case .mirrored: return "mirrored"
        case .mirrorDrops: return "mirror_drops"
        case .linkDownDrops: return "link_down_drops"
        case .answers: return "answers"
        }
    }
}

/// One forwarding thread's port counters, for both ports.
///
/// Written by that thread alone with relaxed loads and stores (plain moves, no locked
/// instructions); read by any thread.
public final class PortCounterBlock: @unchecked Sendable {
    private static let perPort = PortCounter.allCases.count
    private let words: UnsafeMutablePointer<Atomic<UInt64>>

    public init() {
        let total = 2 * Self.perPort
        words = .allocate(capacity: total)
        for i in 0..<total { (words + i).initialize(to: Atomic(0)) }
    }

    deinit {
        words.deinitialize(count: 2 * Self.perPort)
        words.deallocate()
    }

    /// Adds `amount` to a counter of `port` (0 = a, 1 = b). Owning thread only.
    @inline(__always)
    public func add(_ counter: PortCounter, port: UInt8, _ amount: UInt64 = 1) {
        let word = words + Int(port) * Self.perPort + counter.rawValue
        word.pointee.store(word.pointee.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// The current value.
    public func read(_ counter: PortCounter, port: UInt8) -> UInt64 {
        words[Int(port) * Self.perPort + counter.rawValue].load(ordering: .relaxed)
    }
}
