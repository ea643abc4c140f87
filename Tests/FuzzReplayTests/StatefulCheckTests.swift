import Frame
import Loader
import Pipeline
import Testing

@testable import FuzzHarness

/// The frame harness's stateful checks: the reply it makes for each input, the answer checks, and
/// that each catches what it is there to catch.
@Suite struct StatefulCheckTests {
    /// A TCP segment from 198.18.0.1:40000 to 198.19.0.1:`port` with `flags`.
    static func tcp(port: UInt16 = 23, flags: UInt8 = 0x02, sequence: UInt32 = 7000, broadcast: Bool = false)
        -> [UInt8]
    {
        var segment = FrameBuilder.TCP()
        segment.destinationPort = port
        segment.flags = flags
        segment.sequence = sequence
        var ip = FrameBuilder.IPv4()
        ip.transport = .tcp(segment)
        var builder = FrameBuilder()
        if broadcast { builder.destinationMAC = 0xffff_ffff_ffff }
        builder.network = .ipv4(ip)
        return builder.build()
    }

    /// A pipeline for policy `text` on a fresh state.
    static func pipeline(_ text: String) throws -> Pipeline {
        let report = PolicyLoader.load(text: text, path: "stateful-check.policy")
        let loaded = try #require(report.loaded, "\(report.diagnostics.map(\.rendered))")
        return Pipeline(
            policy: loaded.compiled, counters: RuleCounters(ruleCount: loaded.compiled.ruleCount),
            state: .standalone(), now: FuzzClock.start)
    }

    /// The answer `pipeline` gives `frame` arriving on port a, and the frame's parse.
    static func answer(_ frame: [UInt8], through pipeline: Pipeline) -> (answer: [UInt8], asked: FrameInfo) {
        var copy = frame
        let asked = frame.withUnsafeBytes { FrameInfo.parse($0) }
        var info = asked
        var effects = NoEffects()
        let decision = copy.withUnsafeMutableBytes { raw in
            var buffer = FrameBuffer(storage: raw.baseAddress!, capacity: raw.count, start: 0, length: raw.count)
            return pipeline.process(&buffer, info: &info, port: 0, now: FuzzClock.start, effects: &effects)
        }
        var output = [UInt8](repeating: 0, count: 2048)
        let length = frame.withUnsafeBytes { original in
            output.withUnsafeMutableBytes {
                pipeline.answer(original, info: asked, decision: decision, now: FuzzClock.start, into: $0)
            }
        }
        return (Array(output[0..<length]), asked)
    }

    static func checks(_ answer: [UInt8], for frame: [UInt8], asked: FrameInfo) -> [String] {
        answer.withUnsafeBytes { answer in
            frame.withUnsafeBytes { AnswerChecks.violations(answer, original: $0, asked: asked).map(\.check) }
        }
    }

    static let rejectAll = "version 1\ndefault forward\nrule \"refuse\" {\n    reject\n}\n"

    @Test func aResetThePipelineBuildsPassesAndEachDamageToItIsCaught() throws {
        let pipeline = try Self.pipeline(Self.rejectAll)
        let syn = Self.tcp()
        let (reset, asked) = Self.answer(syn, through: pipeline)
        try #require(!reset.isEmpty)
        #expect(Self.checks(reset, for: syn, asked: asked) == [])

        var badChecksum = reset
        badChecksum[14 + 20 + 16] ^= 0x01
        #expect(Self.checks(badChecksum, for: syn, asked: asked).contains("answer-checksum"))
        var wrongMAC = reset
        wrongMAC[0] ^= 0x02
        #expect(Self.checks(wrongMAC, for: syn, asked: asked).contains("answer-addressing"))
        // The same reset claimed for a segment with another sequence number: the ack is wrong.
        let other = Self.tcp(sequence: 9000)
        let otherInfo = other.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(Self.checks(reset, for: other, asked: otherInfo) == ["answer-reset"])
    }

    @Test func anUnreachableQuotesTheDatagramAndAWrongQuoteIsCaught() throws {
        let pipeline = try Self.pipeline(Self.rejectAll)
        var udp = FrameBuilder.UDP()
        udp.payload = Array(0..<40)
        var ip = FrameBuilder.IPv4()
        ip.transport = .udp(udp)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        let datagram = builder.build()
        let (unreachable, asked) = Self.answer(datagram, through: pipeline)
        try #require(!unreachable.isEmpty)
        #expect(Self.checks(unreachable, for: datagram, asked: asked) == [])
        var changed = datagram
        changed[asked.l3Offset + 20 + 8 + 5] ^= 0xff
        #expect(Self.checks(unreachable, for: changed, asked: asked) == ["answer-quote"])
    }

    @Test func answeringWhatMustNotBeAnsweredIsCaught() {
        for frame in [Self.tcp(broadcast: true), Self.tcp(flags: 0x14)] {
            let info = frame.withUnsafeBytes { FrameInfo.parse($0) }
            let found = frame.withUnsafeBytes { AnswerChecks.refusalViolations($0, asked: info) }
            #expect(found.map(\.check) == ["answer-refusal"])
        }
        let syn = Self.tcp()
        let info = syn.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(syn.withUnsafeBytes { AnswerChecks.refusalViolations($0, asked: info) }.isEmpty)
    }

    @Test func theReplyToASynIsTheSynAckThatEstablishesItsFlow() throws {
        let syn = Self.tcp(port: 80)
        let info = syn.withUnsafeBytes { FrameInfo.parse($0) }
        let reply = try #require(syn.withUnsafeBytes { ReplyFrame.make($0, info: info) })
        let back = reply.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(back.sourceMAC == info.destinationMAC && back.destinationMAC == info.sourceMAC)
        #expect(back.ipv4Source == info.ipv4Destination && back.ipv4Destination == info.ipv4Source)
        #expect(back.sourcePort == 80 && back.destinationPort == 40000)
        #expect(back.tcpFlags == 0x12)
        #expect(reply[back.l4Offset + 8..<back.l4Offset + 12] == [0, 0, 0x1b, 0x59])  // 7001
        #expect(reply.withUnsafeBytes { ChecksumVerifier.allAreValid($0, info: back) })

        // Through a policy that passes only what the flow table calls established: the SYN opens
        // the flow (new, by default), its reply is established.
        let pipeline = try Self.pipeline(
            "version 1\ndefault forward\nrule \"replies\" {\n    match ct state established\n    drop\n}\n")
        var effects = NoEffects()
        var verdicts: [Int32] = []
        for (frame, port) in [(syn, UInt8(0)), (reply, 1)] {
            var copy = frame
            verdicts.append(
                copy.withUnsafeMutableBytes { raw in
                    var buffer = FrameBuffer(
                        storage: raw.baseAddress!, capacity: raw.count, start: 0, length: raw.count)
                    return pipeline.process(&buffer, port: port, now: FuzzClock.start, effects: &effects).rule
                })
        }
        #expect(verdicts == [-1, 0])
    }

    @Test func theFrameHarnessRunsTheStatefulPoliciesWithTheirFlowTables() throws {
        let harness = try FrameHarness(policyFiles: FrameHarness.standardPolicyFiles)
        for name in ["stateful.policy", "perimeter.policy", "stateful-limits.policy"] {
            #expect(harness.policyNames.contains(name))
        }
        // perimeter.policy rejects telnet: the harness builds the reset and checks it.
        let before = AnswerChecks.checked.load(ordering: .relaxed)
        let telnet = Self.tcp(port: 23)
        #expect(telnet.withUnsafeBytes { harness.check($0) } == [])
        #expect(AnswerChecks.checked.load(ordering: .relaxed) > before)
    }

    @Test func theClockOnlyMovesOnAndTheSameInputsMoveItTheSameWay() {
        var first = FuzzClock()
        var second = FuzzClock()
        var last = FuzzClock.start
        for seed in (0..<1000).map({ UInt64($0) &* 0x9e37_79b9_7f4a_7c15 }) {
            let now = first.advance(seed: seed)
            #expect(now >= last)
            #expect(second.advance(seed: seed) == now)
            last = now
        }
        #expect(last > FuzzClock.start)
    }
}
