import Foundation
import TestSupport
import Testing

/// `mirror "IF"`: copies of exactly the matching frames, as received, go to a monitor port;
/// the forwarded traffic is unchanged.
@Suite(.serialized) struct MonitorPortTests {
    @Test func aMirrorRuleCopiesExactlyTheMatchingFramesAsReceived() async throws {
        try await BridgeTestbed.with { bed in
            // A third veth: pm in the bridge's namespace, m0 (the IDS's side) in host b's.
            try bed.bridge.ip("link", "add", "pm", "type", "veth", "peer", "name", "m0", "netns", bed.b.name)
            try bed.bridge.ip("link", "set", "pm", "up")
            try bed.b.ip("link", "set", "m0", "up")
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "copy-7000" {
                        match udp dport 7000
                        ip dscp set cs1
                        mirror "pm"
                        forward
                    }
                    """)
            let copied = (1...3).map { TestFrames.udp(sourcePort: 4000, destinationPort: 7000, marker: UInt8($0)) }
            let passed = (4...6).map { TestFrames.udp(sourcePort: 4000, destinationPort: 7001, marker: UInt8($0)) }
            let isOurs: @Sendable ([UInt8]) -> Bool = { frame in
                frame.count > 42 && frame[23] == 17 && frame[34] == 0x0f && frame[35] == 0xa0
            }
            let onMonitor = RawExchange.startCapture(
                in: bed.b, interface: "m0", count: 6, timeout: 1.5, matching: isOurs)
            let forwarded = try RawExchange.send(
                copied + passed, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: 6, matching: isOurs)
            #expect(try onMonitor.wait() == copied, "exactly the matching frames, as received (before the rewrite)")
            #expect(forwarded.count == 6)
            #expect(Array(forwarded[3...]) == passed, "frames the rule does not match cross untouched")
            #expect(forwarded[0...2].allSatisfy { $0[15] == 8 << 2 }, "the forwarded copies carry the rewrite (CS1)")
            #expect(try bed.portCounter("a", "mirrored") == 3)
        }
    }

    @Test func aMissingMonitorInterfaceFailsTheReloadAndChangesNothing() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: "version 1\ndefault forward\n")
            let reply = try bed.reload(
                policy:
                    "version 1\ndefault forward\nrule \"m\" {\n    match udp dport 1\n    mirror \"nosuch0\"\n    forward\n}\n"
            )
            #expect(reply.status != 0)
            #expect(reply.output.contains("nosuch0"), "\(reply.output)")
            #expect(try bed.status().policy.generation == 1)
        }
    }
}
