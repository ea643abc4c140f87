import Frame
import Loader
import Mirror
import Pipeline
import Policy
import Ruleset

/// The policy fuzz target: any text through the loader (`check`'s code path: parser, resolver,
/// checks, compiler, test blocks), every diagnostic rendered, and a policy that loads planned as
/// nftables, printed, and run over the seed frames on both ports (each frame's reply too when the
/// policy tracks flows), on a clock that moves, with a rejected frame's answer built and checked
/// and, in the fuzz build, no allocation per frame.
public enum PolicyHarness {
    /// Frames every loaded policy decides (the seed frames but the jumbo one); built once.
    static let frames: [[UInt8]] = SeedFrames.all.map(\.bytes).filter { $0.count <= 1514 }

    /// Runs every check on one input; empty when all hold. Text that could include files outside
    /// the sandbox is skipped (empty result).
    public static func check(_ bytes: UnsafeRawBufferPointer) -> [HarnessViolation] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard isConfined(text) else { return [] }
        return check(text: text)
    }

    /// The checks for `text` read as the file `fuzz.policy` in the include sandbox.
    public static func check(text: String) -> [HarnessViolation] {
        var log = ViolationLog()
        let path = IncludeSandbox.mainPath
        let report = PolicyLoader.load(text: text, path: path)
        // Lines by byte: "\r\n" is one Character, so splitting the String would miss those breaks.
        let lineCount = text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        for diagnostic in report.diagnostics {
            log.expect(!diagnostic.rendered.isEmpty && !diagnostic.summary.isEmpty, "diagnostic", "empty rendering")
            guard let location = diagnostic.location else { continue }
            log.expect(
                location.line >= 1 && location.column >= 1, "diagnostic-location",
                "\(location) for \(diagnostic.summary)")
            if location.file == path {
                log.expect(
                    location.line <= lineCount + 1, "diagnostic-location",
                    "line \(location.line) of \(lineCount) for \(diagnostic.summary)")
            }
        }
        guard let loaded = report.loaded else { return log.items }
        log.expect(report.errors.isEmpty, "load-report", "loaded despite \(report.errors.count) errors")
        log.expect(report.tests.allSatisfy(\.passed), "load-report", "loaded despite a failing test")

        let plan = MirrorPlanner.plan(loaded.compiled.policy, ports: MirrorPorts(a: "pa", b: "pb"))
        log.expect(!NftText.render(plan).isEmpty, "mirror", "empty nft text")

        // A fresh state per policy, frames a millisecond apart, and each frame's reply after it
        // when the policy tracks flows (``FrameHarness`` explains the checks).
        let pipeline = Pipeline(
            policy: loaded.compiled, counters: RuleCounters(ruleCount: loaded.compiled.ruleCount),
            state: .standalone(flowCapacity: FrameHarness.flowCapacity), now: FuzzClock.start)
        var now = FuzzClock.start
        for frame in frames {
            let replies =
                pipeline.tracksFlows
                ? frame.withUnsafeBytes { raw in
                    ReplyFrame.make(raw, info: FrameInfo.parse(raw)).map { [$0] } ?? []
                } : []
            for (index, bytes) in ([frame] + replies).enumerated() {
                for port: UInt8 in 0...1 {
                    let arrival = index == 0 ? port : port ^ 1
                    let found = bytes.withUnsafeBytes {
                        FrameHarness.pipelineViolations(pipeline, port: arrival, $0, now: now)
                    }
                    log.add(
                        found,
                        context: "seed frame of \(frame.count) bytes\(index == 0 ? "" : ", reply"), iif \(arrival)")
                }
            }
            now &+= 1_000_000
        }
        return log.items
    }

    /// False for text that could include a file outside the sandbox: an `include` together with
    /// an absolute pattern (`"/`) or a parent folder (`..`) anywhere in the text.
    public static func isConfined(_ text: String) -> Bool {
        guard text.contains("include") else { return true }
        return !text.contains("..") && !text.contains("\"/")
    }
}
