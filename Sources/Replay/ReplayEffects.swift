import Capture
import Frame
import Pipeline
import Ruleset

/// `log` and `pcap` statements during a replay (flow events are ignored).
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
