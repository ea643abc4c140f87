import Answers
import Frame
import Pipeline
import Policy
import Ruleset

/// Runs a policy's `test` blocks against its compiled form, as `check` and every reload do.
///
/// Each block runs on a state of its own (a fresh flow table, buckets and meters) and a clock of
/// its own, which `wait` moves on: its packets go through in order, so a block can open a flow
/// and then test what the flow lets through, or send a burst into a limit.
public enum TestRunner {
    /// The outcome of one `test` block.
    public struct Outcome: Sendable {
        public var name: String
        public var passed: Bool
        /// Why it failed (nil when it passed).
        public var failure: Diagnostic?
    }

    /// Where a block's clock starts (any time works; not zero, so a first `limit` is not special).
    static let clockStart: UInt64 = 1_000_000_000_000

    /// Runs every test block; a failing one becomes an error diagnostic at its `test` line (or,
    /// in a block of several packets, at the `expect` line that did not hold).
    public static func run(_ compiled: CompiledPolicy) -> [Outcome] {
        compiled.policy.tests.map { run($0, compiled: compiled) }
    }

    static func run(_ test: TestBlock, compiled: CompiledPolicy) -> Outcome {
        var now = clockStart
        let pipeline = Pipeline(
            policy: compiled, counters: RuleCounters(ruleCount: compiled.ruleCount), state: .standalone(), now: now)
        let answer = UnsafeMutableRawBufferPointer.allocate(byteCount: AnswerBuilder.maximumAnswerLength, alignment: 16)
        defer { answer.deallocate() }
        for (index, step) in test.steps.enumerated() {
            now &+= step.after
            let bytes: [UInt8]
            switch TestPacketBuilder.build(step.packet) {
            case .success(let built): bytes = built
            case .failure(let problem):
                var diagnostic = problem
                diagnostic.message = "test \"\(test.name)\": " + problem.message
                return Outcome(name: test.name, passed: false, failure: diagnostic)
            }
            for repetition in 0..<step.repeatCount {
                let problems = check(
                    step, bytes: bytes, pipeline: pipeline, compiled: compiled, now: now, answer: answer)
                guard problems.isEmpty else {
                    return failed(test, step: index, repetition: repetition, problems: problems, compiled: compiled)
                }
            }
        }
        return Outcome(name: test.name, passed: true, failure: nil)
    }

    /// One packet through the pipeline; what did not go as the step expects.
    private static func check(
        _ step: TestStep, bytes: [UInt8], pipeline: Pipeline, compiled: CompiledPolicy, now: UInt64,
        answer: UnsafeMutableRawBufferPointer
    ) -> [String] {
        let headroom = 64
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 2 * headroom, alignment: 16)
        defer { storage.deallocate() }
        bytes.withUnsafeBytes { (storage + headroom).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        var frame = FrameBuffer(
            storage: storage, capacity: bytes.count + 2 * headroom, start: headroom, length: bytes.count)
        var effects = NoEffects()
        let port = UInt8(step.packet.iif.rawValue)
        let arrived = bytes.withUnsafeBytes { FrameInfo.parse($0) }
        let decision = pipeline.process(&frame, port: port, now: now, effects: &effects)

        var problems: [String] = []
        let expect = step.expectation
        let gotVerdict = VerdictKind(decision.verdict)
        let gotRule = decision.rule >= 0 ? compiled.ruleNames[Int(decision.rule)] : nil
        if gotVerdict != expect.verdict || (expect.rule != nil && expect.rule != gotRule)
            || (expect.byDefault && gotRule != nil)
        {
            let wanted =
                expect.verdict.rawValue
                + (expect.rule.map { " by \"\($0)\"" } ?? (expect.byDefault ? " by default" : ""))
            let got = gotVerdict.rawValue + (gotRule.map { " by \"\($0)\"" } ?? " by default")
            problems.append(
                "expected \(wanted), got \(got)" + (decision.flowRefused ? " (the flow table is full)" : ""))
        }
        let after = FrameInfo.parse(frame.readOnlyBytes)
        for check in expect.fields {
            let actual = value(of: check.field, in: after, frame: frame.readOnlyBytes, decision: decision, port: port)
            if actual != check.value {
                let shown =
                    actual.map { FieldValueText.format(check.field, $0) }
                    ?? "nothing (the frame has no \(check.field.rawValue))"
                problems.append(
                    "expected \(check.field.rawValue) \(FieldValueText.format(check.field, check.value)), got \(shown)")
            }
        }
        if let expected = expect.answer, decision.verdict == .reject {
            let length = bytes.withUnsafeBytes {
                pipeline.answer($0, info: arrived, decision: decision, now: now, into: answer)
            }
            problems += answerProblems(expected, answer: UnsafeRawBufferPointer(rebasing: answer[0..<length]))
        }
        return problems
    }

    /// A field as the test sees it: from the frame after rewrites, or for `ct ...` from the flow
    /// table's verdict on it.
    private static func value(
        of field: Field, in info: FrameInfo, frame: UnsafeRawBufferPointer, decision: Decision, port: UInt8
    ) -> UInt128? {
        switch field {
        case .ctState: return decision.ctState == 0 ? nil : UInt128(decision.ctState)
        case .ctDirection: return decision.ctDirection == 0xff ? nil : UInt128(decision.ctDirection)
        default: return info.value(of: FieldCode(field), port: port, frame: frame)
        }
    }

    private static func answerProblems(_ expected: AnswerExpectation, answer: UnsafeRawBufferPointer) -> [String] {
        switch expected {
        case .none:
            return answer.isEmpty ? [] : ["expected no answer, got one of \(answer.count) bytes"]
        case .fields(let fields):
            guard !answer.isEmpty else { return ["expected an answer, got none"] }
            let info = FrameInfo.parse(answer)
            return fields.compactMap { check in
                let actual = info.value(of: FieldCode(check.field), port: 0, frame: answer)
                guard actual != check.value else { return nil }
                let shown =
                    actual.map { FieldValueText.format(check.field, $0) }
                    ?? "nothing (the answer has no \(check.field.rawValue))"
                return
                    "expected the answer's \(check.field.rawValue) \(FieldValueText.format(check.field, check.value)), got \(shown)"
            }
        }
    }

    private static func failed(
        _ test: TestBlock, step: Int, repetition: Int, problems: [String], compiled: CompiledPolicy
    ) -> Outcome {
        let single = test.steps.count == 1 && test.steps[0].repeatCount == 1
        let location = single ? test.location : test.steps[step].expectation.location
        var which = ""
        if !single {
            which = "packet \(step + 1) (line \(test.steps[step].packet.location.line))"
            if test.steps[step].repeatCount > 1 {
                which += ", copy \(repetition + 1) of \(test.steps[step].repeatCount)"
            }
            which += ": "
        }
        let diagnostic = Diagnostic(
            .error, .testFailed, "test \"\(test.name)\" failed: " + which + problems.joined(separator: "; "),
            at: location, sourceLine: sourceLine(of: location, in: compiled.policy), length: single ? 4 : 6)
        return Outcome(name: test.name, passed: false, failure: diagnostic)
    }

    /// The text of the line a location points at, for the caret display.
    static func sourceLine(of location: SourceLocation, in policy: Policy) -> String? {
        SourceLines(policy).line(at: location)
    }
}

extension VerdictKind {
    /// The language verdict for a compiled one.
    public init(_ code: VerdictCode) {
        switch code {
        case .forward: self = .forward
        case .drop: self = .drop
        case .reflect: self = .reflect
        case .reflectForward: self = .reflectForward
        case .reject: self = .reject
        }
    }
}
