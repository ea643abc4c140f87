import Frame
import Policy
import Ruleset

/// Terse construction of policies and frames for pipeline tests, without the parser.
enum Fixture {
    static let here = SourceLocation(file: "test.policy", line: 1, column: 1)

    static func policy(_ rules: [Rule], default verdict: DefaultVerdict = .forward, defaults: VerdictOptions = .init())
        -> Policy
    {
        Policy(defaultVerdict: verdict, defaultLocation: here, defaults: defaults, rules: rules)
    }

    static func rule(
        _ name: String, _ terms: [MatchTerm], _ verdict: VerdictKind = .drop, statements: [StatementKind] = [],
        options: VerdictOptions = .init()
    ) -> Rule {
        Rule(
            name: name, match: terms, statements: statements.map { Statement(kind: $0, location: here) },
            verdict: Verdict(kind: verdict, options: options, location: here), location: here)
    }

    static func term(_ field: Field, _ values: [ValueInterval], negated: Bool = false) -> MatchTerm {
        .field(FieldMatch(field: field, negated: negated, values: values, location: here))
    }

    static func term(_ field: Field, _ value: UInt128, negated: Bool = false) -> MatchTerm {
        term(field, [ValueInterval(value)], negated: negated)
    }

    static func range(_ lo: UInt128, _ hi: UInt128) -> ValueInterval { ValueInterval(lo: lo, hi: hi) }

    static func prefix(_ address: UInt32, _ length: Int) -> ValueInterval {
        ValueInterval(prefix: UInt128(address), length: length, bitWidth: 32)
    }

    static func ipv4(_ text: String) -> UInt32 { AddressText.parseIPv4(Substring(text))! }

    /// An IPv4 frame with the given addresses and transport.
    static func ipv4Frame(
        source: String = "198.18.0.1", destination: String = "198.19.0.1", transport: FrameBuilder.Transport,
        vlan: UInt16? = nil, dscp: UInt8 = 0, padded: Bool = true
    ) -> [UInt8] {
        var ip = FrameBuilder.IPv4()
        ip.source = ipv4(source)
        ip.destination = ipv4(destination)
        ip.dscp = dscp
        ip.transport = transport
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        if let vlan { builder.vlanTags = [FrameBuilder.VLANTag(id: vlan)] }
        builder.padToMinimum = padded
        return builder.build()
    }

    static func tcp(_ destination: UInt16, from source: UInt16 = 40000) -> FrameBuilder.Transport {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = source
        tcp.destinationPort = destination
        return .tcp(tcp)
    }

    static func udp(_ destination: UInt16, from source: UInt16 = 40000) -> FrameBuilder.Transport {
        var udp = FrameBuilder.UDP()
        udp.sourcePort = source
        udp.destinationPort = destination
        return .udp(udp)
    }
}

/// A frame in writable memory with headroom, for running through a pipeline.
final class FrameBox {
    let storage: UnsafeMutableRawPointer
    let capacity: Int
    var frame: FrameBuffer

    init(_ bytes: [UInt8], headroom: Int = 32) {
        let capacity = bytes.count + 2 * headroom
        let storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        bytes.withUnsafeBytes { (storage + headroom).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        self.capacity = capacity
        self.storage = storage
        frame = FrameBuffer(storage: storage, capacity: capacity, start: headroom, length: bytes.count)
    }

    var bytes: [UInt8] { Array(frame.readOnlyBytes) }

    deinit { storage.deallocate() }
}
