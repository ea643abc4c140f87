import Capture
import Frame
import Pipeline
import Policy
import Ruleset

/// Runs every frame of a capture through a compiled policy, as if it arrived on one port, and
/// writes each outcome's frames (after rewrites) to its own capture.
public struct ReplayEngine {
    /// Where each outcome's frames go; nil discards them.
    public struct Outputs {
        public var forward: PcapWriter?
        public var drop: PcapWriter?
        public var reflect: PcapWriter?
        public init(forward: PcapWriter? = nil, drop: PcapWriter? = nil, reflect: PcapWriter? = nil) {
            self.forward = forward
            self.drop = drop
            self.reflect = reflect
        }
    }

    public let policy: CompiledPolicy
    public let port: PortName
    /// Honour `pcap "FILE"` statements by appending to their files.
    public var writeCaptures: Bool
    /// Receives `log` statement lines.
    public var logSink: (String) -> Void

    public init(
        policy: CompiledPolicy, port: PortName, writeCaptures: Bool = false, logSink: @escaping (String) -> Void
    ) {
        self.policy = policy
        self.port = port
        self.writeCaptures = writeCaptures
        self.logSink = logSink
    }

    /// Replays `reader` to the end. Frames a `delay` holds are written in the order they would
    /// leave: each at its capture time plus its delay (and a reproducible jitter), never before
    /// an earlier frame of the same rule.
    public func run(_ reader: PcapReader, outputs: Outputs) throws(CaptureError) -> ReplaySummary {
        let pipeline = Pipeline(policy: policy)
        var effects = try ReplayEffects(policy: policy, writeCaptures: writeCaptures, logSink: logSink)
        var summary = ReplaySummary()
        let headroom = 64
        let capacity = Int(PcapWriter.snapshotLength) + 2 * headroom
        let storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { storage.deallocate() }
        let delays =
            (0..<policy.rules.count).contains { policy.rules[$0].delayNanoseconds > 0 }
            || policy.defaultRule.delayNanoseconds > 0
        var held: [HeldFrame] = []
        var lastDeparture: [Int32: UInt64] = [:]
        var jitter = SplitMix64(seed: 0x6272_6964_6765)

        while let record = try reader.next() {
            summary.frames += 1
            let length = record.bytes.count
            storage.advanced(by: headroom).copyMemory(from: record.bytes.baseAddress!, byteCount: length)
            var frame = FrameBuffer(storage: storage, capacity: capacity, start: headroom, length: length)
            let decision = pipeline.process(&frame, port: UInt8(port.rawValue), effects: &effects)
            let stamp = record.timestampNanoseconds
            if decision.verdict.forwards {
                summary.forwarded += 1
                if delays {
                    let hold = decision.holdNanoseconds(randomBits: jitter.next())
                    let departure = max(stamp &+ hold, lastDeparture[decision.rule] ?? 0)
                    lastDeparture[decision.rule] = departure
                    held.append(
                        HeldFrame(departure: departure, sequence: held.count, bytes: Array(frame.readOnlyBytes)))
                } else {
                    outputs.forward?.write(frame.readOnlyBytes, timestampNanoseconds: stamp)
                }
            }
            if decision.verdict == .drop {
                summary.dropped += 1
                outputs.drop?.write(frame.readOnlyBytes, timestampNanoseconds: stamp)
            }
            if decision.verdict.reflects {
                summary.reflected += 1
                outputs.reflect?.write(frame.readOnlyBytes, timestampNanoseconds: stamp)
            }
        }
        for frame in held.sorted(by: { ($0.departure, $0.sequence) < ($1.departure, $1.sequence) }) {
            frame.bytes.withUnsafeBytes { outputs.forward?.write($0, timestampNanoseconds: frame.departure) }
        }
        outputs.forward?.flush()
        outputs.drop?.flush()
        outputs.reflect?.flush()
        effects.flush()
        let counts = pipeline.counters.snapshot()
        summary.rules = policy.ruleNames.enumerated().map { ($0.element, counts[$0.offset]) }
        summary.defaultCount = counts[counts.count - 1]
        return summary
    }

    private struct HeldFrame {
        var departure: UInt64
        var sequence: Int
        var bytes: [UInt8]
    }
}

/// `log` and `pcap` statements during a replay.
struct ReplayEffects: PipelineEffects {
    let policy: CompiledPolicy
    let writers: [PcapWriter]
    let logSink: (String) -> Void

    init(policy: CompiledPolicy, writeCaptures: Bool, logSink: @escaping (String) -> Void) throws(CaptureError) {
        self.policy = policy
        var writers: [PcapWriter] = []
        if writeCaptures {
            for path in policy.captureFiles { writers.append(try PcapWriter(path: path, append: true)) }
        }
        self.writers = writers
        self.logSink = logSink
    }

    mutating func log(rule: Int32, prefix: Int32, frame: UnsafeRawBufferPointer, info: FrameInfo, port: UInt8) {
        let name = rule >= 0 ? policy.ruleNames[Int(rule)] : "default"
        logSink(LogLine.describe(rule: name, prefix: policy.logPrefixes[Int(prefix)], info: info, port: port))
    }

    mutating func capture(file: Int32, frame: UnsafeRawBufferPointer) {
        if Int(file) < writers.count { writers[Int(file)].write(frame) }
    }

    mutating func mirror(interface: Int32, frame: UnsafeRawBufferPointer) {}

    func flush() {
        for writer in writers { writer.flush() }
    }
}
