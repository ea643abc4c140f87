import NftImport
import Testing

/// nft statements and verdicts, one at a time.
@Suite struct StatementImportTests {
    typealias F = Fixture
    static let ssh = F.match(F.payload("tcp", "dport"), "22")

    @Test func acceptIsForwardAndCounterIsDropped() throws {
        let result = try F.imported([#"[\#(Self.ssh), {"counter": {"packets": 3, "bytes": 180}}, \#(F.accept)]"#])
        #expect(
            F.rule("forward-1", in: result.policy) == "rule \"forward-1\" {\n    match tcp dport 22\n    forward\n}")
    }

    @Test func theChainPolicyIsTheDefault() throws {
        #expect(try F.imported([], policy: "drop").policy.contains("\ndefault drop\n"))
        #expect(try F.imported([], policy: "accept").policy.contains("\ndefault forward\n"))
    }

    @Test func rejectKeepsItsType() throws {
        let result = try F.imported([
            #"[\#(Self.ssh), {"reject": {"type": "tcp reset"}}]"#,
            #"[\#(Self.ssh), {"reject": {"type": "icmpx", "expr": "admin-prohibited"}}]"#,
            #"[\#(Self.ssh), {"reject": null}]"#,
        ])
        #expect(F.rule("forward-1", in: result.policy)?.contains("    reject with tcp reset\n") == true)
        #expect(
            F.rule("forward-2", in: result.policy)?.contains("    reject with icmpx type admin-prohibited\n") == true)
        #expect(F.rule("forward-3", in: result.policy)?.contains("    reject\n") == true)
    }

    @Test func logLimitAndQuota() throws {
        let result = try F.imported([
            #"[\#(Self.ssh), {"log": {"prefix": "ssh \"in\" "}}, \#(F.accept)]"#,
            #"[\#(Self.ssh), {"limit": {"rate": 10, "burst": 5, "per": "second"}}, \#(F.accept)]"#,
            #"[{"limit": {"rate": 10, "rate_unit": "mbytes", "per": "second", "burst": 1000, "burst_unit": "bytes", "inv": true}}, \#(F.drop)]"#,
            #"[{"quota": {"val": 100, "val_unit": "mbytes", "inv": true}}, \#(F.drop)]"#,
        ])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("    log prefix \"ssh \\\"in\\\" \"\n    forward") == true)
        #expect(
            F.rule("forward-2", in: result.policy)?.contains("match tcp dport 22 limit rate 10/second burst 5 packets")
                == true)
        #expect(
            F.rule("forward-3", in: result.policy)?.contains("match limit rate over 10 mbytes/second burst 1000 bytes")
                == true)
        #expect(F.rule("forward-4", in: result.policy)?.contains("match quota over 100 mbytes") == true)
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors.map(\.rendered))")
    }

    @Test func logKeepsItsLevelAndFlags() throws {
        let result = try F.imported([
            #"[\#(Self.ssh), {"log": {"prefix": "ssh", "level": "warn", "flags": "all"}}, \#(F.accept)]"#,
            #"[\#(Self.ssh), {"log": {"level": "crit", "flags": ["tcp sequence", "tcp options", "ip options"]}}]"#,
            #"[\#(Self.ssh), {"log": {"group": 2, "snaplen": 64}}, \#(F.drop)]"#,
            #"[\#(Self.ssh), {"log": {"level": "audit"}}, \#(F.drop)]"#,
        ])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("    log prefix \"ssh\" level warn flags all\n    forward")
                == true, "\(result.policy)")
        #expect(
            F.rule("forward-2", in: result.policy)?.contains(
                "    log level crit flags tcp sequence,tcp options,ip options\n")
                == true, "\(result.policy)")
        // NFLOG's group and snaplen, and a level the language does not have, go with a note; the
        // log itself stays.
        #expect(F.rule("forward-3", in: result.policy)?.contains("    log\n    drop") == true, "\(result.policy)")
        #expect(result.policy.contains("group, snaplen left out: Bridgekeeper writes its own log lines"))
        #expect(F.rule("forward-4", in: result.policy)?.contains("    log\n    drop") == true)
        #expect(result.policy.contains("log level audit left out"))
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors.map(\.rendered))")
    }

    @Test func metersBecomeLimitsPerKey() throws {
        let update =
            #"{"set": {"op": "update", "elem": \#(F.payload("ip", "saddr")), "set": "@flood", "stmt": [{"limit": {"rate": 20, "burst": 5, "per": "second", "inv": true}}]}}"#
        let result = try F.imported([#"[\#(update), \#(F.drop)]"#])
        #expect(
            F.rule("forward-1", in: result.policy)?.contains(
                "match limit rate over 20/second burst 5 packets per ip saddr") == true)
        #expect(F.check(result.policy).errors.isEmpty)
    }

    @Test func rewritesBecomeSetStatementsAndMarksAreNoted() throws {
        let dscp = #"{"mangle": {"key": \#(F.payload("ip", "dscp")), "value": "cs1"}}"#
        let mark = #"{"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}"#
        let result = try F.imported([
            #"[\#(F.match(F.payload("udp", "dport"), "5060")), \#(dscp), \#(mark), \#(F.accept)]"#
        ])
        #expect(
            F.rule("forward-1", in: result.policy)
                == "rule \"forward-1\" {\n    match udp dport 5060\n    ip dscp set cs1\n    forward\n}")
        #expect(result.policy.contains("# meta mark set left out:"))
        #expect(F.check(result.policy).errors.isEmpty)
    }

    @Test func vmapsBecomeOneRulePerElement() throws {
        let vmap =
            #"{"vmap": {"key": \#(F.payload("tcp", "dport")), "data": {"set": [[23, {"drop": null}], [{"range": [80, 89]}, {"accept": null}]]}}}"#
        let result = try F.imported([#"[\#(F.match(F.payload("ip", "daddr"), #""198.19.0.10""#)), \#(vmap)]"#])
        #expect(
            F.rule("forward-1-1", in: result.policy)?.contains("match ip daddr 198.19.0.10 tcp dport 23\n    drop")
                == true)
        #expect(
            F.rule("forward-1-2", in: result.policy)?.contains(
                "match ip daddr 198.19.0.10 tcp dport 80-89\n    forward") == true)
        #expect(F.check(result.policy).errors.isEmpty)
    }

    /// A named verdict map as `nft -j list ruleset` prints it (nft 1.0.6): its elements, like an
    /// inline map's, one rule each, a `jump` element included.
    @Test func namedVerdictMapsBecomeOneRulePerElement() throws {
        let map =
            #"{"map": {"family": "inet", "name": "services", "table": "filter", "type": "inet_service", "handle": 3, "map": "verdict", "flags": ["interval"], "elem": [[22, {"drop": null}], [80, {"accept": null}], [{"range": [8000, 8080]}, {"jump": {"target": "web"}}]]}}"#
        let vmap = #"{"vmap": {"key": \#(F.payload("tcp", "dport")), "data": "@services"}}"#
        let result = try F.imported(
            [#"[\#(vmap)]"#], chains: [("web", [#"[\#(F.match(F.payload("tcp", "dport"), "8080")), \#(F.drop)]"#])],
            sets: [map])
        #expect(F.rule("forward-1-1", in: result.policy)?.contains("match tcp dport 22\n    drop") == true)
        #expect(F.rule("forward-1-2", in: result.policy)?.contains("match tcp dport 80\n    forward") == true)
        #expect(
            F.rule("forward-1-3", in: result.policy)?.contains("match tcp dport 8000-8080\n    jump web") == true,
            "\(result.policy)")
        let report = F.check(result.policy)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        let unknown = try F.imported([#"[{"vmap": {"key": \#(F.payload("tcp", "dport")), "data": "@nope"}}]"#])
        #expect(unknown.policy.contains("left out: the map @nope is not declared"), "\(unknown.policy)")
    }

    @Test func countOnlyRulesAreLeftOut() throws {
        let result = try F.imported([#"[{"counter": {"packets": 0, "bytes": 0}}]"#])
        #expect(
            result.policy.contains("# rule 1 of chain forward left out: it only counts, and every rule counts already"))
    }

    @Test func nonTerminalRulesKeepTheirStatements() throws {
        let result = try F.imported([#"[\#(Self.ssh), {"log": null}]"#])
        #expect(F.rule("forward-1", in: result.policy) == "rule \"forward-1\" {\n    match tcp dport 22\n    log\n}")
        #expect(result.needs == ["non-terminal rules"])
    }

    @Test(arguments: [
        (#"{"masquerade": null}"#, "masquerade: NAT"), (#"{"queue": {"num": 0}}"#, "queue: frames are not handed"),
        (#"{"dnat": {"addr": "198.18.0.1"}}"#, "dnat: NAT"),
    ])
    func statementsWithNoMeaningOnABridgeLeaveTheRuleOut(statement: String, why: String) throws {
        let result = try F.imported([#"[\#(Self.ssh), \#(statement)]"#])
        #expect(result.policy.contains("# rule 1 of chain forward left out: \(why)"), "\(result.policy)")
    }

    @Test func jumpsKeepTheirChainsAndReturnInTheBaseChainIsTheDefault() throws {
        let result = try F.imported(
            [
                #"[\#(F.match(F.payload("ip", "saddr"), #""198.18.0.1""#)), {"return": null}]"#,
                #"[\#(F.match(F.meta("l4proto"), #""tcp""#)), {"jump": {"target": "tcp_in"}}]"#,
            ], chains: [("tcp_in", [#"[\#(Self.ssh), \#(F.accept)]"#, #"[{"return": null}]"#]), ("unused", [])],
            policy: "drop")
        #expect(
            F.rule("forward-1", in: result.policy)?.contains("    drop\n}") == true, "return at the top: the default")
        #expect(F.rule("forward-2", in: result.policy)?.contains("    jump tcp_in\n}") == true)
        #expect(
            result.policy.contains(
                "chain tcp_in {\n    rule \"tcp-in-3\" {\n        match tcp dport 22\n        forward\n    }\n"))
        #expect(result.policy.contains("    rule \"tcp-in-4\" {\n        return\n    }\n}"))
        #expect(result.policy.contains("# chain inet filter unused left out: never jumped to from forward"))
        #expect(result.needs == ["chains"])
    }

    @Test func rulesAreNamedFromTheirCommentsUniquely() throws {
        let result = try F.imported(
            [#"[\#(Self.ssh), \#(F.accept)]"#, #"[\#(Self.ssh), \#(F.drop)]"#, #"[\#(F.drop)]"#],
            comments: [1: "Allow SSH (admins)", 2: "allow ssh admins"])
        #expect(F.rule("allow-ssh-admins", in: result.policy)?.contains("comment \"Allow SSH (admins)\"") == true)
        #expect(F.rule("allow-ssh-admins-2", in: result.policy)?.contains("comment \"allow ssh admins\"") == true)
        #expect(F.rule("forward-3", in: result.policy) != nil)
    }
}
