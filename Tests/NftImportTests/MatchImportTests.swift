import NftImport
import Testing

/// One nft match expression at a time: the JSON fragment in, the policy's rule out.
@Suite struct MatchImportTests {
    typealias F = Fixture

    @Test func payloadEqualityBecomesATerm() throws {
        let result = try F.imported([#"[\#(F.match(F.payload("tcp", "dport"), "22")), \#(F.accept)]"#])
        #expect(
            F.rule("forward-1", in: result.policy) == "rule \"forward-1\" {\n    match tcp dport 22\n    forward\n}")
        #expect(result.needs.isEmpty)
    }

    @Test func setsPrefixesAndRangesKeepTheirShape() throws {
        let result = try F.imported([
            #"[\#(F.match(F.payload("tcp", "dport"), #"{"set": [22, {"range": [80, 90]}]}"#)), \#(F.match(F.payload("ip", "daddr"), #"{"prefix": {"addr": "198.18.0.0", "len": 16}}"#)), \#(F.drop)]"#
        ])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("match tcp dport { 22, 80-90 } ip daddr 198.18.0.0/16")
                == true)
    }

    @Test func notEqualAddsTheProtocolNftImplies() throws {
        // nft's `udp dport != 53` only matches UDP; the policy's `!=` alone would match TCP too.
        let result = try F.imported([#"[\#(F.match(F.payload("udp", "dport"), "53", op: "!=")), \#(F.drop)]"#])
        #expect(F.rule("forward-1", in: result.policy)?.contains("match meta l4proto udp udp dport != 53") == true)
    }

    @Test func notEqualNextToAnEqualityOfTheSameProtocolNeedsNoDependency() throws {
        let result = try F.imported([
            #"[\#(F.match(F.payload("ip", "saddr"), #""198.18.1.1""#)), \#(F.match(F.payload("ip", "daddr"), #""198.18.2.2""#, op: "!=")), \#(F.drop)]"#
        ])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("match ip saddr 198.18.1.1 ip daddr != 198.18.2.2") == true
        )
    }

    @Test func orderingsKeepNftsSpelling() throws {
        let result = try F.imported([
            #"[\#(F.match(F.payload("tcp", "dport"), "1024", op: "<")), \#(F.drop)]"#,
            #"[\#(F.match(F.payload("ip", "ttl"), "250", op: ">=")), \#(F.drop)]"#,
            #"[\#(F.match(F.payload("udp", "dport"), "1023", op: ">")), \#(F.match(F.payload("udp", "dport"), "2000", op: "<=")), \#(F.accept)]"#,
            #"[\#(F.match(F.meta("length"), "1000", op: ">=")), \#(F.drop)]"#,
        ])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("match tcp dport < 1024\n") == true, "\(result.policy)")
        #expect(F.rule("forward-2", in: result.policy)?.contains("match ip ttl >= 250\n") == true)
        // Two on one field, each implying the protocol as == does.
        #expect(F.rule("forward-3", in: result.policy)?.contains("match udp dport > 1023 udp dport <= 2000\n") == true)
        #expect(F.rule("forward-4", in: result.policy)?.contains("match meta length >= 1000\n") == true)
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors)")
    }

    @Test func anOrderingNoValueMeetsIsLeftOutWithWhy() throws {
        let result = try F.imported([
            #"[\#(F.match(F.payload("ip", "ttl"), "255", op: ">")), \#(F.drop)]"#,
            #"[\#(F.match(F.payload("ip", "saddr"), #""198.18.0.1""#, op: "<")), \#(F.drop)]"#,
        ])
        #expect(result.policy.contains("# rule 1 of chain forward left out: ip ttl > 255: no value can match"))
        #expect(
            result.policy.contains("left out: ip saddr < \"198.18.0.1\": an ordering only works on numbers"),
            "\(result.policy)")
    }

    @Test func ctStateListsBecomeSets() throws {
        let result = try F.imported([
            #"[\#(F.match(#"{"ct": {"key": "state"}}"#, #"["established", "related"]"#, op: "in")), \#(F.accept)]"#
        ])
        #expect(F.rule("forward-1", in: result.policy)?.contains("match ct state { established, related }") == true)
    }

    @Test func tcpFlagMasksBecomeSetAndClearTerms() throws {
        let masked = #"{"&": [\#(F.payload("tcp", "flags")), ["syn", "ack"]]}"#
        let result = try F.imported([
            #"[\#(F.match(masked, #""syn""#)), \#(F.accept)]"#,
            #"[\#(F.match(#"{"&": [\#(F.payload("tcp", "flags")), ["fin", "rst"]]}"#, "0", op: "!=")), \#(F.drop)]"#,
            #"[\#(F.match(F.payload("tcp", "flags"), #""syn""#, op: "in")), \#(F.drop)]"#,
        ])
        #expect(F.rule("forward-1", in: result.policy)?.contains("match tcp flags syn tcp flags != ack") == true)
        #expect(F.rule("forward-2", in: result.policy)?.contains("match tcp flags { fin, rst }") == true)
        #expect(F.rule("forward-3", in: result.policy)?.contains("match tcp flags syn\n") == true)
    }

    @Test func metaProtocolAndNfprotoAreTheEtherType() throws {
        let result = try F.imported([
            #"[\#(F.match(F.meta("protocol"), #""8021q""#)), \#(F.drop)]"#,
            #"[\#(F.match(F.meta("nfproto"), #""ipv6""#)), \#(F.drop)]"#,
            #"[\#(F.match(F.meta("l4proto"), #"{"set": ["tcp", "ospf"]}"#)), \#(F.drop)]"#,
        ])
        #expect(F.rule("forward-1", in: result.policy)?.contains("match ether type vlan") == true)
        #expect(F.rule("forward-2", in: result.policy)?.contains("match ether type ip6") == true)
        #expect(F.rule("forward-3", in: result.policy)?.contains("match meta l4proto { tcp, 89 }") == true)
    }

    @Test func interfaceNamesBecomePortsWhenTheirNamesAreGiven() throws {
        let ports = PortNames(a: "eth0", b: "eth1")
        let result = try F.imported(
            [
                #"[\#(F.match(F.meta("iifname"), #""eth0""#)), \#(F.accept)]"#,
                #"[\#(F.match(F.meta("oifname"), #""eth0""#)), \#(F.accept)]"#,
                #"[\#(F.match(F.meta("iifname"), #""eth1""#, op: "!=")), \#(F.accept)]"#,
                #"[\#(F.match(F.meta("iifname"), #""wlan0""#)), \#(F.accept)]"#,
                #"[\#(F.match(F.meta("iifname"), #""eth*""#)), \#(F.drop)]"#,
            ], ports: ports)
        #expect(F.rule("forward-1", in: result.policy)?.contains("match iif a\n") == true)
        #expect(F.rule("forward-2", in: result.policy)?.contains("match iif b\n") == true, "leaving by a: came by b")
        #expect(F.rule("forward-3", in: result.policy)?.contains("match iif a\n") == true)
        #expect(F.rule("forward-4", in: result.policy) == nil)
        #expect(
            result.policy.contains(
                "# rule 4 of chain forward left out: iifname wlan0 is neither port (a: eth0, b: eth1)"))
        #expect(F.rule("forward-5", in: result.policy)?.contains("match\n") != true)
        #expect(F.rule("forward-5", in: result.policy) == "rule \"forward-5\" {\n    drop\n}", "eth* is both ports")
    }

    @Test func interfaceNamesStayNamesWithoutPorts() throws {
        let result = try F.imported([#"[\#(F.match(F.meta("iifname"), #""eth0""#)), \#(F.accept)]"#])
        #expect(F.rule("forward-1", in: result.policy)?.contains("match iifname \"eth0\"") == true)
        #expect(result.needs == ["iifname/oifname"])
    }

    @Test func concatenationsUseTheDotSyntax() throws {
        let left = #"{"concat": [\#(F.payload("ip", "saddr")), \#(F.payload("tcp", "dport"))]}"#
        let result = try F.imported([
            #"[\#(F.match(left, #"{"set": [{"concat": ["198.18.0.1", 22]}]}"#)), \#(F.accept)]"#
        ])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("match ip saddr . tcp dport { 198.18.0.1 . 22 }") == true)
        #expect(result.needs.isEmpty)
        NeedsLanguageTests.expectChecksCleanNow(result.policy)
    }

    @Test func namedSetsAreDeclared() throws {
        let set =
            #"{"set": {"family": "inet", "name": "blocked", "table": "filter", "type": "ipv4_addr", "handle": 4, "flags": ["interval"], "elem": [{"prefix": {"addr": "198.18.5.0", "len": 24}}, "198.19.0.1"]}}"#
        let result = try F.imported(
            [#"[\#(F.match(F.payload("ip", "saddr"), #""@blocked""#)), \#(F.drop)]"#], sets: [set])
        #expect(result.policy.contains("set blocked = { 198.18.5.0/24, 198.19.0.1 }\n"))
        #expect(F.rule("forward-1", in: result.policy)?.contains("match ip saddr @blocked") == true)
        #expect(F.check(result.policy).errors.isEmpty)
    }

    @Test func setNamesThePolicyCannotSpellAreRespelt() throws {
        let set =
            #"{"set": {"family": "inet", "name": "6to4.relays", "table": "filter", "type": "ipv4_addr", "handle": 4, "elem": ["198.18.99.1"]}}"#
        let result = try F.imported(
            [#"[\#(F.match(F.payload("ip", "daddr"), #""@6to4.relays""#)), \#(F.drop)]"#], sets: [set])
        #expect(result.policy.contains("set _6to4_relays = { 198.18.99.1 }\n"))
        #expect(F.rule("forward-1", in: result.policy)?.contains("match ip daddr @_6to4_relays") == true)
        #expect(F.check(result.policy).errors.isEmpty)
    }

    @Test(arguments: [
        (#"{"meta": {"key": "mark"}}"#, "42", "meta mark: packet marks"),
        (#"{"fib": {"result": "type", "flags": ["daddr"]}}"#, #""local""#, "fib: a bridge makes no routing decision"),
        (#"{"ct": {"key": "helper"}}"#, #""ftp""#, "ct helper: the bridge's flow table runs no protocol helpers"),
        (#"{"meta": {"key": "iif"}}"#, #""lo""#, "loopback (iif lo)"),
        (#"{"payload": {"base": "nh", "offset": 64, "len": 8}}"#, "1", "a raw payload match"),
    ])
    func meaninglessMatchesLeaveTheRuleOutWithWhy(left: String, right: String, why: String) throws {
        let result = try F.imported([#"[\#(F.match(left, right)), \#(F.accept)]"#, #"[\#(F.drop)]"#])
        #expect(F.rule("forward-1", in: result.policy) == nil)
        #expect(result.policy.contains("# rule 1 of chain forward left out: \(why)"), "\(result.policy)")
        #expect(result.leftOut.count == 1)
        #expect(F.rule("forward-2", in: result.policy) != nil)
    }
    @Test func fieldsTheLanguageGainedKeepNftsSpelling() throws {
        let result = try F.imported([
            #"[\#(F.match(F.payload("arp", "saddr ip"), #""198.18.0.1""#)), \#(F.accept)]"#,
            #"[\#(F.match(F.payload("th", "dport"), "53")), \#(F.accept)]"#,
            #"[\#(F.match(F.meta("pkttype"), #""broadcast""#)), \#(F.drop)]"#,
        ])
        #expect(F.rule("forward-1", in: result.policy)?.contains("match arp saddr ip 198.18.0.1\n") == true)
        #expect(F.rule("forward-2", in: result.policy)?.contains("match th dport 53\n") == true)
        #expect(F.rule("forward-3", in: result.policy)?.contains("match meta pkttype broadcast\n") == true)
        #expect(result.needs.isEmpty)
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors)")
    }

    @Test func arpAddressesImportWithSetsPrefixesAndNegation() throws {
        let prefixSet = #"{"set": [{"prefix": {"addr": "198.18.0.0", "len": 24}}]}"#
        let result = try F.imported([
            #"[\#(F.match(F.payload("arp", "daddr ip"), prefixSet)), \#(F.drop)]"#,
            #"[\#(F.match(F.payload("arp", "saddr ether"), #""02:00:00:00:00:01""#, op: "!=")), \#(F.drop)]"#,
            #"[\#(F.match(F.payload("arp", "daddr ether"), #""02:00:00:00:00:02""#)), \#(F.accept)]"#,
        ])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("match arp daddr ip { 198.18.0.0/24 }\n") == true,
            "\(result.policy)")
        #expect(
            F.rule("forward-2", in: result.policy)?.contains(
                "match ether type arp arp saddr ether != 02:00:00:00:00:01\n")
                == true, "\(result.policy)")
        #expect(F.rule("forward-3", in: result.policy)?.contains("match arp daddr ether 02:00:00:00:00:02\n") == true)
        #expect(result.needs.isEmpty)
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors)")
    }

    @Test func aSetFilledFromThePacketPathBecomesADynamicSet() throws {
        // nft -j does not list `flags dynamic`: the add statement is what shows it.
        let set =
            #"{"set": {"family": "inet", "name": "m", "table": "filter", "type": "ipv4_addr", "handle": 2, "size": 65536, "flags": ["timeout"], "timeout": 60}}"#
        let add = #"{"set": {"op": "add", "elem": \#(F.payload("ip", "saddr")), "set": "@m"}}"#
        let update =
            #"{"set": {"op": "update", "elem": {"elem": {"val": \#(F.payload("ip", "saddr")), "timeout": 30}}, "set": "@m"}}"#
        let result = try F.imported(
            [
                #"[\#(F.match(F.payload("tcp", "dport"), "7000")), \#(add)]"#,
                #"[\#(F.match(F.payload("tcp", "dport"), "22")), \#(F.match(F.payload("ip", "saddr"), #""@m""#)), \#(update), \#(F.accept)]"#,
                #"[\#(F.match(F.payload("ip", "saddr"), #""@m""#)), \#(F.drop)]"#,
            ], sets: [set])
        #expect(result.policy.contains("set m { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }"))
        #expect(
            F.rule("forward-1", in: result.policy)
                == "rule \"forward-1\" {\n    match tcp dport 7000\n    add @m { ip saddr }\n}",
            "\(result.policy)")
        #expect(
            F.rule("forward-2", in: result.policy)
                == "rule \"forward-2\" {\n    match tcp dport 22 ip saddr @m\n    update @m { ip saddr timeout 30s }\n    forward\n}",
            "\(result.policy)")
        #expect(F.rule("forward-3", in: result.policy)?.contains("match ip saddr @m\n    drop") == true)
        #expect(result.leftOut.isEmpty)
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors.map(\.rendered))")
    }

    @Test func removingFromASetIsLeftOutWithWhy() throws {
        let set = #"{"set": {"family": "inet", "name": "m", "table": "filter", "type": "ipv4_addr", "handle": 2}}"#
        let delete = #"{"set": {"op": "delete", "elem": \#(F.payload("ip", "saddr")), "set": "@m"}}"#
        let result = try F.imported([#"[\#(delete)]"#], sets: [set])
        #expect(
            result.policy.contains("left out: delete @m: the language adds to sets from the packet path, never removes")
        )
    }
}
