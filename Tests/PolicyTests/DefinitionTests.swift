import Policy
import Testing

@Suite("Defines and sets")
struct DefinitionTests {
    @Test func definesAreTypedAtTheUseSite() throws {
        let text = wrapped(
            """
            define PORT = 53
            define NET = 10.20.0.0/16
            define HOSTV6 = 2001:db8::9
            rule "a" {
                match tcp dport $PORT udp dport $PORT ip saddr $NET ip6 daddr $HOSTV6
                forward
            }
            """)
        let matches = fieldMatches(try #require(policy(text)?.rules.first))
        #expect(
            matches.map(\.values) == [
                [ValueInterval(53)], [ValueInterval(53)], [ValueInterval(lo: 0x0A14_0000, hi: 0x0A14_FFFF)],
                [ValueInterval(0x2001_0db8 << 96 | 9)],
            ])
        #expect(matches.map(\.setName) == [nil, nil, nil, nil])
    }

    @Test func nestedDefinesAndUseBeforeDeclaration() throws {
        let text = wrapped(
            """
            rule "a" {
                match ip saddr $ALL
                ip daddr set $SINK
                forward delay $WAIT
            }
            define ALL = { $LAN, $LAB, 192.0.2.1 }
            define LAN = $INNER
            define INNER = 10.20.0.0/16
            define LAB = 10.30.0.0/24
            define SINK = $SINK_REAL
            define SINK_REAL = 10.20.9.9
            define WAIT = 25ms
            """)
        let rule = try #require(policy(text)?.rules.first)
        #expect(
            fieldMatches(rule)[0].values == [
                ValueInterval(lo: 0x0A14_0000, hi: 0x0A14_FFFF), ValueInterval(lo: 0x0A1E_0000, hi: 0x0A1E_00FF),
                ValueInterval(0xC000_0201),
            ])
        #expect(rule.statements.map(\.kind) == [.set(.ipDaddr, 0x0A14_0909)])
        #expect(rule.verdict?.options.delay == 25_000_000)
    }

    @Test func namedSetsResolveWithTheirName() throws {
        let text = wrapped(
            """
            set voip = { 5060, 10000-20000, $RTP_EXTRA }
            set empty = { }
            define RTP_EXTRA = 30000
            rule "a" {
                match udp dport @voip tcp dport != @voip ip dscp @empty
                forward
            }
            """)
        let checked = try #require(policy(text))
        let matches = fieldMatches(checked.rules[0])
        let voip = [ValueInterval(5060), ValueInterval(lo: 10000, hi: 20000), ValueInterval(30000)]
        #expect(matches[0] == FieldMatch(field: .udpDport, values: voip, setName: "voip", location: at(7, 11)))
        #expect(matches[1].negated && matches[1].values == voip && matches[1].setName == "voip")
        #expect(matches[2].values.isEmpty)
        #expect(
            checked.sets == [
                NamedSet(name: "voip", elements: voip, valueKind: .integer, location: at(3, 1)),
                NamedSet(name: "empty", elements: [], valueKind: .integer, location: at(4, 1)),
            ])
    }

    @Test func setsOfOneKindServeSeveralFields() throws {
        let text = wrapped(
            "set nets = { 10.0.0.0/8 }\nrule \"a\" { match ip saddr @nets ip daddr != @nets; forward }\n")
        #expect(policy(text)?.sets.first?.valueKind == .ipv4)
    }

    @Test func unusedSetHasNoKind() throws {
        let result = check(wrapped("set spare = { 1, 2 }\n"))
        let checked = try #require(result.policy)
        #expect(checked.sets == [NamedSet(name: "spare", elements: [], valueKind: nil, location: at(3, 1))])
        #expect(warningSummary(result) == ["3:5 unused-set"])
        #expect(result.warnings.first?.message == "set '@spare' is never used")
    }

    @Test func setKindConflictIsReportedAtTheSecondUse() throws {
        let text = wrapped(
            """
            set nets = { 10.0.0.0/8 }
            rule "a" { match ip saddr @nets; forward }
            rule "b" { match ip6 saddr @nets; forward }
            """)
        let result = check(text)
        #expect(errorSummary(result) == ["5:28 set-kind-conflict"])
        #expect(
            result.errors.first?.message
                == "set '@nets' holds IPv4 addresses (it is used with ip saddr at t.policy:4:27), but ip6 saddr takes IPv6 addresses"
        )
    }

    @Test func badSetElementIsReportedOnceAtTheElement() {
        let text = wrapped(
            """
            set ports = { 22, 70000 }
            rule "a" { match tcp dport @ports; forward }
            rule "b" { match tcp dport != @ports; forward }
            """)
        let result = check(text)
        #expect(errorSummary(result) == ["3:19 value-out-of-range"])
        #expect(
            result.errors.first?.message
                == "value 70000 is out of range for tcp dport (0-65535) (in set @ports, used with tcp dport)")
    }

    @Test func wrongKindThroughADefineIsReportedAtTheUse() {
        let text = wrapped("define V6 = 2001:db8::/32\nrule \"a\" { match ip saddr $V6; forward }\n")
        let result = check(text)
        #expect(errorSummary(result) == ["4:27 wrong-value-kind"])
        #expect(
            result.errors.first?.message
                == "ip saddr takes IPv4 addresses; '2001:db8::/32' is an IPv6 prefix (from $V6, defined at t.policy:3:1)"
        )
    }

    @Test func undefinedNamesAreReportedAtEachUse() {
        let text = wrapped(
            """
            rule "a" { match ip saddr $LAN tcp dport @ports; forward }
            rule "b" { match ip daddr $LAM; forward }
            define LAN = 10.0.0.0/8
            """)
        let result = check(text)
        #expect(errorSummary(result) == ["3:42 undefined-set", "4:27 undefined-define"])
        #expect(result.errors[1].message == "undefined define '$LAM'; did you mean 'LAN'?")
    }

    @Test func recursiveDefineIsAnError() {
        let text = wrapped("define A = $B\ndefine B = $A\nrule \"a\" { match tcp dport $A; forward }\n")
        let result = check(text)
        #expect(errorSummary(result) == ["4:12 recursive-define"])
        #expect(result.errors.first?.message == "define '$A' refers to itself: $A -> $B -> $A")
    }

    @Test func duplicateDefinitions() {
        let text = wrapped(
            """
            define A = 1
            define A = 2
            set s = { 1 }
            set s = { 2 }
            rule "a" { match tcp dport $A tcp sport @s; forward }
            """)
        let result = check(text)
        #expect(errorSummary(result) == ["4:8 duplicate-definition", "6:5 duplicate-definition"])
        #expect(result.errors[0].message == "define '$A' is already defined at t.policy:3:1")
        #expect(result.errors[1].message == "set '@s' is already defined at t.policy:5:1")
    }

    @Test func setDefineUsedWhereOneValueIsNeeded() {
        let text = wrapped("define S = { 1, 2 }\nrule \"a\" {\n    ip ttl set $S\n    forward\n}\n")
        let result = check(text)
        #expect(errorSummary(result) == ["5:16 invalid-value"])
        #expect(result.errors.first?.message == "'ip ttl set' takes a single value, not a set")
    }

    @Test func setsCannotHoldSets() {
        #expect(errorSummary(check(wrapped("set a = { 1 }\nset b = { @a }\n"))) == ["4:11 invalid-value"])
        #expect(errorSummary(check(wrapped("set b = { 1, { 2 } }\n"))) == ["3:14 invalid-value"])
    }

    @Test func unusedWarningsCountEveryKindOfUse() throws {
        let text = wrapped(
            """
            define USED_IN_SET = 1
            define USED_IN_DEFAULTS = 3
            define USED_IN_TEST = 10.0.0.1
            define NEVER = 4
            set used = { $USED_IN_SET }
            set never = { 5 }
            defaults { retries $USED_IN_DEFAULTS; }
            rule "a" { match tcp dport @used; forward }
            test "t" {
                packet ip saddr $USED_IN_TEST
                expect forward by default
            }
            """)
        let result = check(text)
        #expect(result.policy != nil)
        #expect(warningSummary(result) == ["6:8 unused-define", "8:5 unused-set"])
        #expect(result.warnings.map(\.message) == ["define '$NEVER' is never used", "set '@never' is never used"])
    }

    @Test func definesCanHoldFlagsAndNamedValues() throws {
        let text = wrapped(
            "define SYNACK = syn|ack\ndefine VOICE = ef\nrule \"a\" { match tcp flags $SYNACK ip dscp $VOICE; forward }\n"
        )
        let matches = fieldMatches(try #require(policy(text)?.rules.first))
        #expect(matches.map(\.values) == [[ValueInterval(0x12)], [ValueInterval(46)]])
    }
}
