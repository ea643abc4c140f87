import NftImport
import Testing

/// The `test` block each imported rule gets, kept only where the policy's evaluation agrees.
@Suite struct TestBlockImportTests {
    typealias F = Fixture

    @Test func aRuleGetsAFrameThatMeetsEveryTerm() throws {
        let result = try F.imported(
            [
                #"[\#(F.match(F.payload("ip", "saddr"), #"{"prefix": {"addr": "198.18.4.0", "len": 24}}"#)), \#(F.match(F.payload("tcp", "dport"), #"{"set": [{"range": [8000, 8080]}]}"#)), \#(F.match(F.payload("tcp", "dport"), "8000", op: "!=")), \#(F.drop)]"#
            ], tests: true)
        #expect(
            result.policy.contains(
                "test \"rule forward-1\" {\n    packet iif a ip saddr 198.18.4.0 tcp dport 8001\n    expect drop by \"forward-1\"\n}"
            ),
            "\(result.policy)")
        let report = F.check(result.policy)
        #expect(report.errors.isEmpty && report.tests.count == 1 && report.tests.allSatisfy { $0.passed })
        #expect(result.testsKept == 1)
    }

    /// Orderings and ARP addresses: the frame meets each bound and carries the addresses.
    @Test func orderingsAndARPAddressesGetFramesToo() throws {
        let result = try F.imported(
            [
                #"[\#(F.match(F.payload("udp", "dport"), "1023", op: ">")), \#(F.match(F.payload("udp", "dport"), "2000", op: "<=")), \#(F.drop)]"#,
                #"[\#(F.match(F.payload("arp", "saddr ip"), #""198.18.0.254""#)), \#(F.match(F.payload("arp", "saddr ether"), #""02:00:00:00:00:01""#, op: "!=")), \#(F.drop)]"#,
            ], tests: true)
        let report = F.check(result.policy)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered)) \(result.policy)")
        #expect(report.tests.count == 2 && report.tests.allSatisfy { $0.passed }, "\(result.policy)")
        #expect(result.testsKept == 2)
    }

    @Test func aFrameCaughtByAnEarlierRuleGetsACommentInstead() throws {
        let result = try F.imported(
            [
                #"[\#(F.match(F.payload("tcp", "dport"), #"{"range": [1, 1000]}"#)), \#(F.drop)]"#,
                #"[\#(F.match(F.payload("tcp", "dport"), "22")), \#(F.accept)]"#,
            ], policy: "drop", tests: true)
        #expect(result.policy.contains("test \"rule forward-1\""))
        #expect(!result.policy.contains("test \"rule forward-2\""))
        #expect(
            result.policy.contains(
                "# no test for rule \"forward-2\": the frame `iif a tcp dport 22` does not reach it: "),
            "\(result.policy)")
        #expect(result.policy.contains("forward-1"))
        #expect(F.check(result.policy).tests.allSatisfy { $0.passed })
    }

    @Test func rulesThatNeedASpentLimitGetNoneAndANewFlowOpensWithASyn() throws {
        let result = try F.imported(
            [
                #"[{"limit": {"rate": 1, "per": "second", "inv": true}}, \#(F.drop)]"#,
                #"[\#(F.match(#"{"ct": {"key": "state"}}"#, #""new""#)), \#(F.match(F.payload("tcp", "dport"), "443")), \#(F.accept)]"#,
            ], policy: "drop", tests: true)
        #expect(
            result.policy.contains(
                "# no test for rule \"forward-1\": a limit over the rate matches only once a burst is spent"))
        #expect(
            result.policy.contains("packet iif a tcp dport 443 tcp flags syn\n    expect forward by \"forward-2\""),
            "\(result.policy)")
        #expect(F.check(result.policy).tests.allSatisfy { $0.passed })
    }

    @Test func anEstablishedRuleIsTestedAfterTheFrameThatOpensItsFlow() throws {
        let state = #"{"ct": {"key": "state"}}"#
        let result = try F.imported(
            [
                #"[\#(F.match(state, #"["established", "related"]"#)), \#(F.accept)]"#,
                #"[\#(F.match(state, #""new""#)), \#(F.match(F.meta("iifname"), #""eth0""#)), \#(F.accept)]"#,
            ], policy: "drop", ports: PortNames(a: "eth0", b: "eth1"), tests: true)
        #expect(
            result.policy.contains(
                """
                test "rule forward-1" {
                    packet iif a ip saddr 198.18.0.1 ip daddr 198.19.0.1 udp sport 40000 udp dport 443
                    expect forward
                    packet iif b ip saddr 198.19.0.1 ip daddr 198.18.0.1 udp sport 443 udp dport 40000
                    expect forward by "forward-1"
                }
                """), "\(result.policy)")
        let report = F.check(result.policy)
        #expect(report.errors.isEmpty && report.tests.count == 2 && report.tests.allSatisfy { $0.passed })
    }

    @Test func anEstablishedRuleWhoseOpenerIsDroppedGetsACommentInstead() throws {
        let result = try F.imported(
            [
                #"[\#(F.match(#"{"ct": {"key": "state"}}"#, #""established""#)), \#(F.match(F.payload("tcp", "sport"), "22")), \#(F.accept)]"#
            ],
            policy: "drop", tests: true)
        #expect(
            result.policy.contains(
                "# no test for rule \"forward-1\": the frames `iif a tcp sport 40000 ip saddr 198.18.0.1 ip daddr 198.19.0.1 tcp dport 22 tcp flags syn` then `iif b tcp sport 22 ip saddr 198.19.0.1 ip daddr 198.18.0.1 tcp dport 40000 tcp flags syn|ack` do not reach it: packet 1 (line 12): expected forward, got drop by default"
            ), "\(result.policy)")
        #expect(F.check(result.policy).tests.isEmpty)
    }

    @Test func aPolicyThisBridgekeeperCannotCheckGetsNoTestsAndSaysWhy() throws {
        let result = try F.imported([#"[\#(F.match(F.meta("iifname"), #""eth0""#)), \#(F.accept)]"#], tests: true)
        #expect(result.testsKept == 0)
        #expect(
            result.testsDropped.first?.hasPrefix(
                "no test blocks: this Bridgekeeper cannot check the policy (it uses iifname/oifname)") == true)
    }
}

/// The JSON reader and the ruleset model.
@Suite struct RulesetModelTests {
    @Test func malformedJSONIsAnErrorWithItsPlace() {
        #expect(throws: ImportError.notJSON(JSONSyntaxError(line: 2, column: 3, message: "expected ',' or '}'"))) {
            try NftImporter.importRuleset(json: "{\"nftables\": []\n  \"x\"}")
        }
    }

    @Test func jsonThatIsNotARulesetSaysSo() {
        #expect(throws: ImportError.notARuleset("no top-level \"nftables\" array")) {
            try NftImporter.importRuleset(json: "{\"rules\": []}")
        }
    }

    @Test func stringsKeepTheirEscapes() throws {
        let value = try JSONParser.parse(#"{"a": "x\"y\\z\u00e9\ud83d\ude00", "b": [1, -2, true, null]}"#)
        #expect(value["a"]?.string == "x\"y\\z\u{e9}\u{1F600}")
        #expect(value["b"] == .array([.number("1"), .number("-2"), .bool(true), .null]))
    }

    @Test func withoutAForwardChainTheErrorNamesTheChains() throws {
        let json =
            #"{"nftables": [{"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}]}"#
        #expect(throws: ImportError.noForwardChain(chains: ["inet filter input"])) {
            try NftImporter.importRuleset(json: json)
        }
        let named = try NftImporter.importRuleset(
            json: json, options: .init(family: "inet", table: "filter", chain: "input"))
        #expect(named.chain.name == "input")
        #expect(throws: ImportError.chainNotFound(family: "inet", table: "filter", chain: "nope")) {
            try NftImporter.importRuleset(json: json, options: .init(family: "inet", table: "filter", chain: "nope"))
        }
    }

    @Test func aBridgeForwardChainIsPreferredOverInetAndIp() throws {
        func chain(_ family: String) -> String {
            #"{"chain": {"family": "\#(family)", "table": "t", "name": "fwd_\#(family)", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}}"#
        }
        let all = #"{"nftables": [\#(chain("ip")), \#(chain("inet")), \#(chain("bridge"))]}"#
        #expect(try NftImporter.importRuleset(json: all).chain.family == "bridge")
        let noBridge = #"{"nftables": [\#(chain("ip")), \#(chain("inet"))]}"#
        #expect(try NftImporter.importRuleset(json: noBridge).chain.family == "inet")
        let result = try NftImporter.importRuleset(json: all)
        #expect(result.policy.contains("# chain ip t fwd_ip left out: not the chain chosen"))
    }
}
