import Answers
import Flow
import Frame
import Loader
import Pipeline
import Ruleset

/// The frame fuzz target: any bytes through the parser, through every policy's compiled pipeline
/// arriving on either port, through every field rewrite, and through `completeL4Checksum`.
///
/// Policies load once, when the harness is made; each keeps one ``Pipeline`` and one
/// ``Pipeline/ThreadState`` (a small flow table, buckets, meters, quotas, the answer rate) across
/// inputs, as a forwarding thread does, on a clock that moves on with every input
/// (``FuzzClock``). A policy that tracks flows also gets each input's reply (``ReplyFrame``), so
/// the flows fuzzed frames open are answered, established and closed; flows expire between
/// inputs, and the table's links are checked after each. A rejected frame's answer is built and
/// checked (``AnswerChecks``). In the fuzz build, `process` and `answer` must not allocate
/// (``AllocationWatch``). ``check(_:)`` returns what it found broken; nothing it calls may trap.
///
/// The state carried from input to input is what lets one frame find the flow an earlier one
/// opened; a finding that needs it replays only after the inputs before it (libFuzzer's
/// `-runs` over the work corpus, in order).
public final class FrameHarness: @unchecked Sendable {
    /// One compiled policy the frames go through.
    struct Subject {
        let name: String
        let pipeline: Pipeline
    }

    private let subjects: [Subject]
    private var clock = FuzzClock()
    /// Flows each subject's table holds: small, so fuzzing fills it and exercises eviction and
    /// `flows-full`.
    static let flowCapacity = 512

    /// The headroom every frame gets: room for two `vlan push`es, as a ring slot has.
    static let headroom = 8

    /// Loads and compiles `policyFiles` (each must load cleanly, test blocks included).
    public init(policyFiles: [String]) throws(HarnessSetupError) {
        guard !policyFiles.isEmpty else { throw HarnessSetupError("no policy files to run frames through") }
        var subjects: [Subject] = []
        for path in policyFiles {
            let report = PolicyLoader.load(path: path)
            guard let loaded = report.loaded else {
                let why = report.errors.map(\.summary).joined(separator: "; ")
                throw HarnessSetupError("\(path) does not load: \(why.isEmpty ? "a test failed" : why)")
            }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let compiled = loaded.compiled
            let pipeline = Pipeline(
                policy: compiled, counters: RuleCounters(ruleCount: compiled.ruleCount),
                state: .standalone(flowCapacity: Self.flowCapacity), now: FuzzClock.start)
            subjects.append(Subject(name: name, pipeline: pipeline))
        }
        self.subjects = subjects
        warmUp()
    }

    /// Runs the seed frames through every pipeline once, unchecked, so what happens only once in
    /// a process (a lazily made global, the first use of a table) is not taken for a per-frame
    /// allocation.
    private func warmUp() {
        for seed in SeedFrames.all {
            _ = seed.bytes.withUnsafeBytes { check($0) }
        }
    }

    /// The policies in `policies/` and in `Tests/FuzzCorpus/policies/`.
    public static var standardPolicyFiles: [String] {
        RepositoryPaths.files(in: RepositoryPaths.shippedPolicies, suffix: ".policy")
            + RepositoryPaths.files(in: RepositoryPaths.fuzzPolicies, suffix: ".policy")
    }

    /// The names of the policies the frames go through.
    public var policyNames: [String] { subjects.map(\.name) }

    /// Runs every check on one input; empty when all hold.
    public func check(_ bytes: UnsafeRawBufferPointer) -> [HarnessViolation] {
        var log = ViolationLog()
        let info = FrameInfo.parse(bytes)
        log.add(ParseSoundness.violations(info, count: bytes.count), context: "parse")
        var reused = FrameInfo()
        reused.present = [.ethernet, .ipv4, .ports]
        reused.l4Offset = 99
        FrameInfo.parse(bytes, into: &reused)
        log.expect(reused == info, "parse-into", "parse(_:into:) differs from parse(_:)")
        for port: UInt8 in 0...1 {
            log.expect(
                info.value(of: .iif, port: port) == UInt128(port)
                    && info.value(of: .metaLength, port: port) == UInt128(bytes.count), "field-values",
                "iif or meta length wrong")
            for field in FieldCode.allCases where field != .iif && field != .metaLength {
                log.expect(
                    info.value(of: field, port: port) == nil || info.present.contains(.ethernet), "field-values",
                    "\(field) has a value in a frame without an Ethernet header")
            }
        }

        let now = clock.advance(seed: InputSeed.seed(of: bytes))
        let reply = info.present.contains(.ethernet) ? ReplyFrame.make(bytes, info: info) : nil
        for subject in subjects {
            for port: UInt8 in 0...1 {
                log.add(
                    Self.pipelineViolations(subject.pipeline, port: port, bytes, now: now),
                    context: "\(subject.name) iif \(port)")
            }
            guard let flows = subject.pipeline.state.flows else { continue }
            if subject.pipeline.tracksFlows, let reply {
                // The answer, a microsecond later, from the other side (each way round).
                for port: UInt8 in 0...1 {
                    let found = reply.withUnsafeBytes {
                        Self.pipelineViolations(subject.pipeline, port: port ^ 1, $0, now: now &+ FuzzClock.replyDelay)
                    }
                    log.add(found, context: "\(subject.name) reply iif \(port ^ 1)")
                }
            }
            var events = NoFlowEvents()
            flows.expire(now: now &+ FuzzClock.replyDelay, budget: 256, events: &events)
            for problem in flows.integrityProblems().prefix(5) {
                log.expect(false, "flow-table", "\(subject.name): \(problem)")
            }
        }
        clock.passReplies()
        log.add(RewriteOracle.violations(bytes, seed: InputSeed.seed(of: bytes)), context: "rewrite oracle")
        let copy = GuardedFrame(copying: bytes, headroom: 0)
        log.add(ChecksumChecks.completionViolations(&copy.buffer, info: info), context: "received frame")
        log.add(copy.finish(), context: "received frame")
        return log.items
    }

    /// One frame through one pipeline at `now`, its answer built and checked when it is rejected,
    /// then its L4 checksum completed as the forwarding loop does for a frame the kernel marked as
    /// needing it.
    static func pipelineViolations(
        _ pipeline: Pipeline, port: UInt8, _ bytes: UnsafeRawBufferPointer, now: UInt64
    ) -> [HarnessViolation] {
        var log = ViolationLog()
        let frame = GuardedFrame(copying: bytes, headroom: Self.headroom)
        var effects = CheckingEffects(pipeline.policy)
        var info = FrameInfo.parse(frame.buffer.readOnlyBytes)
        let before = AllocationWatch.count
        let decision = pipeline.process(&frame.buffer, info: &info, port: port, now: now, effects: &effects)
        let allocated = AllocationWatch.count &- before
        log.expect(allocated == 0, "allocation", "process allocated \(allocated) times (rule \(decision.rule))")
        log.add(effects.problems.items, context: "effects")
        log.expect(
            decision.rule >= -1 && Int(decision.rule) < pipeline.policy.ruleCount, "decision",
            "rule number \(decision.rule) of \(pipeline.policy.ruleCount)")
        if decision.verdict == .reject {
            // Both ways: as Linux does, and as for a frame whose checksum the driver vouched for.
            log.add(
                answerViolations(
                    pipeline, frame.buffer.readOnlyBytes, info: info, decision: decision, now: now,
                    verifyingChecksum: port == 0),
                context: "answer (rule \(decision.rule))")
        }
        let shape = frame.shapeViolations()
        log.add(shape, context: "after the pipeline")
        if shape.isEmpty {
            log.expect(
                info == FrameInfo.parse(frame.buffer.readOnlyBytes), "info-in-step",
                "the pipeline's info differs from a parse of the rewritten frame (rule \(decision.rule))")
            log.add(ChecksumChecks.completionViolations(&frame.buffer, info: info), context: "after the pipeline")
        }
        log.add(frame.finish(), context: "after the pipeline")
        return log.items
    }

    /// Zeros the answer's guarded output starts from.
    private static let answerSpace = [UInt8](repeating: 0, count: AnswerBuilder.maximumAnswerLength)

    /// The answer the pipeline builds for a rejected frame, written between guard bytes and, when
    /// one is built, checked against the frame it answers.
    static func answerViolations(
        _ pipeline: Pipeline, _ frame: UnsafeRawBufferPointer, info: FrameInfo, decision: Decision, now: UInt64,
        verifyingChecksum: Bool
    ) -> [HarnessViolation] {
        var log = ViolationLog()
        let output = answerSpace.withUnsafeBytes { GuardedFrame(copying: $0, headroom: 0) }
        let space = UnsafeMutableRawBufferPointer(
            start: output.buffer.storage + output.buffer.start, count: output.buffer.length)
        let before = AllocationWatch.count
        let length = pipeline.answer(
            frame, info: info, decision: decision, now: now, verifyingChecksum: verifyingChecksum, into: space)
        let allocated = AllocationWatch.count &- before
        log.expect(allocated == 0, "allocation", "answer allocated \(allocated) times")
        log.expect(length >= 0 && length <= space.count, "answer-length", "\(length) of \(space.count) bytes")
        if length > 0 && length <= space.count {
            let answer = UnsafeRawBufferPointer(rebasing: space[0..<length])
            log.add(AnswerChecks.violations(answer, original: frame, asked: info), context: "")
        }
        log.add(output.finish(), context: "answer buffer")
        return log.items
    }
}
