import Foundation
import TestSupport
import Testing

/// `--link-propagate` on real veth pairs: the far side sees the near side's cable pulled.
@Suite(.serialized) struct LinkPropagationLiveTests {
    static let passAll = "version 1\ndefault forward\n"

    /// Whether `interface` in `namespace` has carrier.
    static func carrier(_ namespace: TestNamespace, _ interface: String) throws -> Bool {
        try namespace.exec("cat", "/sys/class/net/\(interface)/carrier").trimmingCharacters(in: .whitespacesAndNewlines)
            == "1"
    }

    @Test func pullingHostAsCableTakesHostBsLinkDownAndBackUp() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll, arguments: ["--link-propagate"])
            #expect(try Self.carrier(bed.b, "b0"))
            try bed.a.ip("link", "set", "a0", "down")
            #expect(try waitUntil(timeout: 5) { try !Self.carrier(bed.b, "b0") }, "\(bed.log())")
            let held = try bed.status().linkPropagation
            #expect(held?.heldDown == [false, true])
            #expect(held?.propagations == [0, 1])
            try bed.a.ip("link", "set", "a0", "up")
            #expect(try waitUntil(timeout: 5) { try Self.carrier(bed.b, "b0") }, "\(bed.log())")
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3, interval: "0.1").received == 3)
            #expect(bed.log(lines: 60).contains("link propagation: port down"))
        }
    }

    @Test func withoutTheFlagTheOtherSideKeepsItsLink() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            try bed.a.ip("link", "set", "a0", "down")
            // Wait for the bridge to see port a go down, then check b still has its link.
            #expect(try waitUntil(timeout: 5) { try bed.status().ports[0].link == "down" })
            #expect(try Self.carrier(bed.b, "b0"))
            #expect(try bed.status().linkPropagation == nil)
        }
    }
}
