import Foundation
import Policy
import Testing

@testable import Mirror

/// The fail-open guard: an owned table that stops kernel forwarding while its socket lives.
@Suite(.serialized) struct GuardTests {
    private func frames(_ ids: ClosedRange<UInt32>, port: UInt16 = 80) -> [TestFrame] {
        ids.map {
            TestFrame(
                id: $0,
                network: .ipv4(source: "198.18.1.1", destination: "198.18.0.2", l4: .tcp(source: 1, destination: port)))
        }
    }

    @Test func guardStopsKernelForwardingUntilItsSocketCloses() throws {
        let lab = try BridgeLab("gd")
        defer { lab.delete() }
        // Takeover order: guard first, then the kernel bridge, then the mirror.
        var owner: NftablesConnection? = try lab.bridge.run { try NftablesConnection() }
        try owner?.installGuard()
        try lab.makeBridge()
        let policy = P.policy([P.rule("no-telnet", [P.field(.tcpDport, P.value(23))])])
        try owner?.commit(MirrorPlanner.plan(policy, ports: BridgeLab.ports))
        #expect(try NftListing.tables(lab.bridge).sorted() == ["bridgekeeper", "bridgekeeper_guard"])
        let guardTable = try lab.bridge.must(["nft", "list", "table", "bridge", "bridgekeeper_guard"])
        #expect(guardTable.contains("flags owner"))
        // In the bridge family nft names priority -200 "filter".
        #expect(guardTable.contains("type filter hook forward priority filter; policy drop;"))

        // With the guard: nothing crosses, but a packet socket on the enslaved port sees all.
        let tap = try lab.bridge.run { try PacketSocket(interface: "pa") }
        let crossed = try lab.crossing(frames(1...5))
        #expect(crossed.isEmpty)
        #expect(TestFrame.ids(in: tap.receive(for: 0.2)) == Set(1...5))

        // Another socket may not remove the guard.
        let other = try lab.bridge.run { try NftablesConnection() }
        #expect(throws: MirrorError.rejected(object: "table bridge bridgekeeper_guard", errno: .notPermitted)) {
            try other.removeGuard()
        }

        // The owner goes away (as when the process exits or is killed): the kernel removes the
        // guard and the bridge forwards at once, still enforcing the mirror.
        owner = nil
        #expect(try NftListing.tables(lab.bridge) == ["bridgekeeper"])
        let after = try lab.crossing(frames(11...15) + frames(21...22, port: 23))
        #expect(after == Set(11...15))
    }

    /// A mirror hooked at prerouting (native `reject`) gets a guard that drops there too, before
    /// the mirror's chains, so the kernel neither answers nor learns while Bridgekeeper runs.
    @Test func aPreroutingMirrorsGuardDropsInPreroutingToo() throws {
        var capabilities = KernelCapabilities.assumed
        capabilities.bridgeReject = true
        let plan = MirrorPlanner.plan(
            P.policy([StatefulPolicy.reject("no-telnet", [P.field(.tcpDport, P.value(23))], .tcpReset)]),
            ports: BridgeLab.ports, capabilities: capabilities)
        #expect(plan.hooksPrerouting)
        let lab = try BridgeLab("gp")
        defer { lab.delete() }
        var owner: NftablesConnection? = try lab.bridge.run { try NftablesConnection() }
        try owner?.installGuard(for: plan)
        try lab.makeBridge()
        let listing = try lab.bridge.must(["nft", "list", "table", "bridge", "bridgekeeper_guard"])
        #expect(listing.contains("flags owner"))
        // nft names priority -300 "dstnat" in the bridge family.
        #expect(listing.contains("type filter hook prerouting priority dstnat; policy drop;"))
        #expect(listing.contains("type filter hook forward priority filter; policy drop;"))
        #expect(try lab.crossing(frames(1...3)).isEmpty)
        owner = nil
        #expect(try NftListing.tables(lab.bridge).isEmpty)
        #expect(try lab.crossing(frames(4...6)) == Set(4...6))
        // A forward-hooked plan gets the plain guard.
        let plain = MirrorPlanner.plan(P.policy([]), ports: BridgeLab.ports)
        let second = try lab.bridge.run { try NftablesConnection() }
        try second.installGuard(for: plain)
        let again = try lab.bridge.must(["nft", "list", "table", "bridge", "bridgekeeper_guard"])
        #expect(!again.contains("prerouting"))
    }

    @Test func installingTwiceReplacesTheGuardAndRemoveGuardLifts() throws {
        let lab = try BridgeLab("g2")
        defer { lab.delete() }
        let owner = try lab.bridge.run { try NftablesConnection() }
        try owner.installGuard()
        try owner.installGuard()
        try lab.makeBridge()
        #expect(try lab.crossing(frames(1...3)).isEmpty)
        try owner.removeGuard()
        #expect(try NftListing.tables(lab.bridge).isEmpty)
        #expect(try lab.crossing(frames(4...6)) == Set(4...6))
    }
}
