import Foundation
import TestSupport
import Testing

/// `bridgekeeper replay` with a dynamic set: the knock and its timeout run on the capture's own
/// timestamps, so the same capture gives the same result every time.
@Suite struct DynamicSetReplayTests {
    typealias R = ReplayStateTests

    static let policy = """
        version 1
        default drop
        set knocked { type ipv4_addr; flags dynamic,timeout; timeout 60s; }
        rule "knock" {
            match tcp dport 7000
            add @knocked { ip saddr }
        }
        rule "ssh" {
            match tcp dport 22 ip saddr @knocked
            forward
        }

        """

    @Test func theKnockAndItsTimeoutFollowTheCapturesClock() throws {
        let base = try R.folder()
        defer { R.remove(base) }
        try Self.policy.write(toFile: base + "/knock.policy", atomically: true, encoding: .utf8)
        func segment(_ port: UInt16, sourcePort: UInt16) -> [UInt8] {
            R.tcp(from: R.outside, to: R.inside, sourcePort: sourcePort, destinationPort: port, flags: 0x02)
        }
        let early = segment(22, sourcePort: 40000)
        let knock = segment(7000, sourcePort: 40001)
        let after = segment(22, sourcePort: 40002)
        let late = segment(22, sourcePort: 40003)
        let second: UInt64 = 1_000_000_000
        try R.writeCapture(
            [
                (early, R.start), (knock, R.start + second), (after, R.start + 2 * second),
                (late, R.start + 62 * second),
            ], to: base + "/b.pcap")
        var summaries: [[String: Any]] = []
        for run in 0..<2 {
            summaries.append(
                try R.replay([
                    "--policy", base + "/knock.policy", "--in-b", base + "/b.pcap", "--forward",
                    base + "/forward-\(run).pcap", "--drop", base + "/drop-\(run).pcap",
                ]))
            // Only the segment between the knock and its timeout crossed.
            #expect(try R.readCapture(base + "/forward-\(run).pcap").map(\.bytes) == [after])
            #expect(try R.readCapture(base + "/drop-\(run).pcap").map(\.bytes) == [early, knock, late])
        }
        for summary in summaries {
            #expect(try R.rule("ssh", in: summary)["packets"] as? Int == 1)
            #expect(try R.rule("knock", in: summary)["packets"] as? Int == 1)
        }
    }
}
