import Flow
import Frame
import Pipeline
import Platform
import Ring

/// Monitor interfaces for `mirror "IF"` statements: one packet socket each, by the index the
/// compiled policy uses. Opened by the control thread before a policy goes in force.
public final class MonitorPorts: @unchecked Sendable {
    /// By `CompiledPolicy.mirrorInterfaces` index; nil when the interface could not be opened.
    public let sockets: [PacketSocket?]

    public init(sockets: [PacketSocket?]) {
        self.sockets = sockets
    }

    /// No monitor interfaces.
    public static let none = MonitorPorts(sockets: [])
}

/// `log`, `pcap` and `mirror` statements on the forwarding thread: each hands its work off
/// without waiting (queues to the control thread; a non-blocking send to the monitor port).
struct WorkerEffects: PipelineEffects {
    let logs: LogRecordQueue
    let captures: CaptureQueue
    let counters: PortCounterBlock
    var monitors: MonitorPorts
    var generation: UInt64
    /// Where established and ended flows go (nil: not wanted).
    let flowChanges: SPSCRing<FlowChange>?
    /// The port the current frame arrived on.
    var port: UInt8 = 0

    mutating func log(rule: Int32, prefix: Int32, frame: UnsafeRawBufferPointer, info: FrameInfo, port: UInt8) {
        logs.push(
            LogRecord(generation: generation, rule: rule, prefix: prefix, port: port, info: info, time: WallClock.now())
        )
    }

    mutating func capture(file: Int32, frame: UnsafeRawBufferPointer) {
        captures.push(frame, file: file, generation: generation, time: WallClock.now())
    }

    mutating func flowEstablished(_ event: FlowEvent) {
        _ = flowChanges?.push(FlowChange(event: event, ended: false))
    }

    mutating func flowEnded(_ event: FlowEvent, reason: FlowEndReason) {
        _ = flowChanges?.push(FlowChange(event: event, ended: true))
    }

    mutating func mirror(interface: Int32, frame: UnsafeRawBufferPointer) {
        guard Int(interface) < monitors.sockets.count, let socket = monitors.sockets[Int(interface)] else {
            counters.add(.mirrorDrops, port: port)
            return
        }
        if case .sent = socket.send(frame) {
            counters.add(.mirrored, port: port)
        } else {
            counters.add(.mirrorDrops, port: port)
        }
    }
}
