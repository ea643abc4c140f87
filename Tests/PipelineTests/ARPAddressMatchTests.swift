import Frame
import Pipeline
import Policy
import Ruleset
import Testing

/// The ARP address fields in the compiled pipeline, against ``ReferenceEvaluator``: read through
/// VLAN and QinQ tags, present only in Ethernet/IPv4 ARP with its whole 28-byte body.
@Suite struct ARPAddressMatchTests {
    typealias F = Fixture

    static let senderMAC: UInt128 = 0x0200_0000_00aa
    static let targetIP = UInt128(F.ipv4("198.18.7.7"))

    static let policy = F.policy([
        F.rule("sender", [F.term(.arpSaddrIP, [F.prefix(F.ipv4("198.18.0.0"), 24)])], .drop),
        F.rule("target-mac", [F.term(.arpDaddrEther, 0x0200_0000_00bb)], .reflect),
        F.rule("not-from-aa", [F.term(.arpSaddrEther, senderMAC, negated: true)], .drop),
        F.rule("target", [F.term(.arpDaddrIP, targetIP)], .reflect),
    ])

    static func arp(
        sender: String = "198.19.0.1", senderMAC: UInt64 = 0x0200_0000_00aa, targetMAC: UInt64 = 0,
        target: String = "198.19.0.2", tags: [FrameBuilder.VLANTag] = []
    ) -> [UInt8] {
        var arp = FrameBuilder.ARP()
        arp.senderIP = F.ipv4(sender)
        arp.senderMAC = senderMAC
        arp.targetMAC = targetMAC
        arp.targetIP = F.ipv4(target)
        var builder = FrameBuilder()
        builder.vlanTags = tags
        builder.network = .arp(arp)
        return builder.build()
    }

    func decide(_ bytes: [UInt8]) -> Int32 {
        let pipeline = Pipeline(policy: PolicyCompiler.compile(Self.policy))
        let box = FrameBox(bytes)
        var effects = NoEffects()
        let decision = pipeline.process(&box.frame, port: 0, effects: &effects)
        #expect(decision.rule == ReferenceEvaluator.firstMatch(Self.policy, frame: bytes, port: 0))
        return decision.rule
    }

    @Test func eachFieldIsReadFromItsPlace() {
        #expect(decide(Self.arp(sender: "198.18.0.9")) == 0)
        #expect(decide(Self.arp(targetMAC: 0x0200_0000_00bb)) == 1)
        #expect(decide(Self.arp(senderMAC: 0x0200_0000_00ab)) == 2)
        #expect(decide(Self.arp(target: "198.18.7.7")) == 3)
        #expect(decide(Self.arp()) == -1)
    }

    @Test func throughVLANAndQinQTags() {
        let qinq: [FrameBuilder.VLANTag] = [
            FrameBuilder.VLANTag(id: 100, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 10),
        ]
        #expect(decide(Self.arp(sender: "198.18.0.9", tags: [FrameBuilder.VLANTag(id: 10)])) == 0)
        #expect(decide(Self.arp(sender: "198.18.0.9", tags: qinq)) == 0)
        #expect(decide(Self.arp(target: "198.18.7.7", tags: qinq)) == 3)
    }

    /// ARP for another hardware or protocol, or one cut short, has an operation and no
    /// addresses: positive terms never hold, the negated one does.
    @Test func otherFormatsAndShortBodiesHaveNoAddresses() {
        let good = Self.arp(sender: "198.18.0.9")
        var otherHardware = good
        otherHardware[15] = 6  // htype 6 (IEEE 802)
        var otherLengths = good
        otherLengths[19] = 16  // plen 16
        let cut = Array(good.prefix(14 + 27))
        for bytes in [otherHardware, otherLengths, cut] {
            #expect(decide(bytes) == 2)
            let info = bytes.withUnsafeBytes { FrameInfo.parse($0) }
            #expect(info.present.contains(.arp) && !info.present.contains(.arpAddresses))
        }
        let parsed = good.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(parsed.present.contains(.arpAddresses))
        #expect(parsed.arpSenderIP == F.ipv4("198.18.0.9") && parsed.arpSenderMAC == 0x0200_0000_00aa)
        #expect(parsed.arpTargetIP == F.ipv4("198.19.0.2") && parsed.arpTargetMAC == 0)
    }

    /// A rule on an older field and a rule on an ARP address share the frame class table:
    /// each frame shape still finds exactly its rules.
    @Test func frameShapesKeepTheirRules() {
        let policy = F.policy([
            F.rule("arp-op", [F.term(.arpOperation, 2)], .drop),
            F.rule("arp-addr", [F.term(.arpSaddrIP, UInt128(F.ipv4("198.18.0.1")))], .drop),
            F.rule("udp", [F.term(.udpDport, 9)], .drop),
        ])
        let pipeline = Pipeline(policy: PolicyCompiler.compile(policy))
        var reply = FrameBuilder.ARP()
        reply.operation = 2
        var builder = FrameBuilder()
        builder.network = .arp(reply)
        var effects = NoEffects()
        for (bytes, rule) in [
            (builder.build(), Int32(0)), (Self.arp(sender: "198.18.0.1"), 1), (F.ipv4Frame(transport: F.udp(9)), 2),
        ] {
            let box = FrameBox(bytes)
            #expect(pipeline.process(&box.frame, port: 0, effects: &effects).rule == rule)
        }
    }
}
