import Policy
import Testing

/// nft's chains, jumps, verdict maps, `counter`, `accept` and trailing comments: what they
/// parse to, and the exact place of every error and warning they can give.
@Suite("Chains, jumps, verdict maps and rules that go on")
struct ChainSyntaxTests {
    static let example = wrapped(
        """
        chain lan_in {
            rule "ssh" { match tcp dport 22; accept }
            rule "mark" { match udp dport 5060; ip dscp set cs3 }
            rule "back" { match ip saddr 198.18.0.0/24; return }
        }
        chain web { rule "w" { match tcp dport 80; drop } }
        rule "to-lan" {
            match iif a
            jump lan_in
        }
        rule "services" {
            match ip daddr 198.19.0.10
            tcp dport vmap { 22 : accept, 23 : drop, 80-89 : jump web, 443 : reject }
        }
        rule "x" { match tcp dport 23; counter; drop comment "telnet is dead" }
        rule "y" { match tcp dport 24; counter packets 12 bytes 3400; goto web }

        """)

    @Test func theExampleParsesToChainsAndActions() throws {
        let result = check(Self.example)
        let policy = try #require(result.policy, "\(result.diagnostics.map(\.rendered))")
        #expect(policy.chains.map(\.name) == ["lan_in", "web"])
        #expect(
            policy.rules.map(\.name) == [
                "lan_in/ssh", "lan_in/mark", "lan_in/back", "web/w", "to-lan", "services", "x", "y",
            ])
        #expect(policy.rules[0].verdict?.kind == .forward)
        #expect(policy.rules[0].chain == "lan_in")
        #expect(policy.rules[1].action == .next)
        #expect(policy.rules[1].statements.count == 1)
        guard case .return = policy.rules[2].action else {
            Issue.record("not a return")
            return
        }
        guard case .jump(let target) = policy.rules[4].action else {
            Issue.record("not a jump")
            return
        }
        #expect(target.name == "lan_in")
        #expect(target.location.line == 11 && target.location.column == 10)
        guard case .vmap(let map) = policy.rules[5].action else {
            Issue.record("not a vmap")
            return
        }
        #expect(map.field == .tcpDport)
        #expect(
            map.elements.map(\.values) == [
                [ValueInterval(22)], [ValueInterval(23)], [ValueInterval(lo: 80, hi: 89)], [ValueInterval(443)],
            ])
        guard case .verdict(let first) = map.elements[0].action else {
            Issue.record("not a verdict")
            return
        }
        #expect(first.kind == .forward)
        guard case .jump(let web) = map.elements[2].action else {
            Issue.record("not a jump")
            return
        }
        #expect(web.name == "web")
        #expect(policy.rules[6].comment == "telnet is dead")
        #expect(policy.rules[6].verdict?.kind == .drop)
        guard case .goto(let gone) = policy.rules[7].action else {
            Issue.record("not a goto")
            return
        }
        #expect(gone.name == "web")
        // Two counters, one note at the first; no warning (every chain is used).
        let notes = result.diagnostics.filter { $0.severity == .note }
        #expect(
            notes.map { "\($0.location!.line):\($0.location!.column) \($0.code.rawValue)" } == [
                "17:32 counter-implicit"
            ])
        #expect(notes[0].message.contains("(and 1 more)"))
        #expect(result.warnings.isEmpty, "\(result.warnings.map(\.rendered))")
    }

    @Test func aQuotedChainNameWorks() throws {
        let checked = try #require(
            policy(wrapped("chain \"lan in\" { rule \"a\" { drop } }\nrule \"j\" { jump \"lan in\" }\n")))
        #expect(checked.rules.map(\.name) == ["lan in/a", "j"])
    }

    @Test func accepttakesForwardsOptions() throws {
        let checked = try #require(policy(wrapped("rule \"a\" { accept delay 5ms retries 3 }\n")))
        #expect(checked.rules[0].verdict?.kind == .forward)
        #expect(checked.rules[0].verdict?.options == VerdictOptions(delay: 5_000_000, retries: 3))
    }

    @Test func aRuleWithAMatchOnlyGoesOn() throws {
        let checked = try #require(policy(wrapped("rule \"a\" { match tcp dport 22 }\nrule \"b\" { counter }\n")))
        #expect(checked.rules.map(\.action) == [.next, .next])
    }

    @Test func testsNameChainRulesByTheirFullName() throws {
        let text = wrapped(
            """
            chain c { rule "r" { match tcp dport 22; drop } }
            rule "j" { jump c }
            test "t" {
                packet tcp dport 22
                expect drop by "c/r"
            }
            test "u" {
                packet tcp dport 22
                expect drop by "r"
            }

            """)
        #expect(errorSummary(check(text)) == ["11:20 unknown-rule"])
    }

    static let cases: [BrokenCase] = [
        BrokenCase(
            text: wrapped("rule \"a\" { jump nowhere }\n"), error: "3:17 unknown-chain",
            message: "unknown chain 'nowhere'"),
        BrokenCase(
            text: wrapped("chain lan { rule \"a\" { drop } }\nrule \"b\" { goto lam }\n"), error: "4:17 unknown-chain",
            message: "unknown chain 'lam'; did you mean 'lan'?"),
        BrokenCase(
            text: wrapped("chain a { rule \"x\" { jump a } }\nrule \"b\" { jump a }\n"), error: "3:27 chain-loop",
            message: "chain loop: a -> a"),
        BrokenCase(
            text: wrapped(
                "chain a { rule \"x\" { jump b } }\nchain b {\n    rule \"y\" { tcp dport vmap { 1 : goto a } }\n}\n"
                    + "rule \"c\" { jump a }\n"),
            error: "5:42 chain-loop", message: "chain loop: a -> b -> a"),
        BrokenCase(
            text: wrapped("chain a { rule \"x\" { drop } }\nchain a { rule \"y\" { drop } }\n"),
            error: "4:7 duplicate-chain", message: "chain a is already defined at t.policy:3:1"),
        BrokenCase(
            text: wrapped("chain a { rule \"x\" { drop }; rule \"x\" { accept } }\n"), error: "3:35 duplicate-rule",
            message: "rule \"a/x\" is already defined"),
        BrokenCase(
            text: wrapped("chain \"a/b\" { rule \"x\" { drop } }\n"), error: "3:7 invalid-name",
            message: "invalid chain name \"a/b\""),
        BrokenCase(
            text: wrapped("chain a { match tcp dport 22 }\n"), error: "3:11 unexpected-token",
            message: "a chain holds rules: expected 'rule', found 'match'"),
        BrokenCase(
            text: wrapped("rule \"a\" { jump }\n"), error: "3:12 unexpected-token",
            message: "expected a chain name after 'jump'"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    jump c\n    log\n}\nchain c { rule \"x\" { drop } }\n"),
            error: "5:5 statement-after-verdict", message: "'log' follows the verdict 'jump' (line 4)"),
        BrokenCase(
            text: wrapped("rule \"a\" { drop comment \"x\"; comment \"y\" }\n"), error: "3:30 duplicate-comment",
            message: "a rule has at most one comment"),
        BrokenCase(
            text: wrapped("rule \"a\" { counter packets 1 }\n"), error: "3:20 unexpected-token",
            message: "write 'counter' alone, or 'counter packets N bytes M'"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap { 22 : accept, 20-25 : drop } }\n"),
            error: "3:42 overlapping-elements", message: "20-25 overlaps the element at t.policy:3:29"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap { 70000 : accept } }\n"), error: "3:29 value-out-of-range",
            message: "value 70000 is out of range for tcp dport"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap { 22 : frward } }\n"), error: "3:34 unknown-keyword",
            message: "unknown verdict 'frward' in the verdict map"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap { 22 accept } }\n"), error: "3:32 unexpected-token",
            message: "expected ':' after 22 in the verdict map"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap { 22 : drop delay 1ms } }\n"), error: "3:39 invalid-option",
            message: "'drop' takes no options"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap @ports }\n"), error: "3:27 undefined-set",
            message: "unknown map '@ports'"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap 22 }\n"), error: "3:27 unexpected-token",
            message: "expected '{' or '@NAME' after 'vmap', found '22'"),
        BrokenCase(
            text: wrapped("rule \"a\" { tcp dport vmap { 22 : jump nowhere } }\n"), error: "3:39 unknown-chain",
            message: "unknown chain 'nowhere'"),
        BrokenCase(
            text: wrapped("rule \"a\" { pass }\n"), error: "3:12 unknown-keyword",
            message: "unknown statement 'pass'"),
    ]

    @Test(arguments: cases)
    func reportsExactlyThisError(_ broken: BrokenCase) throws {
        let result = check(broken.text)
        #expect(result.policy == nil)
        #expect(errorSummary(result) == [broken.error], "\(result.diagnostics.map(\.rendered))")
        let message = try #require(result.errors.first?.message)
        #expect(message.contains(broken.message), "\(message)")
    }

    @Test func anUnusedChainAndAReturnAtTheTopAreWarnings() {
        let result = check(
            wrapped(
                "chain spare { rule \"x\" { drop } }\nchain inner { rule \"y\" { jump spare } }\nrule \"r\" { match tcp dport 1; return }\n"
            ))
        #expect(result.policy != nil)
        #expect(warningSummary(result) == ["3:1 unused-chain", "4:1 unused-chain", "5:31 return-at-base"])
    }

    @Test func aNonTerminalRuleDoesNotShadow() {
        // "log-all" matches everything but goes on; "drop-ssh" is live.
        let live = check(wrapped("rule \"log-all\" { log }\nrule \"drop-ssh\" { match tcp dport 22; drop }\n"))
        #expect(warningSummary(live) == [])
        // A terminal rule still shadows what follows it, also after a rule that goes on.
        let dead = check(
            wrapped(
                "rule \"all\" { match tcp dport 22; drop }\nrule \"log\" { log }\nrule \"ssh\" { match tcp dport 22; accept }\n"
            ))
        #expect(warningSummary(dead) == ["5:1 shadowed-rule"])
        // A rewrite that goes on ends the comparison: the later rule sees another frame.
        let rewritten = check(
            wrapped(
                "rule \"a\" { match tcp dport 22; drop }\nrule \"b\" { tcp dport set 22 }\nrule \"c\" { match tcp dport 22; accept }\n"
            ))
        #expect(warningSummary(rewritten) == [])
    }
}
