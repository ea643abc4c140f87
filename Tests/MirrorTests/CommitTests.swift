import Foundation
import Policy
import TestSupport
import Testing

@testable import Mirror

/// Commits over netlink, read back with `nft`.
@Suite(.serialized) struct CommitTests {
    @Test func commitMatchesWhatNftMakesOfTheText() throws {
        let plan = MirrorPlanner.plan(KitchenSinkPolicy.policy, ports: P.ports)
        let viaNetlink = try NetworkNamespace("nl")
        defer { viaNetlink.delete() }
        let viaText = try NetworkNamespace("tx")
        defer { viaText.delete() }
        try viaNetlink.run { try NftablesConnection().commit(plan) }
        let loaded = viaText.exec(["nft", "-f", "-"], input: NftText.render(plan))
        try #require(loaded.succeeded, "\(loaded.errors)")

        // Same expressions, rule by rule, chain by chain.
        let netlinkCode = try NftListing.bytecode(viaNetlink, table: "bridgekeeper")
        let textCode = try NftListing.bytecode(viaText, table: "bridgekeeper")
        #expect(netlinkCode.values.reduce(0) { $0 + $1.count } > 40, "the listing was parsed")
        if let difference = NftListing.difference(netlinkCode, textCode) {
            Issue.record("netlink and text differ: \(difference)")
        }
        // Same listing (comments, sets with their types and elements, chain policy), apart from handles.
        let netlinkJSON = try #require(try NftListing.canonical(viaNetlink, table: "bridgekeeper"))
        let textJSON = try #require(try NftListing.canonical(viaText, table: "bridgekeeper"))
        if netlinkJSON != textJSON {
            let a = netlinkJSON.split(separator: "\n")
            let b = textJSON.split(separator: "\n")
            let firstDifference =
                zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record(
                "listings differ at line \(firstDifference):\nnetlink:\n\(a[max(0, firstDifference - 8)..<min(a.count, firstDifference + 8)].joined(separator: "\n"))\ntext:\n\(b[max(0, firstDifference - 8)..<min(b.count, firstDifference + 8)].joined(separator: "\n"))"
            )
        }
    }

    /// Limits, meters, quotas, `ct` terms (and their flow table) and rejects, the same way.
    @Test func statefulCommitMatchesWhatNftMakesOfTheText() throws {
        let plan = MirrorPlanner.plan(StatefulPolicy.policy, ports: P.ports)
        let flows = try #require(plan.flows, "the ct terms need the flow table on this kernel")
        // Four meters, one keyed by a port (its tagged frames have a set of their own).
        #expect(plan.objects.count == 4 && plan.sets.filter { $0.dynamic != nil }.count == 5)
        let viaNetlink = try NetworkNamespace("snl")
        defer { viaNetlink.delete() }
        let viaText = try NetworkNamespace("stx")
        defer { viaText.delete() }
        try viaNetlink.run { try NftablesConnection().commit(plan) }
        let loaded = viaText.exec(["nft", "-f", "-"], input: NftText.render(plan))
        try #require(loaded.succeeded, "\(loaded.errors)")
        for table in ["bridgekeeper", flows.table] {
            let netlinkCode = try NftListing.bytecode(viaNetlink, table: table)
            let textCode = try NftListing.bytecode(viaText, table: table)
            #expect(!netlinkCode.isEmpty, "table \(table) was listed")
            if let difference = NftListing.difference(netlinkCode, textCode) {
                Issue.record("table \(table): netlink and text differ: \(difference)")
            }
            let netlinkJSON = try #require(try NftListing.canonical(viaNetlink, table: table))
            let textJSON = try #require(try NftListing.canonical(viaText, table: table))
            if netlinkJSON != textJSON {
                let a = netlinkJSON.split(separator: "\n").map(String.init)
                let b = textJSON.split(separator: "\n").map(String.init)
                var first = min(a.count, b.count)
                for index in 0..<first where a[index] != b[index] {
                    first = index
                    break
                }
                let around = max(0, first - 8)
                let left = a[around..<min(a.count, first + 8)].joined(separator: "\n")
                let right = b[around..<min(b.count, first + 8)].joined(separator: "\n")
                Issue.record("table \(table) listings differ at line \(first):\nnetlink:\n\(left)\ntext:\n\(right)")
            }
        }
    }

    @Test func committedRulesAreInOrderWithNamesMatchesAndVerdicts() throws {
        let blocked = NamedSet(
            name: "blocked", elements: [P.v4("198.18.4.0/24"), P.v4("198.18.9.9")], valueKind: .ipv4, location: P.at(2))
        let policy = P.policy(
            [
                P.rule("no-telnet", [P.field(.tcpDport, P.value(23))]),
                P.rule("blocked", [P.fieldValues(.ipSaddr, blocked.elements, set: "blocked")]),
                P.rule("web", [P.field(.tcpDport, P.value(80), P.value(443), P.range(8000, 8080))], [], .forward),
                P.rule("v6-net", [P.field(.ip6Saddr, P.v6("2001:db8:1::/48"))], [], .forward),
                P.rule("vlan-10", [P.field(.vlanID, P.value(10))]),
                P.rule("web-alt", [P.bpf("tcp port 8080")], [], .forward),
            ], default: .drop, sets: [blocked])
        let namespace = try NetworkNamespace("order")
        defer { namespace.delete() }
        try namespace.run { try NftablesConnection().commit(MirrorPlanner.plan(policy, ports: P.ports)) }

        let json = try #require(try NftListing.json(namespace, table: "bridgekeeper"))
        let chains = json.compactMap { ($0 as? [String: Any])?["chain"] as? [String: Any] }
        let chain = try #require(chains.first)
        #expect(
            chain["hook"] as? String == "forward" && chain["policy"] as? String == "drop" && chain["prio"] as? Int == 0)
        let sets = json.compactMap { ($0 as? [String: Any])?["set"] as? [String: Any] }
        let set = try #require(sets.first)
        #expect(set["name"] as? String == "blocked" && set["type"] as? String == "ipv4_addr")
        #expect((set["flags"] as? [String]) == ["interval"])

        // With `default drop`, the tagged chains' accepted frames pass `forward` first.
        var rules = try NftListing.rules(namespace, table: "bridgekeeper")
        let passTagged = try #require(rules.first)
        #expect(passTagged["comment"] == nil && "\(passTagged["expr"] ?? "")".contains("@bk.tpids"))
        rules.removeFirst()
        #expect(rules.map { $0["comment"] as? String } == ["no-telnet", "blocked", "web", "v6-net", "vlan-10"])
        let text = rules.map { rule in
            String(
                decoding: try! JSONSerialization.data(withJSONObject: rule["expr"]!, options: .sortedKeys),
                as: UTF8.self)
        }
        #expect(
            text[0].contains(#""field":"dport""#) && text[0].contains(#""right":23"#)
                && text[0].contains(#"{"drop":null}"#))
        #expect(text[1].contains(#""right":"@blocked""#))
        #expect(text[2].contains(#""range":[8000,8080]"#) && text[2].contains(#"{"accept":null}"#))
        #expect(text[3].contains(#""prefix":{"addr":"2001:db8:1::","len":48}"#))
        #expect(text[4].contains(#""base":"ll""#) && text[4].contains(#""right":10"#), "\(text[4])")
        #expect(text.allSatisfy { $0.contains(#""counter""#) })
    }

    @Test func aCommitReplacesThePreviousTable() throws {
        let namespace = try NetworkNamespace("replace")
        defer { namespace.delete() }
        let first = MirrorPlanner.plan(
            P.policy([P.rule("old-a", []), P.rule("old-b", [P.field(.udpDport, P.value(1))])]), ports: P.ports)
        let second = MirrorPlanner.plan(
            P.policy([P.rule("new", [P.field(.tcpDport, P.value(2))])], default: .drop), ports: P.ports)
        try namespace.run {
            let connection = try NftablesConnection()
            try connection.commit(first)
            try connection.commit(second)
        }
        let rules = try NftListing.rules(namespace, table: "bridgekeeper")
        #expect(rules.compactMap { $0["comment"] as? String } == ["new"])
        #expect(try NftListing.tables(namespace) == ["bridgekeeper"])
    }

    @Test func aRejectedRuleIsReportedAndNothingIsApplied() throws {
        let namespace = try NetworkNamespace("reject")
        defer { namespace.delete() }
        let good = MirrorPlanner.plan(P.policy([P.rule("keep-me", [P.field(.tcpDport, P.value(22))])]), ports: P.ports)
        var bad = MirrorPlanner.plan(
            P.policy([
                P.rule("first", [P.field(.tcpDport, P.value(1))]), P.rule("second", []),
                P.rule("no-telnet", [P.field(.tcpDport, P.value(23))]),
            ]), ports: P.ports)
        // Make the kernel refuse rule 3: a lookup in a set that does not exist.
        bad.rules[2].expressions.insert(.lookup(setName: "missing", setID: 999, inverted: false), at: 4)
        let rejected = bad
        let error = try namespace.run { () -> MirrorError? in
            let connection = try NftablesConnection()
            try connection.commit(good)
            do throws(MirrorError) {
                try connection.commit(rejected)
                return nil
            } catch {
                return error
            }
        }
        let failure = try #require(error)
        #expect(failure.description == "nftables rejected rule \"no-telnet\" (rule 3): No such file or directory")
        #expect(try NftListing.rules(namespace, table: "bridgekeeper").map { $0["comment"] as? String } == ["keep-me"])
    }

    @Test func aRejectedSetIsNamed() throws {
        let namespace = try NetworkNamespace("badset")
        defer { namespace.delete() }
        let set = NamedSet(name: "hosts", elements: [P.v4("198.18.0.1")], valueKind: .ipv4, location: P.at(2))
        var plan = MirrorPlanner.plan(
            P.policy([P.rule("r", [P.fieldValues(.ipSaddr, set.elements, set: "hosts")])], sets: [set]), ports: P.ports)
        // A 5-byte key in a 4-byte set.
        plan.sets[0].elements[0].key = [1, 2, 3, 4, 5]
        let broken = plan
        let error = try namespace.run { () -> MirrorError? in
            do throws(MirrorError) {
                try NftablesConnection().commit(broken)
                return nil
            } catch { return error }
        }
        #expect(error?.description.hasPrefix("nftables rejected the elements of set \"hosts\": ") == true)
        #expect(try NftListing.tables(namespace).isEmpty)
    }

    @Test func aStaleGenerationIsRetried() throws {
        let namespace = try NetworkNamespace("genid")
        defer { namespace.delete() }
        let plan = MirrorPlanner.plan(P.policy([P.rule("r", [P.field(.tcpDport, P.value(7))])]), ports: P.ports)
        let name = namespace.name
        let (before, after, attempts) = try namespace.run { () -> (UInt32, UInt32, Int) in
            let connection = try NftablesConnection()
            let before = try connection.generation()
            // Another process changes the ruleset after the mirror read the generation.
            connection.setBeforeSend {
                _ = Shell.result(["ip", "netns", "exec", name, "nft", "add", "table", "bridge", "someone-else"])
            }
            try connection.commit(plan)
            return (before, try connection.generation(), connection.lastCommitAttempts)
        }
        #expect(attempts == 2)
        #expect(after >= before &+ 2)
        #expect(try NftListing.tables(namespace).sorted() == ["bridgekeeper", "someone-else"])
        #expect(try NftListing.rules(namespace, table: "bridgekeeper").count == 1)
    }

    @Test func removeTableDeletesItAndToleratesAMissingOne() throws {
        let namespace = try NetworkNamespace("remove")
        defer { namespace.delete() }
        try namespace.run {
            let connection = try NftablesConnection()
            try connection.commit(MirrorPlanner.plan(P.policy([]), ports: P.ports, table: "bk-remove"))
            try connection.removeTable(named: "bk-remove")
            try connection.removeTable(named: "bk-remove")
        }
        #expect(try NftListing.tables(namespace).isEmpty)
    }

    /// Two 10,000-rule policies: plain matches only, and one where half the rules have an
    /// anonymous set (the kernel resolves each set reference in a batch by a linear search of
    /// the batch, which makes sets the expensive part). Times are printed, not asserted.
    @Test(arguments: [false, true])
    func tenThousandRulesCommitInOneBatch(withSets: Bool) throws {
        let namespace = try NetworkNamespace("big")
        defer { namespace.delete() }
        var rules: [Rule] = []
        for index in 0..<10_000 {
            let name = "r\(index)"
            let port = UInt128(index % 65535 + 1)
            switch (index % 4, withSets) {
            case (0, _):
                rules.append(P.rule(name, [P.field(.tcpDport, P.value(port))]))
            case (1, _):
                let match = [
                    P.field(.ipSaddr, P.v4("198.18.\(index % 256).0/24")), P.field(.udpDport, P.range(1000, 2000)),
                ]
                rules.append(P.rule(name, match, [], .forward))
            case (2, true):
                rules.append(P.rule(name, [P.field(.tcpSport, P.value(1), P.value(2), P.value(port))]))
            case (2, false):
                rules.append(P.rule(name, [P.field(.tcpSport, P.value(port)), P.field(.tcpDport, P.value(22))]))
            case (_, true):
                let hex = String(index % 65535 + 1, radix: 16)
                let match = [P.field(.ip6Daddr, P.v6("2001:db8::/48"), P.v6("2001:db8:\(hex)::1"))]
                rules.append(P.rule(name, match, [.set(.ip6Hoplimit, 9)], .forward))
            case (_, false):
                let match = [P.field(.ip6Daddr, P.v6("2001:db8::/48")), P.field(.vlanID, P.value(port % 4094 + 1))]
                rules.append(P.rule(name, match, [.set(.ip6Hoplimit, 9)], .forward))
            }
        }
        let planStart = ContinuousClock.now
        let plan = MirrorPlanner.plan(P.policy(rules), ports: P.ports)
        let planTime = ContinuousClock.now - planStart
        let (commitTime, counters) = try namespace.run { () -> (Duration, Int) in
            let connection = try NftablesConnection()
            let start = ContinuousClock.now
            try connection.commit(plan)
            let elapsed = ContinuousClock.now - start
            return (elapsed, try connection.counters(table: "bridgekeeper").count)
        }
        print(
            "10,000-rule mirror (\(plan.rules.count) nft rules, \(plan.sets.count) sets): plan \(planTime), "
                + "commit \(commitTime)")
        #expect(counters == 10_000)
    }
}
