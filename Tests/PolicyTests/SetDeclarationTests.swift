import Policy
import Testing

/// nft-style set declarations: `set NAME { type T; flags F; elements = { ... } }`.
@Suite("nft-style set declarations")
struct SetDeclarationTests {
    @Test func declaredSetsResolveAsWrittenSetsDo() throws {
        let text = wrapped(
            """
            set blocked {
                type ipv4_addr
                flags interval, timeout
                timeout 1h30m
                size 1024
                auto-merge
                comment "from the old firewall"
                elements = { 198.18.0.0/24, 198.18.5.1 }
            }
            set web { type inet_service; flags constant; elements = { 80, 443 } }
            set lanmac { typeof ether saddr; elements = { 02:00:00:00:00:01 } }
            set protos { type inet_proto; elements = { tcp, udp } }
            set none6 { type ipv6_addr; }
            rule "a" {
                match ip saddr @blocked tcp dport @web ether saddr @lanmac
                drop
            }
            rule "b" {
                match meta l4proto @protos ip6 saddr != @none6
                drop
            }
            """)
        let checked = try #require(policy(text))
        #expect(
            checked.sets == [
                NamedSet(
                    name: "blocked",
                    elements: [ValueInterval(lo: 0xC612_0000, hi: 0xC612_00FF), ValueInterval(0xC612_0501)],
                    valueKind: .ipv4, location: at(3, 1)),
                NamedSet(
                    name: "web", elements: [ValueInterval(80), ValueInterval(443)], valueKind: .integer,
                    location: at(12, 1)),
                NamedSet(
                    name: "lanmac", elements: [ValueInterval(0x0200_0000_0001)], valueKind: .mac, location: at(13, 1)),
                NamedSet(
                    name: "protos", elements: [ValueInterval(6), ValueInterval(17)], valueKind: .integer,
                    location: at(14, 1)),
                NamedSet(name: "none6", elements: [], valueKind: .ipv6, location: at(15, 1)),
            ])
        #expect(fieldMatches(checked.rules[0]).map(\.setName) == ["blocked", "web", "lanmac"])
        #expect(fieldMatches(checked.rules[1]).map(\.setName) == ["protos", "none6"])
    }

    @Test func anUnusedDeclaredSetTakesItsKindFromItsType() throws {
        let result = check(wrapped("set spare6 { type ipv6_addr; }\nrule \"a\" { forward }\n"))
        #expect(result.policy?.sets.first?.valueKind == .ipv6)
        #expect(warningSummary(result) == ["3:5 unused-set"])
    }

    @Test func theDeclaredTypeIsCheckedAtEveryUse() throws {
        let text = wrapped(
            "set hosts { type ipv4_addr; elements = { 198.18.0.1 } }\n"
                + "set svc { type inet_service; elements = { 22 } }\n"
                + "rule \"a\" {\n    match ip daddr @hosts tcp dport @hosts\n    drop\n}\n"
                + "rule \"b\" {\n    match ip protocol @svc\n    drop\n}\n")
        let result = check(text)
        #expect(errorSummary(result) == ["6:37 set-kind-conflict", "10:23 set-kind-conflict"])
        #expect(
            result.errors[0].message
                == "set '@hosts' is declared 'type ipv4_addr' (at t.policy:3:1), which tcp dport does not take; "
                + "it takes numbers")
        #expect(result.errors[1].message.hasPrefix("set '@svc' is declared 'type inet_service'"))
    }

    @Test func elementsAreCheckedAgainstTheField() {
        let text = wrapped(
            "set hosts { type ipv4_addr; elements = { 198.18.0.1, 22 } }\nrule \"a\" { match ip saddr @hosts; drop }\n")
        #expect(errorSummary(check(text)) == ["3:54 wrong-value-kind"])
    }

    static let broken: [BrokenCase] = [
        BrokenCase(
            text: wrapped("set m { type mark; }\n"), error: "3:14 not-supported",
            message: "set type mark is not supported: packet marks have no meaning on a transparent bridge"),
        BrokenCase(
            text: wrapped("set x { type ipv5_addr; }\n"), error: "3:14 invalid-value",
            message: "unknown set type 'ipv5_addr' after 'type'; the types are ct_state, ether_addr"),
        BrokenCase(
            text: wrapped("set x { type ipv4_addr; flags intervals; }\n"), error: "3:31 invalid-value",
            message: "unknown set flag 'intervals'; the flags are interval, constant, timeout and dynamic; did you "
                + "mean 'interval'?"),
        BrokenCase(
            text: wrapped("set x { type ipv4_addr; timeout forever; }\n"), error: "3:33 invalid-value",
            message: "'forever' is not a timeout"),
        BrokenCase(
            text: wrapped("set x { type ipv4_addr; size 0; }\n"), error: "3:30 invalid-value",
            message: "a set's size is a count from 1 to 4294967295, not '0'"),
        BrokenCase(
            text: wrapped("set x { flags interval; }\n"), error: "3:5 unexpected-token",
            message: "set x needs a type, as in set x { type ipv4_addr; ... }"),
        BrokenCase(
            text: wrapped("set x { type ipv4_addr; gc-interval 1m; }\n"), error: "3:25 unknown-keyword",
            message: "unknown set item 'gc-interval'"),
        BrokenCase(
            text: wrapped("set x { type ipv4_addr . ; }\n"), error: "3:24 unexpected-token",
            message: "a concatenated type is type names joined by '.'"),
        BrokenCase(
            text: wrapped("set x { type ipv4_addr; elements { 198.18.0.1 } }\n"), error: "3:25 unexpected-token",
            message: "expected '= {' after 'elements'"),
        BrokenCase(
            text: wrapped("set x {\n    type ipv4_addr\n"), error: "3:7 unexpected-token",
            message: "set x is missing its closing '}'"),
    ]

    @Test(arguments: broken)
    func reportsExactlyThisError(_ broken: BrokenCase) throws {
        let result = check(broken.text)
        #expect(result.policy == nil)
        #expect(errorSummary(result) == [broken.error])
        let message = try #require(result.errors.first?.message)
        #expect(message.contains(broken.message), "\(message)")
    }

    @Test func aConcatenatedTypeHoldsTuplesCheckedPartByPart() {
        let good = wrapped(
            "set p { type ipv4_addr . inet_service; elements = { 198.18.0.1 . 22 } }\n"
                + "rule \"r\" { match ip saddr . tcp dport @p; drop }\n")
        #expect(errorSummary(check(good)) == [])
        let bad = wrapped(
            "set p { type ipv4_addr . inet_service; elements = { 198.18.0.1 . 70000 } }\n"
                + "rule \"r\" { match ip saddr . tcp dport @p; drop }\n")
        #expect(errorSummary(check(bad)) == ["3:66 value-out-of-range"])
    }

    @Test func theEqualsFormStillWorksBesideTheDeclaredForm() throws {
        let text = wrapped(
            "set a = { 22 }\nset b { type inet_service; elements = { 23 } }\n"
                + "rule \"r\" { match tcp dport @a udp dport @b; drop }\n")
        #expect(try #require(policy(text)).sets.map(\.name) == ["a", "b"])
    }
}

extension SetDeclarationTests {
    @Test func valuesInBracesWithoutEqualsAreOneErrorThatShowsBothForms() throws {
        let result = check(wrapped("set ports {\n    22,\n    80\n}\nrule \"a\" { match tcp dport 70000; drop }\n"))
        #expect(errorSummary(result) == ["4:5 unknown-keyword", "7:28 value-out-of-range"])
        #expect(
            result.errors[0].message
                == "unknown set item '22'; a set declaration takes type, typeof, flags, timeout, size, elements and "
                + "comment; a set of values is written set ports = { ... }")
    }
}

extension SetDeclarationTests {
    @Test func anUnusedDeclaredSetsElementsAreCheckedAgainstItsType() throws {
        let result = check(wrapped("set spare { type ipv4_addr; elements = { 198.18.0.1, 2001:db8::1 } }\n"))
        #expect(errorSummary(result) == ["3:54 wrong-value-kind"])
        #expect(result.errors.first?.message.hasSuffix("(in set @spare, declared 'type ipv4_addr')") == true)
        let kept = check(wrapped("set spare { typeof tcp dport; elements = { 22, 80-89 } }\n"))
        #expect(
            kept.policy?.sets == [
                NamedSet(
                    name: "spare", elements: [ValueInterval(22), ValueInterval(lo: 80, hi: 89)], valueKind: .integer,
                    location: at(3, 1))
            ])
    }
}
