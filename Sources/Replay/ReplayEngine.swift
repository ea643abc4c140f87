import Answers
import Capture
import Flow
import Frame
import Pipeline
import Policy
import Ruleset

/// Runs every frame of one or more captures through a compiled policy as a forwarding thread of
/// the bridge would, and writes each outcome's frames (after rewrites) to its own capture.
///
/// One ``Pipeline/ThreadState`` serves the whole replay: a flow table (when the policy matches
/// `ct`), the buckets and meters of `limit` terms, quota counts and the answer rate, all clocked
/// by the capture's timestamps (``ReplayClock``), so `ct state`, limits and timeouts decide as
/// they did on the wire, and as the live bridge would on the same traffic. Flows expire between
/// frames as the bridge expires them between batches.
public struct ReplayEngine {
    /// Where each outcome's frames go; nil discards them.
    public struct Outputs {
        public var forward: PcapWriter?
        /// Dropped frames, `reject`ed ones included (a rejected frame is dropped; its answer is
        /// what goes back).
        public var drop: PcapWriter?
        public var reflect: PcapWriter?
        /// The answers `reject` would have sent (resets, ICMP errors), each stamped with the
        /// capture time of the frame it answers.
        public var answers: PcapWriter?

        public init(
            forward: PcapWriter? = nil, drop: PcapWriter? = nil, reflect: PcapWriter? = nil,
            answers: PcapWriter? = nil
        ) {
            self.forward = forward
            self.drop = drop
            self.reflect = reflect
            self.answers = answers
        }
    }

    public let policy: CompiledPolicy
    /// The port the frames of ``run(_:outputs:)-(PcapReader,_)`` arrive on.
    public let port: PortName
    /// Honour `pcap "FILE"` statements by appending to their files.
    public var writeCaptures: Bool
    /// Receives `log` statement lines.
    public var logSink: (String) -> Void
    /// Flows the flow table holds (`--flows`; 0: no table, so `ct` terms never hold). The table
    /// is made only for a policy that matches `ct`.
    public var flowCapacity: Int
    /// Refuse to answer a frame whose TCP, UDP, ICMP or ICMPv6 checksum is wrong, as Linux and
    /// the bridge do. A capture taken on the sending host holds checksums left to offload: pass
    /// false to answer those.
    public var verifyingChecksums: Bool

    public init(
        policy: CompiledPolicy, port: PortName, writeCaptures: Bool = false,
        flowCapacity: Int = FlowTable.defaultCapacity, verifyingChecksums: Bool = true,
        logSink: @escaping (String) -> Void
    ) {
        self.policy = policy
        self.port = port
        self.writeCaptures = writeCaptures
        self.flowCapacity = flowCapacity
        self.verifyingChecksums = verifyingChecksums
        self.logSink = logSink
    }

    /// Replays `reader`, its frames arriving on ``port``, to the end (or its damage).
    public func run(_ reader: PcapReader, outputs: Outputs) throws(ReplayError) -> ReplaySummary {
        try run([ReplayInput(reader, port: port)], outputs: outputs)
    }

    /// Replays `inputs` to the end, merged in timestamp order (``ReplayInputs``); a damaged
    /// capture ends at its damage, its whole frames before it replayed, and the summary's
    /// ``ReplaySummary/damage`` names it (a damaged capture is not an error). Frames a
    /// `delay` holds are written in the order they would leave: each at its capture time plus its
    /// delay (and a reproducible jitter), never before an earlier frame of the same rule.
    public func run(_ inputs: [ReplayInput], outputs: Outputs) throws(ReplayError) -> ReplaySummary {
        var stream: ReplayInputs
        var effects: ReplayEffects
        do throws(CaptureError) {
            stream = try ReplayInputs(inputs)
            effects = try ReplayEffects(policy: policy, writeCaptures: writeCaptures, logSink: logSink)
        } catch {
            throw .capture(error)
        }
        let state: ThreadState
        do throws(FlowTableError) {
            state = try ThreadState(
                shared: SharedState(), flowCapacity: policy.usesFlows ? flowCapacity : 0,
                settings: policy.policy.stateDefaults.flows, seed: 0x7265_706c_6179)
        } catch {
            throw .flowTable(error)
        }
        var clock = ReplayClock()
        let pipeline = Pipeline(
            policy: policy, counters: RuleCounters(ruleCount: policy.ruleCount), state: state,
            now: clock.advance(to: stream.firstTimestamp ?? 0))
        var summary = ReplaySummary()
        let headroom = 64
        let capacity = Int(PcapWriter.snapshotLength) + 2 * headroom
        let storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { storage.deallocate() }
        let answer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: AnswerBuilder.maximumAnswerLength, alignment: 16)
        defer { answer.deallocate() }
        let delays =
            (0..<policy.rules.count).contains { policy.rules[$0].delayNanoseconds > 0 }
            || policy.defaultRule.delayNanoseconds > 0
        var held: [HeldFrame] = []
        var lastDeparture: [Int32: UInt64] = [:]
        var jitter = SplitMix64(seed: 0x6272_6964_6765)
        var info = FrameInfo()

        while true {
            let next: (record: PcapReader.Record, port: PortName)?
            do throws(CaptureError) {
                next = try stream.next()
            } catch {
                throw .capture(error)
            }
            guard let (record, arrival) = next else { break }
            summary.frames += 1
            let stamp = record.timestampNanoseconds
            let now = clock.advance(to: stamp)
            let length = record.bytes.count
            if length > 0 {
                storage.advanced(by: headroom).copyMemory(from: record.bytes.baseAddress!, byteCount: length)
            }
            var frame = FrameBuffer(storage: storage, capacity: capacity, start: headroom, length: length)
            let port = UInt8(arrival.rawValue)
            let decision: Decision
            if pipeline.needsFrameInfo {
                FrameInfo.parse(frame.readOnlyBytes, into: &info)
                decision = pipeline.process(&frame, info: &info, port: port, now: now, effects: &effects)
            } else {
                decision = pipeline.decideByDefault(length: length)
            }
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
            if decision.verdict == .drop || decision.verdict == .reject {
                summary.dropped += 1
                outputs.drop?.write(frame.readOnlyBytes, timestampNanoseconds: stamp)
            }
            if decision.verdict == .reject {
                summary.rejected += 1
                // The bridge answers from the frame and parse the pipeline saw (a reject rewrites nothing).
                let answerLength = pipeline.answer(
                    frame.readOnlyBytes, info: info, decision: decision, now: now,
                    verifyingChecksum: verifyingChecksums, into: answer)
                if answerLength > 0 {
                    summary.answers += 1
                    outputs.answers?.write(
                        UnsafeRawBufferPointer(rebasing: answer[0..<answerLength]), timestampNanoseconds: stamp)
                }
            }
            if decision.verdict.reflects {
                summary.reflected += 1
                outputs.reflect?.write(frame.readOnlyBytes, timestampNanoseconds: stamp)
            }
            if let flows = state.flows, flows.statistics.inUse > 0 {
                flows.expire(now: now, budget: 256, events: &effects)
            }
        }
        for frame in held.sorted(by: { ($0.departure, $0.sequence) < ($1.departure, $1.sequence) }) {
            frame.bytes.withUnsafeBytes { outputs.forward?.write($0, timestampNanoseconds: frame.departure) }
        }
        outputs.forward?.flush()
        outputs.drop?.flush()
        outputs.reflect?.flush()
        outputs.answers?.flush()
        effects.flush()
        summary.outOfOrder = clock.backwardSteps
        summary.damage = stream.damage
        summary.flows = state.flows?.statistics
        let counts = pipeline.counters.snapshot()
        summary.rules = policy.ruleNames.enumerated().map {
            ReplaySummary.Rule(
                name: $0.element, count: counts[$0.offset],
                rejects: policy.policy.rules[$0.offset].verdicts.contains { $0.kind == .reject })
        }
        summary.defaultCount = counts[counts.count - 1]
        summary.defaultRejects = policy.defaultRule.verdict == .reject
        return summary
    }

    private struct HeldFrame {
        var departure: UInt64
        var sequence: Int
        var bytes: [UInt8]
    }
}

/// Why a replay could not run.
public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A capture could not be read or written.
    case capture(CaptureError)
    /// The flow table cannot have the capacity asked for.
    case flowTable(FlowTableError)

    public var description: String {
        switch self {
        case .capture(let error): return error.description
        case .flowTable(.capacityOutOfRange(let capacity)):
            return "a flow table cannot hold \(capacity) flows (1 to \(FlowTable.maximumCapacity); 0: none)"
        case .flowTable(let error): return "no flow table: \(error)"
        }
    }
}
