import ArgumentParser
import Capture
import Loader
import Policy
import Replay

/// `bridgekeeper replay`: run a capture through a policy offline.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run every frame of a pcap through a policy and write each outcome's frames to a pcap.",
        discussion: """
            Frames are judged as if they arrived on one port (a by default). Output captures hold the
            frames after rewrites; frames a `delay` holds are written in the order they would leave.
            """
    )

    @Option(help: "The policy file.")
    var policy: String

    @Option(name: .customLong("in"), help: "The capture to replay (pcap or pcapng, Ethernet).")
    var input: String

    @Option(help: "The port the frames arrive on: a or b.")
    var from: PortArgument = .a

    @Option(help: "Write forwarded frames (forward, reflect forward) to this pcap.")
    var forward: String?

    @Option(help: "Write dropped frames to this pcap.")
    var drop: String?

    @Option(help: "Write reflected frames (reflect, reflect forward) to this pcap.")
    var reflect: String?

    @Flag(help: "Honour the policy's pcap \"FILE\" statements by appending to those files.")
    var writeCaptures = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let report = PolicyLoader.load(path: policy)
        guard let loaded = report.loaded else {
            for diagnostic in report.diagnostics { printError(diagnostic.rendered) }
            printError("\(policy): policy has errors; nothing replayed")
            throw ExitCode(1)
        }
        do {
            let reader = try PcapReader(path: input)
            let outputs = ReplayEngine.Outputs(
                forward: try forward.map { path throws(CaptureError) in try PcapWriter(path: path) },
                drop: try drop.map { path throws(CaptureError) in try PcapWriter(path: path) },
                reflect: try reflect.map { path throws(CaptureError) in try PcapWriter(path: path) })
            let engine = ReplayEngine(
                policy: loaded.compiled, port: from.port, writeCaptures: writeCaptures,
                logSink: { printError("log: " + $0) })
            let summary = try engine.run(reader, outputs: outputs)
            print(json ? summary.json : summary.text)
        } catch {
            printError("bridgekeeper: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `a` or `b` on the command line.
enum PortArgument: String, ExpressibleByArgument, CaseIterable {
    case a
    case b
    var port: PortName { self == .a ? .a : .b }
}
