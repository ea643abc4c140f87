import Frame
import Testing

@testable import FuzzHarness

/// The committed fuzz corpora (seeds and the inputs kept from findings) replayed through the same
/// checks the fuzzers run, in the plain debug build: every finding stays fixed.
@Suite struct CorpusReplayTests {
    static func inputs(_ target: String) -> [String] {
        RepositoryPaths.files(in: RepositoryPaths.corpus + "/" + target)
            + RepositoryPaths.files(in: RepositoryPaths.corpus + "/regressions/" + target)
    }

    @Test func everyFrameInputPassesEveryCheckThroughEveryPolicy() throws {
        let harness = try FrameHarness(policyFiles: FrameHarness.standardPolicyFiles)
        #expect(harness.policyNames.contains("edge.policy"))
        #expect(harness.policyNames.contains("every-rewrite.policy"))
        let files = Self.inputs("frame")
        #expect(files.count >= SeedFrames.all.count)
        for file in files {
            let bytes = try #require(RepositoryPaths.read(file))
            let violations = bytes.withUnsafeBytes { harness.check($0) }
            #expect(violations.isEmpty, "\(file): \(violations)")
        }
    }

    @Test func everyPolicyInputPassesEveryCheck() throws {
        let files = Self.inputs("policy")
        #expect(files.count >= 10)
        for file in files {
            let bytes = try #require(RepositoryPaths.read(file))
            let violations = bytes.withUnsafeBytes { PolicyHarness.check($0) }
            #expect(violations.isEmpty, "\(file): \(violations)")
        }
    }

    @Test func theSeedFramesAreWellFormedAndTheirChecksumsRight() {
        for seed in SeedFrames.all {
            seed.bytes.withUnsafeBytes { raw in
                let info = FrameInfo.parse(raw)
                #expect(info.present.contains(.ethernet), "\(seed.name)")
                #expect(ChecksumVerifier.allAreValid(raw, info: info), "\(seed.name)")
            }
        }
    }

    // The checks can fail: each catches what it is there to catch.

    @Test func aWriteIntoTheGuardBytesIsReported() {
        let frame = GuardedFrame(copying: UnsafeRawBufferPointer(start: nil, count: 0), headroom: 4)
        (frame.buffer.storage + frame.buffer.capacity).storeBytes(of: 0, as: UInt8.self)
        #expect(frame.finish().map(\.check) == ["guard-bytes"])
    }

    @Test func aFrameThatGrewAtTheEndIsReported() {
        let bytes: [UInt8] = Array(repeating: 0, count: 20)
        let frame = bytes.withUnsafeBytes { GuardedFrame(copying: $0, headroom: 4) }
        frame.buffer.length -= 1
        #expect(frame.shapeViolations().map(\.check) == ["buffer-shape"])
    }

    @Test func aRewriteThatDoesNotReadBackIsReported() {
        var before = FrameInfo()
        before.present = [.ethernet, .ipv4]
        var after = before
        after.ttl = 7
        #expect(RewriteOracle.readsBack(.ipv4TTL(7), before: before, after: after))
        #expect(!RewriteOracle.readsBack(.ipv4TTL(8), before: before, after: after))
        after.ecn = 1
        #expect(!RewriteOracle.readsBack(.ipv4DSCP(0), before: before, after: after))
    }

    @Test func anUnsoundParseIsReported() {
        var info = FrameInfo()
        info.length = 10
        info.present = [.ethernet, .ipv4]
        let checks = ParseSoundness.violations(info, count: 10).map(\.check)
        #expect(!checks.isEmpty && checks.allSatisfy { $0 == "parse-sound" })
    }

    @Test func policyTextThatCouldIncludeOutsideTheSandboxIsSkipped() {
        #expect(PolicyHarness.isConfined("version 1\ninclude \"sets.d/*.policy\"\ndefault forward\n"))
        #expect(!PolicyHarness.isConfined("version 1\ninclude \"/etc/*\"\n"))
        #expect(!PolicyHarness.isConfined("version 1\ninclude \"../x\"\n"))
        #expect(PolicyHarness.isConfined("version 1\ndefine P = 10.0.0.0/8\n# .. \"/\n"))
    }
}
