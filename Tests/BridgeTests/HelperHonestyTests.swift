import Foundation
import TestSupport
import Testing

/// The testbed's read-back helpers report a failure as a failure: a broken `nft`, ping or
/// status read never comes back as "no rules", "no replies" or zero.
@Suite(.serialized) struct HelperHonestyTests {
    @Test func nftFailingIsAnErrorAndAMissingTableIsNil() async throws {
        try await TestNamespace.with { namespace in
            // A namespace without the table: that is the one legitimate "absent".
            #expect(try NftTable.read(in: namespace) == nil)
            try namespace.exec("nft", "add", "table", "bridge", "bridgekeeper")
            #expect(try NftTable.read(in: namespace) == NftTable(chainPolicy: nil, rules: []))
            // nft cannot run in a namespace that is gone: before, this read as "no table".
            try Shell.run("ip", "netns", "del", namespace.name)
            #expect(throws: Shell.Failure.self) { try NftTable.read(in: namespace) }
        }
    }

    @Test func pingErrorsAndUnknownCountersThrowInsteadOfReadingAsZero() async throws {
        try await BridgeTestbed.with { bed in
            // No bridge is running, so nothing crosses: "no replies" is the honest answer...
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 1, interval: "0.2").received == 0)
            // ...but a ping that cannot even start (exit status 2) is an error.
            #expect(throws: Shell.Failure.self) { try bed.ping(from: bed.a, to: "198.18.1.300", count: 1) }
            try bed.start(policy: "version 1\ndefault forward\n")
            _ = try bed.portCounter("a", "rx_frames")
            #expect(throws: TestFailure.self) { try bed.portCounter("a", "rx_frame") }
            #expect(throws: TestFailure.self) { try bed.portCounter("c", "rx_frames") }
            #expect(throws: TestFailure.self) { try bed.rulePackets("no-such-rule") }
        }
    }
}
