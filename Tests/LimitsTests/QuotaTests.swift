import Frame
import Limits
import Testing

/// Quotas with nft_quota's semantics: count first, then "consumed > quota".
@Suite struct QuotaTests {
    func quota(_ count: UInt64, _ unit: ByteUnit = .bytes, mode: QuotaMode = .until) throws -> Quota {
        try Quota(QuotaAmount(count, unit), mode: mode)
    }

    /// The frame that brings the count to exactly N still matches `until` and not `over`.
    @Test func untilAndOverMeetAtTheExactByte() throws {
        var until = try quota(1000)
        var over = try quota(1000, mode: .over)
        for (length, expected) in [(400, true), (600, true), (1, false), (500, false)] {
            let untilMatches = until.matches(length: length)
            let overMatches = over.matches(length: length)
            #expect(untilMatches == expected, "until after \(length)")
            #expect(overMatches == !expected, "over after \(length)")
        }
        // Every frame is counted, matching or not.
        #expect(until.consumed == 1501 && over.consumed == 1501)
        var single = try quota(1000)
        let exactly = single.matches(length: 1000)
        var justOver = try quota(1000)
        let oneMore = justOver.matches(length: 1001)
        #expect(exactly && !oneMore)
    }

    @Test func resetStartsCountingAgain() throws {
        var q = try quota(2, .kbytes)
        #expect(q.bytes == 2048)
        let all = q.matches(length: 2048)
        let beyond = q.matches(length: 1)
        #expect(all && !beyond)
        #expect(q.isDepleted && q.reportedConsumed == 2048 && q.consumed == 2049)
        q.reset()
        #expect(q.consumed == 0 && !q.isDepleted)
        let again = q.matches(length: 2048)
        #expect(again)
    }

    /// The count carried into a new quota (a reload) picks up exactly where it was.
    @Test func theCountCarriesAcrossAReload() throws {
        var before = try quota(10, .mbytes)
        for _ in 0..<5000 { _ = before.matches(length: 1500) }
        var after = try quota(10, .mbytes)
        after.consumed = before.consumed
        var frames = 0
        while after.matches(length: 1500) { frames += 1 }
        #expect(frames == (10 * 1_048_576 - 5000 * 1500) / 1500)
        // A smaller quota after the reload: already over, and the kernel is told the cap.
        var smaller = try quota(1, .mbytes, mode: .over)
        smaller.consumed = before.consumed
        let alreadyOver = smaller.matches(length: 60)
        #expect(alreadyOver && smaller.reportedConsumed == 1_048_576)
    }

    @Test func usedStartsTheCountAndTheKernelsLimitsHold() throws {
        var q = try Quota(QuotaAmount(100, .bytes), used: 90)
        let last = q.matches(length: 10)
        let beyond = q.matches(length: 1)
        #expect(last && !beyond)
        #expect(throws: LimitError.usedBeyondQuota(used: 101, quota: 100)) {
            try Quota(QuotaAmount(100, .bytes), used: 101)
        }
        #expect(try QuotaAmount(1, .gbytes).bytes == 1 << 30)
        #expect(try QuotaAmount(UInt64(Int64.max), .bytes).bytes == UInt64(Int64.max))
        #expect(throws: LimitError.quotaTooLarge(1 << 63)) { try QuotaAmount(1 << 33, .gbytes) }
        #expect(throws: LimitError.amountOverflow(count: 1 << 40, unit: .gbytes)) { try QuotaAmount(1 << 40, .gbytes) }
    }

    @Test func theCountSaturates() throws {
        var q = try quota(UInt64(Int64.max), mode: .over)
        q.consumed = .max - 10
        let over = q.matches(length: 100)
        #expect(over)
        #expect(q.consumed == .max)
    }
}

/// What the kernel counts as a bridged frame's length.
@Suite struct KernelLengthTests {
    @Test func theEthernetHeaderAndAStrippableOuterTagDoNotCount() {
        var builder = FrameBuilder()
        var ip = FrameBuilder.IPv4()
        var udp = FrameBuilder.UDP()
        udp.payload = Array(repeating: 0, count: 100)
        ip.transport = .udp(udp)
        builder.network = .ipv4(ip)
        #expect(KernelLength.bridge(parse(builder)) == 128)
        builder.vlanTags = [FrameBuilder.VLANTag(id: 5)]
        #expect(KernelLength.bridge(parse(builder)) == 128)
        builder.vlanTags = [FrameBuilder.VLANTag(id: 5, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 6)]
        #expect(KernelLength.bridge(parse(builder)) == 132)
        builder.vlanTags = [FrameBuilder.VLANTag(id: 5, tpid: EtherType.qinqLegacy)]
        #expect(KernelLength.bridge(parse(builder)) == 132)
        #expect(KernelLength.bridge(FrameInfo()) == 0)
    }
}
