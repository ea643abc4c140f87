import Answers
import Frame

extension Pipeline {
    /// The answer to a frame `decision` rejected, written into `buffer` (at least
    /// ``Answers/AnswerBuilder/maximumAnswerLength`` bytes): its length, or 0 when it gets none
    /// (a frame that is never answered, or the answer rate held it back). Counted on the rule.
    ///
    /// `frame` and `info` are the frame as it arrived (a reject rule rewrites nothing). With
    /// `verifyingChecksum`, a segment with a bad checksum is not answered, as Linux does; pass
    /// false when the sender left its checksum to offload and nobody filled it in.
    public func answer(
        _ frame: UnsafeRawBufferPointer, info: FrameInfo, decision: Decision, now: UInt64,
        verifyingChecksum: Bool = true, into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        let slot = decision.rule >= 0 ? Int(decision.rule) : counters.defaultSlot
        let outcome = AnswerBuilder.build(
            decision.answer, original: frame, info: info, into: buffer, verifyingChecksum: verifyingChecksum)
        guard case .built(let length) = outcome else {
            counters.add(slot: slot, answer: .unanswered)
            return 0
        }
        guard state.admitAnswer(now: now) else {
            counters.add(slot: slot, answer: .suppressed)
            return 0
        }
        counters.add(slot: slot, answer: .sent)
        return length
    }
}
