import ArgumentParser
import Bridge
import Foundation
import Logging
import Platform
import Ring

/// `bridgekeeper run`: the bridge itself.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Bridge two interfaces through a policy, until SIGTERM or SIGINT.",
        discussion: """
            The ports must exist and carry no IP address. GRO, GSO, TSO and LRO are turned off on both
            for as long as the bridge runs, and IPv6 is switched off on them, then put back on exit.
            SIGHUP (or `bridgekeeper reload`) re-reads the policy; a policy with errors is reported and
            the running one stays in force.
            """
    )

    @Option(name: .customLong("port-a"), help: "The interface for port a.")
    var portA: String

    @Option(name: .customLong("port-b"), help: "The interface for port b.")
    var portB: String

    @Option(help: "The policy file.")
    var policy: String

    @Option(name: .customLong("host-port"), help: "Create a TAP interface of this name; `reflect` hands frames to it.")
    var hostPort: String?

    @Option(help: "Exit after forwarding this many frames.")
    var count: UInt64?

    @Option(help: "CPUs to pin the forwarding threads to, e.g. 1 or 2-3 (thread i takes the i-th CPU).")
    var cpu: String?

    @Option(help: "Forwarding threads, with PACKET_FANOUT (hash) spreading flows across them.")
    var workers: Int = 1

    @Option(
        name: .customLong("ring-frames"),
        help: "Frames in each RX ring (default: as many as fit in 32 MiB; frame size follows the MTU).")
    var ringFrames: Int?

    @Flag(name: .customLong("tpacket-v3"), help: "Use TPACKET_V3 blocks (fewer wake-ups, more latency).")
    var tpacketV3 = false

    @Flag(
        name: .customLong("tx-ring"), inversion: .prefixedNo,
        help: "Send through a TX ring, one kick per batch (the default), or with one send() per frame.")
    var txRing = true

    @Option(
        name: .customLong("busy-poll"),
        help:
            "After every batch, keep checking the rings for this many microseconds before sleeping (0: sleep at once). Default: adaptive, spinning only while frames keep coming."
    )
    var busyPoll: Int?

    @Flag(name: .customLong("no-qdisc-bypass"), help: "Send through the egress qdisc (PACKET_QDISC_BYPASS off).")
    var noQdiscBypass = false

    @Option(name: .customLong("delay-capacity"), help: "Most frames held for `delay` at once, per thread.")
    var delayCapacity: Int = 16384

    @Flag(
        name: .customLong("link-propagate"),
        help: "When one port loses its link, take the other down until it returns (link-fault pass-through).")
    var linkPropagate = false

    @Option(help: "Flows the flow table holds for `ct state` (all threads together; 0: no flow table).")
    var flows: Int = 262_144

    @Option(
        name: .customLong("on-failure"),
        help:
            "open: a kernel bridge enforcing the nftables mirror forwards while bridgekeeper is not running; closed: nothing passes."
    )
    var onFailure: FailureModeArgument = .closed

    @Flag(name: .customLong("no-mirror"), help: "Do not mirror the policy into nftables (table bridge bridgekeeper).")
    var noMirror = false

    @Option(help: "Serve Prometheus metrics at http://ADDR:PORT/metrics (e.g. 127.0.0.1:9101, [::1]:9101, :9101).")
    var metrics: String?

    @Option(
        help:
            "After setting up, become this user, keeping only CAP_NET_RAW and CAP_NET_ADMIN (the policy must be readable by it)."
    )
    var user: String?

    @Option(help: "The control socket for status and reload.")
    var control: String = ControlListener.defaultPath

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        if let ringFrames, ringFrames < 64 { throw ValidationError("--ring-frames must be at least 64") }
        if let busyPoll, !(0...1_000_000).contains(busyPoll) {
            throw ValidationError("--busy-poll must be between 0 and 1000000 microseconds")
        }
        guard delayCapacity >= 1 else { throw ValidationError("--delay-capacity must be at least 1") }
        guard (0...16_777_216).contains(flows) else { throw ValidationError("--flows must be between 0 and 16777216") }
        if noMirror && onFailure == .open {
            throw ValidationError("--on-failure open needs the nftables mirror; drop --no-mirror")
        }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { LineLogHandler(label: $0, level: level) }
        let logger = Logger(label: "bridgekeeper")
        var configuration = BridgeConfiguration(portA: portA, portB: portB, policyPath: policy, controlPath: control)
        configuration.hostPort = hostPort
        configuration.count = count
        configuration.workers = workers
        configuration.ringFrames = ringFrames
        configuration.ringVersion3 = tpacketV3
        configuration.transmitRing = txRing
        configuration.qdiscBypass = !noQdiscBypass
        configuration.busyPollMicroseconds = busyPoll
        configuration.delayCapacity = delayCapacity
        configuration.flows = flows
        configuration.linkPropagate = linkPropagate
        if let fault = ProcessInfo.processInfo.environment["BRIDGEKEEPER_INJECT_WORKER_FAULT"] {
            configuration.injectedWorkerFault = Int(fault)
        }
        configuration.mirror = !noMirror
        configuration.metrics = metrics
        configuration.onFailure = onFailure == .open ? .open : .closed
        if let cpu {
            do {
                configuration.cpus = try CPUAffinity.parse(cpu)
            } catch {
                printError("bridgekeeper: --cpu \(cpu): \(error)")
                throw ExitCode(2)
            }
        }
        let controller: BridgeController
        do {
            controller = try BridgeController(configuration: configuration, logger: logger)
        } catch {
            printError("bridgekeeper: \(error)")
            throw ExitCode(1)
        }
        if let user {
            do {
                try controller.dropPrivileges(to: user)
            } catch {
                printError("bridgekeeper: \(error)")
                controller.shutDown()
                throw ExitCode(1)
            }
        }
        let status = controller.run()
        if status != 0 { throw ExitCode(status) }
    }
}

/// `--on-failure open|closed`.
enum FailureModeArgument: String, ExpressibleByArgument, CaseIterable {
    case open
    case closed
}
