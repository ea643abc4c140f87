import Frame
import Pipeline
import Policy
import Ruleset

/// Runs a policy's `test` blocks against its compiled form, as `check` and every reload do.
public enum TestRunner {
    /// The outcome of one `test` block.
    public struct Outcome: Sendable {
        public var name: String
        public var passed: Bool
        /// Why it failed (nil when it passed).
        public var failure: Diagnostic?
    }

    /// Runs every test block; a failing one becomes an error diagnostic at its `test` line.
    public static func run(_ compiled: CompiledPolicy) -> [Outcome] {
        compiled.policy.tests.map { run($0, compiled: compiled) }
    }

    static func run(_ test: TestBlock, compiled: CompiledPolicy) -> Outcome {
        let bytes: [UInt8]
        switch TestPacketBuilder.build(test.packet) {
        case .success(let built): bytes = built
        case .failure(let problem):
            var diagnostic = problem
            diagnostic.message = "test \"\(test.name)\": " + problem.message
            return Outcome(name: test.name, passed: false, failure: diagnostic)
        }
        let pipeline = Pipeline(policy: compiled)
        let headroom = 64
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 2 * headroom, alignment: 16)
        defer { storage.deallocate() }
        bytes.withUnsafeBytes { (storage + headroom).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        var frame = FrameBuffer(
            storage: storage, capacity: bytes.count + 2 * headroom, start: headroom, length: bytes.count)
        var effects = NoEffects()
        let port = UInt8(test.packet.iif.rawValue)
        let decision = pipeline.process(&frame, port: port, effects: &effects)

        var problems: [String] = []
        let expect = test.expectation
        let gotVerdict = VerdictKind(decision.verdict)
        let gotRule = decision.rule >= 0 ? compiled.ruleNames[Int(decision.rule)] : nil
        if gotVerdict != expect.verdict || (expect.rule != nil && expect.rule != gotRule)
            || (expect.byDefault && gotRule != nil)
        {
            let wanted =
                expect.verdict.rawValue
                + (expect.rule.map { " by \"\($0)\"" } ?? (expect.byDefault ? " by default" : ""))
            let got = gotVerdict.rawValue + (gotRule.map { " by \"\($0)\"" } ?? " by default")
            problems.append("expected \(wanted), got \(got)")
        }
        let after = FrameInfo.parse(frame.readOnlyBytes)
        for check in expect.fields {
            let actual = after.value(of: FieldCode(check.field), port: port)
            if actual != check.value {
                let shown =
                    actual.map { FieldValueText.format(check.field, $0) }
                    ?? "nothing (the frame has no \(check.field.rawValue))"
                problems.append(
                    "expected \(check.field.rawValue) \(FieldValueText.format(check.field, check.value)), got \(shown)")
            }
        }
        if problems.isEmpty { return Outcome(name: test.name, passed: true, failure: nil) }
        let diagnostic = Diagnostic(
            .error, .testFailed, "test \"\(test.name)\" failed: " + problems.joined(separator: "; "),
            at: test.location, sourceLine: sourceLine(of: test.location, in: compiled.policy),
            length: 4)
        return Outcome(name: test.name, passed: false, failure: diagnostic)
    }

    /// The text of the line a location points at, for the caret display.
    static func sourceLine(of location: SourceLocation, in policy: Policy) -> String? {
        guard let file = policy.sources.first(where: { $0.path == location.file }) else { return nil }
        let lines = file.contents.split(separator: "\n", omittingEmptySubsequences: false)
        guard location.line >= 1, location.line <= lines.count else { return nil }
        return String(lines[location.line - 1])
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
