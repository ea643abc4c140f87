import Frame
import Pipeline
import Policy
import Ruleset
import Testing

/// MSS clamping through the pipeline: `rt mtu` reads the MTU of the port the frame leaves by,
/// a clamp followed by rules that go on is seen by their matches, and the field matches only
/// frames whose option list holds it.
@Suite struct SegmentSizePipelineTests {
    static let text = """
        version 1
        default forward
        rule "clamp" {
            match tcp flags syn
            tcp option maxseg size set rt mtu
        }
        rule "clamped-small" {
            match tcp option maxseg size 0-1000
            drop
        }
        """

    static func pipeline(mtuA: Int, mtuB: Int) throws -> Pipeline {
        let checked = PolicyReader.parse(text: text, path: "t.policy")
        let policy = try #require(checked.policy, "\(checked.diagnostics.map(\.rendered))")
        let compiled = PolicyCompiler.compile(policy)
        let shared = SharedState()
        shared.setPortMTUs(a: mtuA, b: mtuB)
        let state = try ThreadState(shared: shared, flowCapacity: 0, seed: 1)
        return Pipeline(policy: compiled, counters: RuleCounters(ruleCount: compiled.ruleCount), state: state, now: 0)
    }

    static func syn(mss: UInt16, ipv6: Bool = false, options: [UInt8] = []) -> [UInt8] {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = 40000
        tcp.destinationPort = 443
        tcp.flags = 0x02
        tcp.options = options + [2, 4, UInt8(mss >> 8), UInt8(mss & 0xff)]
        var builder = FrameBuilder()
        if ipv6 {
            var ip = FrameBuilder.IPv6()
            ip.transport = .tcp(tcp)
            builder.network = .ipv6(ip)
        } else {
            var ip = FrameBuilder.IPv4()
            ip.transport = .tcp(tcp)
            builder.network = .ipv4(ip)
        }
        return builder.build()
    }

    /// The MSS after the pipeline, the decision's rule, and whether the checksums still verify.
    static func run(_ pipeline: Pipeline, _ bytes: [UInt8], port: UInt8) -> (mss: UInt16?, rule: Int32, valid: Bool) {
        let box = FrameBox(bytes)
        var effects = NoEffects()
        let decision = pipeline.process(&box.frame, port: port, effects: &effects)
        return box.bytes.withUnsafeBytes { raw in
            let info = FrameInfo.parse(raw)
            return (
                TCPOptions.maximumSegmentSize(raw, info: info), decision.rule,
                ChecksumVerifier.allAreValid(raw, info: info)
            )
        }
    }

    @Test func routeMTUIsTheOutgoingPortsLessTheHeaders() throws {
        let pipeline = try Self.pipeline(mtuA: 1500, mtuB: 1000)
        // From a to b: b's MTU 1000 less 40, then less 60 over IPv6.
        #expect(Self.run(pipeline, Self.syn(mss: 1460), port: 0) == (960, 1, true))
        #expect(Self.run(pipeline, Self.syn(mss: 1440, ipv6: true), port: 0) == (940, 1, true))
        // From b to a: a's 1500 less 40; an MSS already below stays.
        #expect(Self.run(pipeline, Self.syn(mss: 8960), port: 1) == (1460, -1, true))
        #expect(Self.run(pipeline, Self.syn(mss: 1200, options: [1]), port: 1) == (1200, -1, true))
    }

    @Test func theFieldIsAbsentWithoutASoundOption() throws {
        let pipeline = try Self.pipeline(mtuA: 1500, mtuB: 1500)
        // A small MSS matches "clamped-small" on its own; a malformed list before it hides it.
        #expect(Self.run(pipeline, Self.syn(mss: 536), port: 0).rule == 1)
        #expect(Self.run(pipeline, Self.syn(mss: 536, options: [3, 1]), port: 0) == (nil, -1, true))
        // Not a SYN: no clamp, and no option at all is no match.
        var plain = FrameBuilder.TCP()
        plain.flags = 0x10
        var ip = FrameBuilder.IPv4()
        ip.transport = .tcp(plain)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        #expect(Self.run(pipeline, builder.build(), port: 0) == (nil, -1, true))
    }
}
