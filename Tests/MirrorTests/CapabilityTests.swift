import Foundation
import Testing

@testable import Mirror

/// Capability detection on the running kernel, checked against `nft` itself.
@Suite(.serialized) struct CapabilityTests {
    /// Each probe's answer is what `nft -c` (the kernel checks the batch, then it is aborted)
    /// says of the same plan's text, and probing leaves no table behind.
    @Test func probesAgreeWithNftAndLeaveNothingBehind() throws {
        let namespace = try NetworkNamespace("caps")
        defer { namespace.delete() }
        let (probed, cached) = try namespace.run { () -> (KernelCapabilities, KernelCapabilities) in
            let connection = try NftablesConnection()
            let probed = try connection.capabilities()
            return (probed, try connection.capabilities())
        }
        #expect(probed == cached && probed.probed)
        #expect(try NftListing.tables(namespace).isEmpty)
        var everything = KernelCapabilities.assumed
        everything.bridgeConntrack = true
        everything.bridgeReject = true
        for probe in CapabilityProbe.allCases {
            var assumed = everything
            if probe == .flowSets { assumed.bridgeConntrack = false }
            let plan = MirrorPlanner.plan(
                probe.policy, ports: MirrorPorts(a: "lo", b: "lo"), table: "bkprobe", capabilities: assumed,
                flowSetSize: 16)
            let checked = namespace.exec(["nft", "-c", "-f", "-"], input: NftText.render(plan))
            let answer: Bool
            switch probe {
            case .bridgeConntrack: answer = probed.bridgeConntrack
            case .bridgeReject: answer = probed.bridgeReject
            case .limit: answer = probed.limit
            case .meters: answer = probed.meters
            case .quota: answer = probed.quota
            case .flowSets: answer = probed.flowSets
            case .tcpOptions: answer = probed.tcpOptions
            case .dynamicSets: answer = probed.dynamicSets
            }
            #expect(checked.succeeded == answer, "\(probe): nft says \(checked.succeeded): \(checked.errors)")
        }
        // This machine's kernel takes `update @s { ip saddr }` in the bridge family.
        #expect(probed.dynamicSets)
        print("capabilities of this kernel: \(probed)")
    }
}
