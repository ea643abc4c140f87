import Frame
import Pipeline
import Policy
import Ruleset
import Testing

@Suite struct PipelineActionTests {
    typealias F = Fixture

    /// Records what the effects saw.
    struct Recorder: PipelineEffects {
        var mirrored: [[UInt8]] = []
        var captured: [[UInt8]] = []
        var logged: [Int32] = []
        mutating func log(rule: Int32, prefix: Int32, frame: UnsafeRawBufferPointer, info: FrameInfo, port: UInt8) {
            logged.append(rule)
        }
        mutating func capture(file: Int32, frame: UnsafeRawBufferPointer) { captured.append(Array(frame)) }
        mutating func mirror(interface: Int32, frame: UnsafeRawBufferPointer) { mirrored.append(Array(frame)) }
    }

    @Test func rewritesApplyInOrderAndEffectsSeeTheirMoment() {
        let rule = F.rule(
            "mark", [F.term(.udpDport, 5060)], .forward,
            statements: [
                .pcap(path: "before.pcap"), .set(.ipDSCP, 46), .pcap(path: "after.pcap"), .mirror(interface: "mon0"),
                .log(prefix: "x"),
            ])
        let pipeline = Pipeline(policy: PolicyCompiler.compile(F.policy([rule])))
        let original = F.ipv4Frame(transport: F.udp(5060))
        let box = FrameBox(original)
        var recorder = Recorder()
        let decision = pipeline.process(&box.frame, port: 0, effects: &recorder)
        #expect(decision.rule == 0)
        let after = box.bytes.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(after.dscp == 46)
        #expect(box.bytes == F.ipv4Frame(transport: F.udp(5060), dscp: 46), "the rewrite matches a frame built with EF")
        // The mirror copy is the frame as received even though it was written after the rewrite.
        #expect(recorder.mirrored == [original])
        #expect(recorder.captured == [original, box.bytes])
        #expect(recorder.logged == [0])
    }

    @Test func verdictOptionsComeFromTheRuleOrTheDefaults() {
        let delayed = F.rule(
            "slow", [F.term(.udpDport, 9)], .forward, options: VerdictOptions(delay: 30_000_000, jitter: 5_000_000))
        let plain = F.rule("plain", [F.term(.udpDport, 10)], .forward)
        let compiled = PolicyCompiler.compile(F.policy([delayed, plain], defaults: VerdictOptions(retries: 4)))
        let pipeline = Pipeline(policy: compiled)
        var effects = NoEffects()
        let first = FrameBox(F.ipv4Frame(transport: F.udp(9)))
        let d1 = pipeline.process(&first.frame, port: 0, effects: &effects)
        #expect(d1.delayNanoseconds == 30_000_000 && d1.jitterNanoseconds == 5_000_000 && d1.retries == 4)
        let second = FrameBox(F.ipv4Frame(transport: F.udp(10)))
        let d2 = pipeline.process(&second.frame, port: 0, effects: &effects)
        #expect(d2.delayNanoseconds == 0 && d2.retries == 4)
    }

    @Test func vlanPushAndPopChangeTheLength() {
        let push = F.rule("push", [F.term(.udpDport, 9)], .forward, statements: [.vlanPush(20)])
        let pop = F.rule("pop", [F.term(.vlanID, 10)], .forward, statements: [.vlanPop])
        let pipeline = Pipeline(policy: PolicyCompiler.compile(F.policy([pop, push])))
        var effects = NoEffects()
        // Unpadded frames, so the 4 bytes a tag adds or removes are all that differ.
        let untagged = FrameBox(F.ipv4Frame(transport: F.udp(9), padded: false))
        _ = pipeline.process(&untagged.frame, port: 0, effects: &effects)
        #expect(untagged.bytes == F.ipv4Frame(transport: F.udp(9), vlan: 20, padded: false))
        let tagged = FrameBox(F.ipv4Frame(transport: F.udp(9), vlan: 10, padded: false))
        _ = pipeline.process(&tagged.frame, port: 0, effects: &effects)
        #expect(tagged.bytes == F.ipv4Frame(transport: F.udp(9), padded: false))
    }
}
