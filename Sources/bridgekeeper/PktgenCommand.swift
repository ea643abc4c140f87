import ArgumentParser
import Frame
import Injection
import Ring

/// `bridgekeeper pktgen`: generate UDP (or TCP SYN) frames on an interface.
struct PktgenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pktgen",
        abstract: "Generate frames on an interface as fast as the TX rings allow, or at --rate (like trafgen).",
        discussion: """
            Every frame is IPv4 (or IPv6) carrying UDP (or a TCP SYN) with valid checksums. Addresses \
            and ports take a value or a range A-B; frame k carries the k-th value of each range \
            (wrapping), so every range is covered once the largest has been sent. --size counts the \
            frame without FCS (60 is a 64-byte frame on the wire). The source MAC defaults to the \
            interface's own, the destination to 02:00:00:00:00:02 (no host owns it). SIGINT or SIGTERM \
            ends the run with the summary. Exit status: 0 done, 1 the interface could not be used or \
            sending failed, 2 a bad option.
            """
    )

    @Option(help: ArgumentHelp("The interface to send on.", valueName: "interface"))
    var port: String

    @Option(parsing: .unconditional, help: "Frame length in bytes without FCS: 60 to MTU+14 (+4 with --vlan).")
    var size: Int = 60

    @Option(parsing: .unconditional, help: "Frames to send, all threads together; 0 = until interrupted.")
    var count: Int = 0

    @Option(name: .customLong("src-mac"), help: "Source MAC (default: the interface's).")
    var sourceMAC: String?

    @Option(name: .customLong("dst-mac"), help: "Destination MAC (default: 02:00:00:00:00:02).")
    var destinationMAC: String?

    @Option(help: "Source address or range A-B (default 198.18.0.1, or 2001:db8::1 with --ipv6).")
    var src: String?

    @Option(help: "Destination address or range A-B (default 198.19.0.1, or 2001:db8::2 with --ipv6).")
    var dst: String?

    @Option(help: "Source port or range A-B (default 40000).")
    var sport: String?

    @Option(help: "Destination port or range A-B (default 9).")
    var dport: String?

    @Option(parsing: .unconditional, help: "Add an 802.1Q tag with this VLAN ID (0-4095).")
    var vlan: Int?

    @Flag(help: "Send IPv6 instead of IPv4.")
    var ipv6 = false

    @Flag(help: "Send TCP SYN segments instead of UDP datagrams.")
    var tcp = false

    @OptionGroup var transmit: TransmitArguments

    func run() throws {
        let options = try transmit.options(command: "pktgen")
        guard count >= 0 else { throw usage("--count \(count): must be 0 (until interrupted) or more", "pktgen") }
        var spec: GeneratorSpec
        do {
            spec = try generatorSpec()
        } catch {
            throw usage(error.description, "pktgen")
        }
        let sockets = try transmit.openSockets(interface: port, command: "pktgen")
        if sourceMAC == nil { spec.sourceMAC = InterfaceMAC.read(port) ?? spec.sourceMAC }
        do {
            try spec.validate(interface: port, mtu: sockets[0].mtu)
        } catch {
            throw usage(error.description, "pktgen")
        }
        let total = UInt64(count)
        let frozen = spec
        let result = TransmitRunner.run(sockets: sockets, options: options) { share in
            GeneratedFrames(spec: frozen, share: share, total: total)
        }
        try transmit.report(result, command: "pktgen")
    }

    /// The frame description the options give (everything but the interface-dependent checks).
    private func generatorSpec() throws(GeneratorOptionError) -> GeneratorSpec {
        var spec = GeneratorSpec()
        spec.size = size
        spec.ipv6 = ipv6
        spec.transport = tcp ? .tcp : .udp
        if let vlan {
            guard (0...4095).contains(vlan) else { throw .invalidVLAN(vlan) }
            spec.vlan = UInt16(vlan)
        }
        if let sourceMAC {
            guard let mac = AddressText.parseMAC(Substring(sourceMAC)) else {
                throw .invalidMAC(option: "--src-mac", text: sourceMAC)
            }
            guard mac >> 40 & 1 == 0 else { throw .groupSourceMAC(text: sourceMAC) }
            spec.sourceMAC = mac
        }
        if let destinationMAC {
            guard let mac = AddressText.parseMAC(Substring(destinationMAC)) else {
                throw .invalidMAC(option: "--dst-mac", text: destinationMAC)
            }
            spec.destinationMAC = mac
        }
        if ipv6 {
            spec.sources =
                try src.map { text throws(GeneratorOptionError) in try FieldRange.ipv6(text, option: "--src") }
                ?? FieldRange(GeneratorSpec.defaultIPv6Source)
            spec.destinations =
                try dst.map { text throws(GeneratorOptionError) in try FieldRange.ipv6(text, option: "--dst") }
                ?? FieldRange(GeneratorSpec.defaultIPv6Destination)
        } else {
            if let src { spec.sources = try FieldRange.ipv4(src, option: "--src") }
            if let dst { spec.destinations = try FieldRange.ipv4(dst, option: "--dst") }
        }
        if let sport { spec.sourcePorts = try FieldRange.port(sport, option: "--sport") }
        if let dport { spec.destinationPorts = try FieldRange.port(dport, option: "--dport") }
        return spec
    }
}
