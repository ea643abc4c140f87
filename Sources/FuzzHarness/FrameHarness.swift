import Frame
import Loader
import Pipeline
import Ruleset

/// The frame fuzz target: any bytes through the parser, through every policy's compiled pipeline
/// arriving on either port, through every field rewrite, and through `completeL4Checksum`.
///
/// Policies load once, when the harness is made; each keeps one ``Pipeline`` (and its counters)
/// across inputs, as a forwarding thread does. ``check(_:)`` returns what it found broken; nothing
/// it calls may trap.
public final class FrameHarness: @unchecked Sendable {
    /// One compiled policy the frames go through.
    struct Subject {
        let name: String
        let pipeline: Pipeline
    }

    private let subjects: [Subject]

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
            subjects.append(
                Subject(name: name, pipeline: Pipeline(policy: loaded.compiled)))
        }
        self.subjects = subjects
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

        for subject in subjects {
            for port: UInt8 in 0...1 {
                log.add(
                    Self.pipelineViolations(subject.pipeline, port: port, bytes),
                    context: "\(subject.name) iif \(port)")
            }
        }
        log.add(RewriteOracle.violations(bytes, seed: InputSeed.seed(of: bytes)), context: "rewrite oracle")
        let copy = GuardedFrame(copying: bytes, headroom: 0)
        log.add(ChecksumChecks.completionViolations(&copy.buffer, info: info), context: "received frame")
        log.add(copy.finish(), context: "received frame")
        return log.items
    }

    /// One frame through one pipeline, then its L4 checksum completed as the forwarding loop does
    /// for a frame the kernel marked as needing it.
    static func pipelineViolations(_ pipeline: Pipeline, port: UInt8, _ bytes: UnsafeRawBufferPointer)
        -> [HarnessViolation]
    {
        var log = ViolationLog()
        let frame = GuardedFrame(copying: bytes, headroom: Self.headroom)
        var effects = CheckingEffects(pipeline.policy)
        var info = FrameInfo.parse(frame.buffer.readOnlyBytes)
        let decision = pipeline.process(&frame.buffer, info: &info, port: port, effects: &effects)
        log.add(effects.problems.items, context: "effects")
        log.expect(
            decision.rule >= -1 && Int(decision.rule) < pipeline.policy.ruleCount, "decision",
            "rule number \(decision.rule) of \(pipeline.policy.ruleCount)")
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
}
