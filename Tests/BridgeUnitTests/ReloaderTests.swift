import Foundation
import Loader
import Logging
import Mirror
import Operations
import Policy
import Ruleset
import Testing

@testable import Bridge

/// Reload sequencing without a kernel: a recording target stands in for the mirror, the monitor
/// ports and the forwarding threads, and the tests read what happened, in which order.
@Suite("Reload sequencing")
struct ReloaderTests {
    /// What a reload asked of the bridge, in order.
    final class RecordingTarget: ReloadTarget, @unchecked Sendable {
        var mirrors = true
        var tracksFlows = true
        var refuseCommit = false
        var refuseMonitors = false
        var kernelHoldsMirror = true
        private(set) var steps: [String] = []
        private(set) var committed: [MirrorPlan] = []
        /// How many times a plan was made (once per reload that read a good policy).
        private(set) var plansMade = 0
        let slot: PolicySlot

        init(slot: PolicySlot) { self.slot = slot }

        func mirrorPlan(for policy: Policy) -> MirrorPlan? {
            guard mirrors else { return nil }
            plansMade += 1
            return MirrorPlanner.plan(policy, ports: PortInterfaces(a: "pa", b: "pb"))
        }
        func mirrorIntact(_ plan: MirrorPlan) -> Bool { kernelHoldsMirror }
        func commitMirror(_ plan: MirrorPlan) throws(MirrorError) {
            steps.append("commit")
            if refuseCommit { throw .rejected(object: "table bridge bridgekeeper", errno: .invalidArgument) }
            committed.append(plan)
        }
        func monitorPorts(for policy: CompiledPolicy) throws(BridgeError) -> MonitorPorts {
            steps.append("monitors")
            if refuseMonitors { throw .monitor(interface: "mon9", .interfaceNotFound("mon9")) }
            return .none
        }
        func putInForce(_ policy: ActivePolicy) {
            steps.append("in force \(policy.generation)")
            slot.publish(policy)
        }
    }

    /// A policy file in a fresh folder, a slot running it, a reloader and its target.
    struct Fixture {
        let path: String
        let slot: PolicySlot
        let target: RecordingTarget
        let reloader: Reloader

        init(_ text: String) throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bk-reload-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            path = folder.appendingPathComponent("test.policy").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let loaded = try #require(PolicyLoader.load(path: path).loaded)
            slot = PolicySlot(ActivePolicy(loaded: loaded, generation: 1, loadedAt: 0))
            target = RecordingTarget(slot: slot)
            reloader = Reloader(
                policyPath: path, portNames: ("pa", "pb"), slot: slot, target: target,
                notifier: SystemdNotifier(socket: nil), logger: Logger(label: "test"))
        }

        func rewrite(_ text: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    static let first = """
        version 1
        default forward
        rule "no-telnet" {
            match tcp dport 23
            drop
        }
        """
    static let second = first + "\nrule \"no-smb\" {\n    match tcp dport 445\n    drop\n}\n"

    @Test func aGoodPolicyIsCommittedToTheKernelBeforeItIsPutInForce() throws {
        let fixture = try Fixture(Self.first)
        try fixture.rewrite(Self.second)
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(reply.ok)
        #expect(reply.generation == 2)
        #expect(reply.message == "+1 -0 ~0 (added: no-smb)")
        #expect(fixture.target.steps == ["monitors", "commit", "in force 2"])
        #expect(fixture.target.committed.map(\.mirroredRuleNames) == [["no-telnet", "no-smb"]])
        #expect(fixture.target.plansMade == 1, "one plan serves the notes, the intact check and the commit")
        #expect(fixture.slot.current().loaded.compiled.ruleNames == ["no-telnet", "no-smb"])
        let history = fixture.reloader.history.current
        #expect(history.count == 1 && history.failures == 0)
        #expect(history.last?.ok == true && history.last?.generation == 2)
    }

    @Test func aBrokenPolicyChangesNothingAndSaysWhereItIsBroken() throws {
        let fixture = try Fixture(Self.first)
        try fixture.rewrite(Self.first + "\nrule \"bad\" {\n    match tcp dport 70000\n    drop\n}\n")
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(!reply.ok)
        #expect(reply.generation == 1)
        #expect(reply.message == "1 error; generation 1 stays in force")
        #expect(reply.errors.count == 1)
        #expect(reply.errors == ["\(fixture.path):8:21: error: value 70000 is out of range for tcp dport (0-65535)"])
        #expect(fixture.target.steps.isEmpty, "neither the kernel nor the threads were touched")
        #expect(fixture.slot.current().generation == 1)
        #expect(fixture.reloader.history.current.failures == 1)
    }

    @Test func aFailingTestBlockRefusesTheReload() throws {
        let fixture = try Fixture(Self.first)
        try fixture.rewrite(
            Self.first + "\ntest \"telnet passes\" {\n    packet tcp dport 23\n    expect forward\n}\n")
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(!reply.ok)
        #expect(fixture.target.steps.isEmpty)
        #expect(fixture.slot.current().loaded.compiled.ruleNames == ["no-telnet"])
    }

    @Test func unchangedFilesAreANoOpWhileTheKernelHoldsTheMirror() throws {
        let fixture = try Fixture(Self.first)
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(reply.ok)
        #expect(reply.generation == 1)
        #expect(reply.message == "files unchanged; generation 1 stays")
        #expect(fixture.target.steps.isEmpty)
    }

    @Test func unchangedFilesRepairAMirrorTheKernelLost() throws {
        let fixture = try Fixture(Self.first)
        fixture.target.kernelHoldsMirror = false
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(reply.ok)
        #expect(reply.generation == 2)
        #expect(fixture.target.steps == ["monitors", "commit", "in force 2"])
    }

    @Test func aRefusedCommitLeavesTheRunningPolicyInForce() throws {
        let fixture = try Fixture(Self.first)
        fixture.target.refuseCommit = true
        try fixture.rewrite(Self.second)
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(!reply.ok)
        #expect(reply.message.hasPrefix("nftables refused the new policy ("))
        #expect(reply.message.hasSuffix("); generation 1 stays in force"))
        #expect(fixture.target.steps == ["monitors", "commit"])
        #expect(fixture.slot.current().generation == 1)
    }

    @Test func aMonitorPortThatCannotOpenStopsTheReloadBeforeTheKernel() throws {
        let fixture = try Fixture(Self.first)
        fixture.target.refuseMonitors = true
        try fixture.rewrite(Self.second)
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(!reply.ok)
        #expect(reply.message.contains("monitor interface mon9"))
        #expect(fixture.target.steps == ["monitors"])
    }

    @Test func withoutAMirrorNothingIsCommitted() throws {
        let fixture = try Fixture(Self.first)
        fixture.target.mirrors = false
        try fixture.rewrite(Self.second)
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(reply.ok)
        #expect(fixture.target.steps == ["monitors", "in force 2"])
    }

    @Test func aPolicyMatchingCtIsRefusedWithoutAFlowTable() throws {
        let fixture = try Fixture(Self.first)
        fixture.target.tracksFlows = false
        try fixture.rewrite(Self.first + "\nrule \"est\" {\n    match ct state established\n    forward\n}\n")
        let reply = fixture.reloader.reload(trigger: "test")
        #expect(!reply.ok)
        #expect(reply.errors.first?.contains("--flows 0") == true)
        #expect(fixture.target.steps.isEmpty)
    }

    @Test func systemdStatusNamesThePortsGenerationAndRules() throws {
        let fixture = try Fixture(Self.first)
        #expect(
            Reloader.readyStatus(fixture.slot.current(), ports: ("pa", "pb"))
                == "forwarding pa <-> pb, policy generation 1, 1 rules")
    }
}
