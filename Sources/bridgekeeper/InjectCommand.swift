import ArgumentParser
import Capture
import Injection
import Platform
import Ring

#if canImport(Glibc)
    import Glibc
#endif

/// `bridgekeeper inject`: put the frames of a capture onto an interface.
struct InjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inject",
        abstract: "Send the frames of a pcap out of an interface (like tcpreplay or snf_replay).",
        discussion: """
            Frames leave byte for byte, as captured (no FCS), through AF_PACKET TX rings: as fast as \
            the rings take them, at --rate frames per second, or at the capture's own pace (--speed, \
            scaled by --multiplier). With one thread the order is the capture's; with --threads N, \
            thread i sends frames i, i+N, i+2N, ... so the order across threads is not kept. \
            Frames longer than the interface's MTU + 14 (+ 4 when 802.1Q-tagged) are skipped and counted as \
            too-big. SIGINT or SIGTERM ends the run with the summary.

            A damaged capture (cut mid-record or mid-header, a record longer than the snap length or \
            than libpcap reads, a garbage record header) is sent up to the damage, as tcpdump reads \
            it: every pass (--loop) sends the whole frames before it and no more, one line on \
            standard error names the file, the byte offset and the frame number of the damage, and \
            the --json summary gains "damage".

            Exit status: 0 done; 1 the capture or the interface could not be used, or sending \
            failed; 2 a bad option; 3 done, but the capture was damaged (the whole frames before the \
            damage were sent); 64 a command line that cannot be parsed (an unknown or missing option).
            """
    )

    @Option(help: ArgumentHelp("The interface to send on.", valueName: "interface"))
    var port: String

    @Option(
        name: .customLong("in"),
        help: ArgumentHelp("The capture to send (pcap or pcapng, Ethernet).", valueName: "file"))
    var input: String

    @Flag(help: "Follow the capture's timestamps (the gaps between frames).")
    var speed = false

    @Option(
        parsing: .unconditional, help: "With --speed: play this many times faster (2 twice as fast, 0.5 half as fast).")
    var multiplier: Double?

    @Option(parsing: .unconditional, help: "Send the capture this many times; 0 = until interrupted.")
    var loop: Int = 1

    @Option(
        parsing: .unconditional, help: "Insert an 802.1Q tag with this VLAN ID (0-4095) into frames that carry no tag.")
    var vlan: Int?

    @Flag(help: "Read the whole capture into memory before sending.")
    var preload = false

    @OptionGroup var transmit: TransmitArguments

    func run() throws {
        var options = try transmit.options(command: "inject")
        if speed || multiplier != nil {
            guard transmit.rate == nil else { throw usage("--rate and --speed cannot be used together") }
            let factor = multiplier ?? 1
            guard factor.isFinite, factor > 0 else { throw usage("--multiplier \(factor): must be above 0") }
            options.pacing = .timestamps(multiplier: factor)
        }
        guard loop >= 0 else { throw usage("--loop \(loop): must be 0 (forever) or more") }
        if let vlan {
            guard (0...4095).contains(vlan) else { throw usage("--vlan \(vlan): a VLAN ID is 0-4095") }
            options.insertVLAN = UInt16(vlan)
        }
        let passes = UInt64(loop)
        let path = input
        let preloaded: PreloadedCapture?
        do {
            let reader = try PcapReader(path: path)
            preloaded = preload ? try PreloadedCapture(reader: reader) : nil
        } catch {
            throw failure("inject", error.description)
        }
        let sockets = try transmit.openSockets(interface: port, command: "inject")
        let result: TransmitResult
        if let preloaded {
            result = TransmitRunner.run(sockets: sockets, options: options) { share in
                PreloadedFrames(capture: preloaded, share: share, passes: passes)
            }
        } else {
            result = TransmitRunner.run(sockets: sockets, options: options) { share throws(InjectionError) in
                try StreamedFrames(path: path, share: share, passes: passes)
            }
        }
        if result.summary.tooBig > 0 {
            let mtu = sockets.first?.mtu ?? 0
            printError(
                "bridgekeeper inject: \(result.summary.tooBig) frame\(result.summary.tooBig == 1 ? " was" : "s were") "
                    + "longer than '\(port)' carries (MTU \(mtu) + 14, + 4 when 802.1Q-tagged) and skipped")
        }
        try transmit.report(result, command: "inject")
    }
}

/// The options `inject` and `pktgen` share: pacing, threads, pinning, duration, output.
struct TransmitArguments: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: "Frames per second, all threads together (default: as fast as the TX rings take them).")
    var rate: Double?

    @Option(parsing: .unconditional, help: "Transmit threads, each with its own socket and TX ring (1-64).")
    var threads: Int = 1

    @Option(help: "CPUs to pin the threads to, e.g. 1 or 0-1 (thread i takes the i-th, round robin).")
    var cpu: String?

    @Option(parsing: .unconditional, help: "Stop after this many seconds.")
    var duration: Double?

    @Flag(name: .customLong("no-qdisc-bypass"), help: "Send through the interface's qdisc (PACKET_QDISC_BYPASS off).")
    var noQdiscBypass = false

    @Flag(help: "Print the summary as JSON (and no progress line).")
    var json = false

    /// The options these arguments describe; a bad one is a one-line usage error.
    func options(command: String) throws -> TransmitOptions {
        var options = TransmitOptions()
        guard (1...64).contains(threads) else { throw usage("--threads \(threads): must be 1-64", command) }
        if let rate {
            guard rate.isFinite, rate > 0 else { throw usage("--rate \(rate): must be above 0 frames/s", command) }
            options.pacing = .rate(framesPerSecond: rate)
        }
        if let duration {
            guard duration.isFinite, duration > 0 else {
                throw usage("--duration \(duration): must be above 0 seconds", command)
            }
            options.durationSeconds = duration
        }
        if let cpu {
            let cpus: [Int]
            do {
                cpus = try CPUAffinity.parse(cpu)
            } catch {
                throw usage("--cpu \(cpu): \(error)", command)
            }
            let allowed = CPUAffinity.currentThreadCPUs()
            if let missing = cpus.first(where: { !allowed.contains($0) }) {
                let list = allowed.map(String.init).joined(separator: ",")
                throw usage("--cpu \(cpu): CPU \(missing) is not available (this process may use \(list))", command)
            }
            options.cpus = cpus
        }
        options.progress = !json && isatty(1) == 1
        return options
    }

    /// One send-only socket per thread on `interface`; a missing interface is a one-line error.
    func openSockets(interface: String, command: String) throws -> [PacketSocket] {
        do {
            return try TransmitPorts.open(interface: interface, count: threads, qdiscBypass: !noQdiscBypass)
        } catch {
            throw failure(command, error.description)
        }
    }

    /// Prints the summary (text or JSON), the capture's damage and each thread's failure; exit 1
    /// when any failed, else 3 when the capture was damaged.
    func report(_ result: TransmitResult, command: String) throws {
        print(json ? result.summary.json : result.summary.text)
        if let damage = result.damage {
            printError("bridgekeeper \(command): \(damage); sent the \(damage.wholeFrames) whole frames before it")
        }
        var seen: [String] = []
        for failure in result.failures where !seen.contains(failure.description) {
            seen.append(failure.description)
            printError("bridgekeeper \(command): \(failure)")
        }
        if !result.failures.isEmpty { throw ExitCode(1) }
        if result.damage != nil { throw ExitCode.damagedCapture }
    }
}

/// Prints `bridgekeeper COMMAND: MESSAGE` and returns exit status 2 (a bad option).
func usage(_ message: String, _ command: String = "inject") -> ExitCode {
    printError("bridgekeeper \(command): \(message)")
    return ExitCode(2)
}

/// Prints `bridgekeeper COMMAND: MESSAGE` and returns exit status 1 (the run could not happen).
func failure(_ command: String, _ message: String) -> ExitCode {
    printError("bridgekeeper \(command): \(message)")
    return ExitCode(1)
}
