import Flow
import Frame
import Testing

/// TCP flag bits.
enum TCPFlag {
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let psh: UInt8 = 0x08
    static let ack: UInt8 = 0x10
    static let urg: UInt8 = 0x20
    static let ece: UInt8 = 0x40
    static let cwr: UInt8 = 0x80
    static let synAck = syn | ack
    static let finAck = fin | ack
    static let rstAck = rst | ack
}

/// Addresses the tests use (198.18.0.0/15, 2001:db8::/32).
enum Address {
    static let client: UInt32 = 0xC613_0005  // 198.19.0.5: higher than the server, so the originator is the high side
    static let server: UInt32 = 0xC612_0009  // 198.18.0.9
    static let router: UInt32 = 0xC612_00FE  // 198.18.0.254
    static let other: UInt32 = 0xC612_0077
    static let client6: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0005
    static let server6: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0009
    static let router6: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_00fe
    static let other6: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0077
}

/// Frames built with ``FrameBuilder``.
enum Frames {
    static func ethernet(_ network: FrameBuilder.Network, vlans: [UInt16] = [], tpid: UInt16 = EtherType.vlan)
        -> [UInt8]
    {
        var builder = FrameBuilder()
        builder.vlanTags = vlans.enumerated().map { index, id in
            FrameBuilder.VLANTag(id: id, tpid: index == 0 && vlans.count > 1 ? EtherType.qinq : tpid)
        }
        builder.network = network
        return builder.build()
    }

    static func ipv4(
        _ source: UInt32, _ destination: UInt32, _ transport: FrameBuilder.Transport, vlans: [UInt16] = [],
        change: (inout FrameBuilder.IPv4) -> Void = { _ in }
    ) -> [UInt8] {
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = destination
        ip.transport = transport
        change(&ip)
        return ethernet(.ipv4(ip), vlans: vlans)
    }

    static func ipv6(
        _ source: UInt128, _ destination: UInt128, _ transport: FrameBuilder.Transport, vlans: [UInt16] = [],
        extensions: [FrameBuilder.ExtensionHeader] = []
    ) -> [UInt8] {
        var ip = FrameBuilder.IPv6()
        ip.source = source
        ip.destination = destination
        ip.transport = transport
        ip.extensionHeaders = extensions
        return ethernet(.ipv6(ip), vlans: vlans)
    }

    static func tcpSegment(_ sourcePort: UInt16, _ destinationPort: UInt16, _ flags: UInt8, payload: Int = 0)
        -> FrameBuilder.Transport
    {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = sourcePort
        tcp.destinationPort = destinationPort
        tcp.flags = flags
        tcp.payload = [UInt8](repeating: 0x61, count: payload)
        return .tcp(tcp)
    }

    static func udpDatagram(_ sourcePort: UInt16, _ destinationPort: UInt16, payload: Int = 0) -> FrameBuilder.Transport
    {
        var udp = FrameBuilder.UDP()
        udp.sourcePort = sourcePort
        udp.destinationPort = destinationPort
        udp.payload = [UInt8](repeating: 0x62, count: payload)
        return .udp(udp)
    }

    static func icmpMessage(type: UInt8, code: UInt8 = 0, identifier: UInt16 = 0x1234, sequence: UInt16 = 1)
        -> FrameBuilder.ICMP
    {
        var icmp = FrameBuilder.ICMP()
        icmp.type = type
        icmp.code = code
        icmp.rest = UInt32(identifier) << 16 | UInt32(sequence)
        return icmp
    }

    static func tcp4(
        _ source: UInt32, _ sourcePort: UInt16, _ destination: UInt32, _ destinationPort: UInt16, _ flags: UInt8,
        vlans: [UInt16] = [], payload: Int = 0
    ) -> [UInt8] {
        ipv4(source, destination, tcpSegment(sourcePort, destinationPort, flags, payload: payload), vlans: vlans)
    }

    static func tcp6(
        _ source: UInt128, _ sourcePort: UInt16, _ destination: UInt128, _ destinationPort: UInt16, _ flags: UInt8
    ) -> [UInt8] {
        ipv6(source, destination, tcpSegment(sourcePort, destinationPort, flags))
    }

    static func udp4(
        _ source: UInt32, _ sourcePort: UInt16, _ destination: UInt32, _ destinationPort: UInt16,
        vlans: [UInt16] = [], payload: Int = 0
    ) -> [UInt8] {
        ipv4(source, destination, udpDatagram(sourcePort, destinationPort, payload: payload), vlans: vlans)
    }

    static func udp6(_ source: UInt128, _ sourcePort: UInt16, _ destination: UInt128, _ destinationPort: UInt16)
        -> [UInt8]
    {
        ipv6(source, destination, udpDatagram(sourcePort, destinationPort))
    }

    static func icmp4(
        _ source: UInt32, _ destination: UInt32, type: UInt8, code: UInt8 = 0, identifier: UInt16 = 0x1234,
        quoting quoted: [UInt8] = []
    ) -> [UInt8] {
        var icmp = icmpMessage(type: type, code: code, identifier: identifier)
        if !quoted.isEmpty {
            icmp.rest = 0
            icmp.payload = quoted
        }
        return ipv4(source, destination, .icmp(icmp))
    }

    static func icmp6(
        _ source: UInt128, _ destination: UInt128, type: UInt8, code: UInt8 = 0, identifier: UInt16 = 0x1234,
        quoting quoted: [UInt8] = []
    ) -> [UInt8] {
        var icmp = icmpMessage(type: type, code: code, identifier: identifier)
        if !quoted.isEmpty {
            icmp.rest = 0
            icmp.payload = quoted
        }
        return ipv6(source, destination, .icmpv6(icmp))
    }

    /// What an ICMP error quotes of `frame`: its IP header and the first `l4Bytes` bytes after it.
    static func quote(_ frame: [UInt8], l4Bytes: Int = 8) -> [UInt8] {
        let info = frame.withUnsafeBytes { FrameInfo.parse($0) }
        return Array(frame[info.l3Offset..<(info.l4Offset + l4Bytes)])
    }
}

/// Records every event.
struct RecordingEvents: FlowEventSink {
    var established: [FlowEvent] = []
    var ended: [(flow: FlowEvent, reason: FlowEndReason)] = []
    mutating func flowEstablished(_ flow: FlowEvent) { established.append(flow) }
    mutating func flowEnded(_ flow: FlowEvent, reason: FlowEndReason) { ended.append((flow, reason)) }
}

/// A table, a fake clock and an event recorder; `send` classifies and commits one frame.
final class Harness {
    static let second: UInt64 = 1_000_000_000
    let table: FlowTable
    var events = RecordingEvents()
    /// The fake monotonic clock, ns.
    var now: UInt64 = 1_000 * Harness.second

    init(capacity: Int = 64, settings: FlowSettings = FlowSettings()) throws {
        table = try FlowTable(capacity: capacity, settings: settings, seed: 0x5eed)
    }

    /// Classifies `frame` and commits it as forwarded (or not); the lookup and the outcome.
    @discardableResult
    func send(_ frame: [UInt8], forwarded: Bool = true, creator: UInt32 = 7) -> (
        lookup: FlowLookup, outcome: CommitOutcome
    ) {
        frame.withUnsafeBytes { bytes in
            var info = FrameInfo.parse(bytes)
            let lookup = table.classify(frame: bytes, info: &info, now: now)
            let outcome = table.commit(
                lookup, forwarded: forwarded, length: frame.count, creator: creator, now: now, events: &events)
            return (lookup, outcome)
        }
    }

    /// Classifies `frame` without committing it.
    func classify(_ frame: [UInt8]) -> FlowLookup {
        frame.withUnsafeBytes { bytes in
            var info = FrameInfo.parse(bytes)
            return table.classify(frame: bytes, info: &info, now: now)
        }
    }

    /// Moves the clock on by `seconds`.
    func advance(_ seconds: Double) {
        now += UInt64(seconds * Double(Harness.second))
    }

    /// Runs expiry with a large budget; how many flows it removed.
    @discardableResult
    func expire() -> Int { table.expire(now: now, budget: 1_000_000, events: &events) }

    /// The live flows.
    var flows: [FlowRecord] { table.snapshot(now: now) }

    /// The one live flow (fails the test when there is not exactly one).
    func onlyFlow(sourceLocation: SourceLocation = #_sourceLocation) throws -> FlowRecord {
        let flows = self.flows
        try #require(flows.count == 1, "expected one flow, found \(flows.count)", sourceLocation: sourceLocation)
        return flows[0]
    }
}
