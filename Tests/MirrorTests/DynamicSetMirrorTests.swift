import Foundation
import Policy
import TestSupport
import Testing

@testable import Mirror

/// Dynamic sets (`add @s { ip saddr }`, `update @s { ... }`, `ip saddr @s`) mirror as nft
/// writes them: the set with `flags dynamic[,timeout]`, its size and timeout, the `dynset` and
/// `lookup` expressions.
@Suite(.serialized) struct DynamicSetMirrorTests {
    static let policyText = """
        version 1
        default forward
        set knocked { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }
        set seen { type ipv4_addr; flags dynamic; size 16; elements = { 198.18.0.1 } }
        rule "knock" {
            match tcp dport 7000
            add @knocked { ip saddr }
        }
        rule "refresh" {
            match tcp dport 7001
            update @knocked { ip saddr timeout 30s }
        }
        rule "ssh" {
            match tcp dport 22 ip saddr @knocked
            forward
        }
        rule "seen" {
            match udp dport 53
            update @seen { ip saddr }
            drop
        }

        """

    /// The same table as an operator writes it for nft.
    static let handWritten = """
        table bridge bkdyn {
            set knocked { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }
            set seen { type ipv4_addr; flags dynamic; size 16; elements = { 198.18.0.1 } }
            chain forward {
                type filter hook forward priority 0; policy accept;
                tcp dport 7000 add @knocked { ip saddr } counter
                tcp dport 7001 update @knocked { ip saddr timeout 30s } counter
                tcp dport 22 ip saddr @knocked counter accept
                udp dport 53 update @seen { ip saddr } counter drop
            }
        }

        """

    func plan(table: String = "bkdyn") throws -> MirrorPlan {
        let result = PolicyReader.parse(text: Self.policyText, path: "dyn.policy")
        let policy = try #require(result.policy, "\(result.diagnostics.map(\.rendered))")
        return MirrorPlanner.plan(policy, ports: P.ports, table: table)
    }

    /// The plan's rules and sets are exactly what `nft --debug=netlink` makes of the
    /// hand-written table.
    @Test func planIsWhatNftMakesOfTheHandWrittenTable() throws {
        let plan = try plan()
        let knocked = try #require(plan.sets.first { $0.name == "knocked" })
        let seen = try #require(plan.sets.first { $0.name == "seen" })
        #expect(knocked.flags == 0x30 && knocked.dynamic == NftSetDynamics(size: 65_536, timeout: 60_000))
        #expect(seen.flags == 0x20 && seen.dynamic == NftSetDynamics(size: 16, timeout: nil, timeouts: false))
        #expect(seen.elements.count == 1)
        let namespace = try NetworkNamespace("dyn")
        defer { namespace.delete() }
        let result = namespace.exec(["nft", "--debug=netlink", "-c", "-f", "-"], input: Self.handWritten)
        try #require(result.succeeded, "\(result.errors)")
        // Set lines: `knocked bkdyn 30 timeout 60000ms size 65536`, `seen bkdyn 20 size 16`.
        #expect(result.output.contains("knocked bkdyn 30 timeout 60000ms size 65536\n"), "\(result.output)")
        #expect(result.output.contains("seen bkdyn 20 size 16\n"), "\(result.output)")
        let compiled = NftListing.parseBytecode(result.output, table: "bkdyn")["forward"] ?? []
        let planned = plan.rules(in: "forward").map { $0.expressions.map(\.description) }
        #expect(planned.count == 4 && compiled.count == 4, "\(compiled)")
        for (index, pair) in zip(planned, compiled).enumerated() where pair.0 != pair.1 {
            Issue.record(
                "rule \(index + 1) differs:\nplan:\n\(pair.0.joined(separator: "\n"))\nnft:\n\(pair.1.joined(separator: "\n"))"
            )
        }
        #expect(planned[0].contains("[ dynset add reg_key 1 set knocked ]"))
        #expect(planned[1].contains("[ dynset update reg_key 1 set knocked timeout 30000ms ]"))
        #expect(planned[2].contains("[ lookup reg 1 set knocked ]"))
    }

    /// Frames with more tags than the kernel takes off are not read against the set: the
    /// dropping rule drops them, the accepting one leaves them to the rules after it, with notes.
    @Test func taggedFramesDropByADroppingRuleAndPassOnByAnAcceptingOne() throws {
        let plan = try plan()
        let tagged = plan.chains.map(\.name).filter { $0.hasPrefix("tags-") }
        #expect(!tagged.isEmpty)
        for chain in tagged {
            #expect(plan.rules(in: chain).map(\.comment) == ["seen"], "\(chain)")
            #expect(plan.rules(in: chain).allSatisfy { $0.text == "counter drop" })
        }
        let notes = plan.notes.filter {
            $0.message.contains("its dynamic set is filled and read at the native offsets")
        }
        #expect(Set(notes.compactMap(\.rule)) == ["knock", "refresh", "ssh", "seen"])
    }

    /// Committed over netlink, `nft -j list ruleset` shows the sets and the statements as nft's
    /// JSON writes them (the same JSON `import-nft` reads).
    @Test func committedSetsAndStatementsAreInTheRuleset() throws {
        let plan = try plan(table: "bridgekeeper")
        let namespace = try NetworkNamespace("dync")
        defer { namespace.delete() }
        try namespace.run { try NftablesConnection().commit(plan) }
        let items = try #require(try NftListing.json(namespace, table: "bridgekeeper"))
        let sets = items.compactMap { ($0 as? [String: Any])?["set"] as? [String: Any] }
        let knocked = try #require(sets.first { $0["name"] as? String == "knocked" })
        #expect(knocked["type"] as? String == "ipv4_addr")
        #expect(knocked["size"] as? Int == 65_536 && knocked["timeout"] as? Int == 60)
        #expect((knocked["flags"] as? [String])?.contains("timeout") == true)
        let seen = try #require(sets.first { $0["name"] as? String == "seen" })
        #expect(seen["size"] as? Int == 16 && seen["timeout"] == nil)
        let rules = try NftListing.rules(namespace, table: "bridgekeeper")
        func statement(_ rule: [String: Any]) -> [String: Any]? {
            (rule["expr"] as? [[String: Any]])?.compactMap { $0["set"] as? [String: Any] }.first
        }
        let add = try #require(rules.first { ($0["comment"] as? String) == "knock" }.flatMap(statement))
        #expect(add["op"] as? String == "add" && add["set"] as? String == "@knocked")
        let payload = (add["elem"] as? [String: Any])?["payload"] as? [String: Any]
        #expect(payload?["protocol"] as? String == "ip" && payload?["field"] as? String == "saddr")
        let update = try #require(rules.first { ($0["comment"] as? String) == "refresh" }.flatMap(statement))
        #expect(update["op"] as? String == "update")
        let element = (update["elem"] as? [String: Any])?["elem"] as? [String: Any]
        #expect(element?["timeout"] as? Int == 30)
        let ssh = try #require(rules.first { ($0["comment"] as? String) == "ssh" })
        let lookup = (ssh["expr"] as? [[String: Any]])?.compactMap { $0["match"] as? [String: Any] }.last
        #expect(lookup?["right"] as? String == "@knocked")
    }
}
