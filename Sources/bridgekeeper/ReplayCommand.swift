import ArgumentParser
import Capture
import Loader
import Policy
import Replay

/// `bridgekeeper replay`: run a capture through a policy offline, as the bridge would.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run every frame of a pcap through a policy and write each outcome's frames to a pcap.",
        discussion: """
            Frames are judged as if they arrived on one port (--from, a by default); --in-a and --in-b \
            add captures of each port, merged with --in in timestamp order. Each frame is clocked by its \
            capture timestamp, and one flow table, the limits' buckets and meters, quotas and the answer \
            rate live through the whole replay, so `ct state`, `limit`, `quota` and flow timeouts decide \
            as they did on the wire (a frame stamped before an earlier one is clocked at the latest time \
            seen). Output captures hold the frames after rewrites; frames a `delay` holds are written in \
            the order they would leave; rejected frames count as dropped, and --answers gets the answers \
            they would have had.

            A damaged capture (cut mid-record or mid-header, a record longer than the snap length or \
            than libpcap reads, a garbage record header) is replayed up to the damage, as tcpdump \
            reads it: every whole frame before it is judged and written, the other inputs go on to \
            their ends, one line on standard error names the file, the byte offset and the frame \
            number of the damage, and the --json summary gains "damage".

            Exit status: 0 replayed; 1 the policy has errors or a capture could not be read or \
            written; 3 replayed, but a capture was damaged (everything before the damage was \
            replayed); 64 a bad command line.
            """
    )

    @Option(help: "The policy file.")
    var policy: String

    @Option(name: .customLong("in"), help: "The capture to replay (pcap or pcapng, Ethernet), arriving on --from.")
    var input: String?

    @Option(help: "The port the frames of --in arrive on: a or b.")
    var from: PortArgument = .a

    @Option(name: .customLong("in-a"), help: "A capture of frames arriving on port a (merged by timestamp).")
    var inputA: String?

    @Option(name: .customLong("in-b"), help: "A capture of frames arriving on port b (merged by timestamp).")
    var inputB: String?

    @Option(help: "Write forwarded frames (forward, reflect forward) to this pcap.")
    var forward: String?

    @Option(help: "Write dropped frames (drop, reject) to this pcap.")
    var drop: String?

    @Option(help: "Write reflected frames (reflect, reflect forward) to this pcap.")
    var reflect: String?

    @Option(help: "Write the answers reject would have sent to this pcap, stamped like the frames they answer.")
    var answers: String?

    @Option(help: "Flows the flow table holds for `ct state` (0: no flow table).")
    var flows: Int = 262_144

    @Flag(
        help:
            "Answer rejected frames whose TCP, UDP or ICMP checksum is wrong (a capture taken on the sending host holds checksums left to offload)."
    )
    var answerBadChecksums = false

    @Flag(help: "Honour the policy's pcap \"FILE\" statements by appending to those files.")
    var writeCaptures = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Option(name: .customLong("port-a"), help: "Interface name of port a, for the policy's iifname/oifname.")
    var portA: String?

    @Option(name: .customLong("port-b"), help: "Interface name of port b, for the policy's iifname/oifname.")
    var portB: String?

    func validate() throws {
        if (portA == nil) != (portB == nil) {
            throw ValidationError("give both --port-a and --port-b (the bridge's two interfaces), or neither")
        }
        guard input != nil || inputA != nil || inputB != nil else {
            throw ValidationError("name a capture to replay: --in, --in-a or --in-b")
        }
        guard (0...16_777_216).contains(flows) else { throw ValidationError("--flows must be between 0 and 16777216") }
    }

    func run() throws {
        let report = PolicyLoader.load(
            path: policy, ports: portA.flatMap { a in portB.map { PortInterfaces(a: a, b: $0) } })
        guard let loaded = report.loaded else {
            for diagnostic in report.diagnostics { printError(diagnostic.rendered) }
            printError("\(policy): policy has errors; nothing replayed")
            throw ExitCode(1)
        }
        let summary: ReplaySummary
        do {
            var inputs: [ReplayInput] = []
            for (path, port) in [(input, from.port), (inputA, .a), (inputB, .b)] {
                guard let path else { continue }
                inputs.append(ReplayInput(try PcapReader(path: path), port: port))
            }
            let outputs = ReplayEngine.Outputs(
                forward: try forward.map { path throws(CaptureError) in try PcapWriter(path: path) },
                drop: try drop.map { path throws(CaptureError) in try PcapWriter(path: path) },
                reflect: try reflect.map { path throws(CaptureError) in try PcapWriter(path: path) },
                answers: try answers.map { path throws(CaptureError) in try PcapWriter(path: path) })
            let engine = ReplayEngine(
                policy: loaded.compiled, port: from.port, writeCaptures: writeCaptures, flowCapacity: flows,
                verifyingChecksums: !answerBadChecksums, logSink: { printError("log: " + $0) })
            summary = try engine.run(inputs, outputs: outputs)
        } catch {
            printError("bridgekeeper: \(error)")
            throw ExitCode(1)
        }
        print(json ? summary.json : summary.text)
        for damage in summary.damage {
            printError("bridgekeeper replay: \(damage); replayed the \(damage.wholeFrames) whole frames before it")
        }
        if !summary.damage.isEmpty { throw ExitCode.damagedCapture }
    }
}

/// `a` or `b` on the command line.
enum PortArgument: String, ExpressibleByArgument, CaseIterable {
    case a
    case b
    var port: PortName { self == .a ? .a : .b }
}
