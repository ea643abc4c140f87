import Answers
import Frame
import Testing

/// Whatever arrives, the builder stays inside its buffers, and whatever it builds is sound: it
/// parses back cleanly, its checksums hold, and it is itself never answered.
@Suite struct AnswerRobustnessTests {
    static let frames: [[UInt8]] = [
        Samples.ipv4(.tcp(Samples.tcp(flags: 0x02, payload: Array(0..<30)))).build(),
        Samples.ipv6(.tcp(Samples.tcp(flags: 0x18, acknowledgment: 4, payload: Array(0..<30)))).build(),
        Samples.ipv4(.udp(Samples.udp()), tags: [FrameBuilder.VLANTag(id: 7)]).build(),
        Samples.ipv6(
            .udp(Samples.udp()), tags: Samples.tagStacks[2], extensions: [.hopByHop(length: 6), .routing(length: 6)]
        ).build(),
        Samples.ipv4(.icmp(Samples.icmp(type: 8))) { $0.options = [0x01, 0x01, 0x01, 0x00] }.build(),
        Samples.ipv6(.icmpv6(Samples.icmp(type: 128))).build(),
    ]
    static let kinds: [RejectKind] = [
        .automatic, .tcpReset, .icmp(code: 13), .icmpv6(code: 1), .icmpx(.hostUnreachable),
    ]

    /// Checks one answer, when there is one (the `answer` helper already checked the buffer).
    func checkIfBuilt(_ result: Answered, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .built(let length) = result.outcome else { return }
        #expect(length >= AnswerBuilder.minimumFrameLength, sourceLocation: sourceLocation)
        #expect(length <= AnswerBuilder.maximumAnswerLength, sourceLocation: sourceLocation)
        let info = parse(result.bytes)
        #expect(info.soundnessProblems(byteCount: length).isEmpty, sourceLocation: sourceLocation)
        checksumsHold(result.bytes, sourceLocation: sourceLocation)
        for kind in Self.kinds {
            guard case .refused = answer(kind, to: result.bytes).outcome else {
                Issue.record("an answer was answered again with \(kind)", sourceLocation: sourceLocation)
                return
            }
        }
    }

    /// Every prefix of every frame: a cut frame is refused or, when what the answer needs is all
    /// there, answered soundly; nothing is read or written outside the buffers (the test would
    /// trap or the guard bytes change).
    @Test func everyTruncationIsRefusedOrAnsweredSoundly() {
        for frame in Self.frames {
            for count in 0...frame.count {
                let cut = Array(frame.prefix(count))
                for kind in Self.kinds {
                    checkIfBuilt(answer(kind, to: cut, verifyingChecksum: false))
                    checkIfBuilt(answer(kind, to: cut))
                }
            }
        }
    }

    /// Random damage to random bytes, seeded: same property.
    @Test func randomDamageIsRefusedOrAnsweredSoundly() {
        var random = SplitMix64(seed: 0x5eed_a115)
        for _ in 0..<4000 {
            var frame = Self.frames[random.below(Self.frames.count)]
            for _ in 0..<(1 + random.below(4)) {
                frame[random.below(frame.count)] = UInt8(truncatingIfNeeded: random.next())
            }
            let kind = Self.kinds[random.below(Self.kinds.count)]
            checkIfBuilt(answer(kind, to: frame, verifyingChecksum: random.below(2) == 0))
        }
    }
}
