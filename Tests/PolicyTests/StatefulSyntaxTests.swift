import Answers
import Flow
import Limits
import Policy
import Testing

/// `ct`, `limit`, `quota`, `reject` and the flow, answer and meter settings, as written.
@Suite("Stateful syntax")
struct StatefulSyntaxTests {
    static func rule(_ match: String, _ verdict: String = "forward") -> String {
        wrapped("rule \"r\" {\n    match \(match)\n    \(verdict)\n}\n")
    }

    @Test func ctStateTakesNftNamesSingleInBracesAsACommaListAndNegated() throws {
        let cases: [(String, [UInt128], Bool)] = [
            ("ct state established", [2], false),
            ("ct state established,related", [2, 4], false),
            ("ct state { new, untracked }", [8, 64], false),
            ("ct state != invalid", [1], true),
            ("ct direction reply", [1], false),
        ]
        for (text, values, negated) in cases {
            let checked = try #require(policy(Self.rule(text)), "\(text)")
            guard case .field(let match) = checked.rules[0].match[0] else {
                Issue.record("\(text): not a field match")
                continue
            }
            #expect(match.values.map(\.lo) == values, "\(text)")
            #expect(match.negated == negated, "\(text)")
        }
    }

    @Test func anUnknownStateIsAnErrorAtItsWord() throws {
        let error = try #require(singleError(Self.rule("ct state established,relatd")))
        #expect(error.location == at(4, 32))
        #expect(error.message.contains("'relatd'"))
        #expect(error.message.contains("related"))
    }

    static func limit(_ rate: Rate, burst: Burst? = nil, over: Bool = false) throws -> RateLimit {
        try RateLimit(rate: rate, burst: burst, over: over)
    }

    @Test func limitsInEveryFormNftWritesThem() throws {
        let cases: [(String, LimitMatch)] = [
            (
                "limit rate 10/second",
                LimitMatch(limit: try Self.limit(Rate(packets: 10, per: .second)), location: at(4, 11))
            ),
            (
                "limit rate over 10/minute burst 20 packets",
                LimitMatch(
                    limit: try Self.limit(Rate(packets: 10, per: .minute), burst: Burst(packets: 20), over: true),
                    location: at(4, 11))
            ),
            (
                "limit rate over 10 mbytes/second",
                LimitMatch(limit: try Self.limit(Rate(10, .mbytes, per: .second), over: true), location: at(4, 11))
            ),
            (
                "limit rate 10 mbytes/second burst 9000 kbytes",
                LimitMatch(
                    limit: try Self.limit(Rate(10, .mbytes, per: .second), burst: Burst(9000, .kbytes)),
                    location: at(4, 11))
            ),
            (
                "limit rate over 20/second burst 5 packets per ip saddr . tcp dport",
                LimitMatch(
                    limit: try Self.limit(Rate(packets: 20, per: .second), burst: Burst(packets: 5), over: true),
                    per: [.ipSource, .tcpDestinationPort], location: at(4, 11))
            ),
            (
                "limit rate 3/hour per ip6 saddr",
                LimitMatch(limit: try Self.limit(Rate(packets: 3, per: .hour)), per: [.ip6Source], location: at(4, 11))
            ),
        ]
        for (text, expected) in cases {
            let checked = try #require(policy(Self.rule(text)), "\(text)")
            #expect(checked.rules[0].match == [.limit(expected)], "\(text)")
        }
    }

    @Test func aLimitAmongFieldTermsAndItsDefaultBurst() throws {
        let checked = try #require(
            policy(Self.rule("icmp type echo-request limit rate over 10/second ip saddr 198.18.0.1")))
        #expect(checked.rules[0].match.count == 3)
        guard case .limit(let limit) = checked.rules[0].match[1] else {
            Issue.record("the limit is the second term")
            return
        }
        #expect(limit.limit.burst == 5)
        #expect(checked.rules[0].match[1].isStateful)
    }

    @Test func badLimitsAreReportedWhereTheyAreWrong() {
        let cases: [(String, String, String)] = [
            ("limit 10/second", "4:17 unexpected-token", "expected 'rate' after 'limit'"),
            ("limit rate 10/fortnight", "4:22 invalid-value", "unknown time unit 'fortnight'"),
            ("limit rate 0/second", "4:22 value-out-of-range", "at least 1 per unit"),
            ("limit rate ten/second", "4:22 invalid-value", "'ten' is not a number"),
            ("limit rate 10 gallons/second", "4:25 invalid-value", "unknown byte unit 'gallons'"),
            ("limit rate 10/second burst 5", "4:38 invalid-value", "burst N packets"),
            ("limit rate 10/second burst 5 kbytes", "4:40 invalid-value", "a packet rate's burst is in packets"),
            ("limit rate 10 kbytes/second burst 5 packets", "4:47 invalid-value", "a byte rate's burst is in bytes"),
            ("limit rate 10/second per ip ttl", "4:36 invalid-value", "a meter cannot be keyed by 'ip ttl'"),
            ("limit rate 10/second per tcp dport . udp dport", "4:36 invalid-value", "both tcp and udp ports"),
            (
                "limit rate 10/second per ip saddr . ip saddr", "4:47 duplicate-match",
                "already part of this meter's key"
            ),
        ]
        for (text, error, message) in cases {
            let result = check(Self.rule(text))
            #expect(errorSummary(result) == [error], "\(text)")
            #expect(result.errors.first?.message.contains(message) == true, "\(result.errors.first?.message ?? "")")
        }
    }

    @Test func quotas() throws {
        let cases: [(String, QuotaMatch)] = [
            (
                "quota over 10 mbytes",
                QuotaMatch(amount: try QuotaAmount(10, .mbytes), mode: .over, location: at(4, 11))
            ),
            (
                "quota until 100 kbytes",
                QuotaMatch(amount: try QuotaAmount(100, .kbytes), mode: .until, location: at(4, 11))
            ),
            ("quota 2 gbytes", QuotaMatch(amount: try QuotaAmount(2, .gbytes), mode: .until, location: at(4, 11))),
            ("quota 1500 bytes", QuotaMatch(amount: try QuotaAmount(1500, .bytes), mode: .until, location: at(4, 11))),
        ]
        for (text, expected) in cases {
            let checked = try #require(policy(Self.rule(text, "drop")), "\(text)")
            #expect(checked.rules[0].match == [.quota(expected)], "\(text)")
        }
        let bad = check(Self.rule("quota over 10 megs", "drop"))
        #expect(errorSummary(bad) == ["4:25 invalid-value"])
        #expect(bad.errors.first?.message.contains("bytes, kbytes, mbytes or gbytes") == true)
    }

    @Test func rejectAnswers() throws {
        let cases: [(String, RejectKind)] = [
            ("reject", .automatic),
            ("reject with tcp reset", .tcpReset),
            ("reject with icmp type host-unreachable", .icmp(code: 1)),
            ("reject with icmp admin-prohibited", .icmp(code: 13)),
            ("reject with icmpv6 type no-route", .icmpv6(code: 0)),
            ("reject with icmpv6 type addr-unreachable", .icmpv6(code: 3)),
            ("reject with icmpx type admin-prohibited", .icmpx(.adminProhibited)),
        ]
        for (text, answer) in cases {
            let checked = try #require(policy(Self.rule("tcp dport 23", text)), "\(text)")
            #expect(checked.rules[0].verdict?.kind == .reject, "\(text)")
            #expect(checked.rules[0].verdict?.answer == answer, "\(text)")
        }
        let bad: [(String, String, String)] = [
            ("reject with icmp type host-unreachabl", "5:27 invalid-value", "did you mean 'host-unreachable'?"),
            ("reject with tcp rst", "5:21 invalid-option", "expected 'reset'"),
            ("reject with smoke", "5:17 invalid-option", "unknown answer 'smoke'"),
            ("reject delay 1ms", "5:12 invalid-option", "after 'reject'"),
        ]
        for (text, error, message) in bad {
            let result = check(Self.rule("tcp dport 23", text))
            #expect(errorSummary(result) == [error], "\(text)")
            #expect(result.errors.first?.message.contains(message) == true, "\(result.errors.first?.message ?? "")")
        }
    }

    @Test func flowAnswerAndMeterDefaults() throws {
        let text = wrapped(
            """
            defaults {
                retries 2;
                flow-timeout tcp-established 2h udp 45s;
                tcp-closing 10s;
                icmp 15s;
                flow-pickup strict;
                flows-full forward;
                answer-rate 50/second burst 10 packets;
                meter-size 1024;
            }

            """)
        let checked = try #require(policy(text))
        let state = checked.stateDefaults
        let timeouts = state.flows.timeouts
        #expect(checked.defaults.retries == 2)
        #expect(timeouts[.tcpEstablished] == 7_200_000_000_000)
        #expect(timeouts[.udp] == 45_000_000_000)
        #expect(timeouts[.icmp] == 15_000_000_000)
        for name in FlowTimeoutName.tcpClosing.members { #expect(timeouts[name] == 10_000_000_000) }
        #expect(timeouts[.tcpSynSent] == FlowTimeouts()[.tcpSynSent])
        #expect(state.flows.pickup == .strict)
        #expect(state.flows.whenFull == .forward)
        #expect(state.answerRate == (try RateLimit(rate: Rate(packets: 50, per: .second), burst: Burst(packets: 10))))
        #expect(state.meterSize == 1024)
    }

    @Test func badDefaultsAreReportedWhereTheyAreWrong() {
        let cases: [(String, String, String)] = [
            ("defaults { flow-timeout tcp-establshed 2h; }", "3:25 invalid-option", "did you mean 'tcp-established'?"),
            ("defaults { udp 45; }", "3:16 invalid-value", "'45' is not a duration"),
            ("defaults { udp 400d; }", "3:16 value-out-of-range", "1s to 365d"),
            ("defaults { flow-pickup lax; }", "3:24 invalid-value", "loose or strict"),
            ("defaults { flows-full accept; }", "3:23 invalid-value", "drop or forward"),
            ("defaults { answer-rate lots; }", "3:24 invalid-value", "not a packet rate"),
            ("defaults { meter-size 0; }", "3:23 value-out-of-range", "1 to 4194304"),
            ("defaults { udp 30s; udp 40s; }", "3:21 invalid-option", "given twice"),
        ]
        for (body, error, message) in cases {
            let result = check(wrapped(body + "\n"))
            #expect(errorSummary(result) == [error], "\(body)")
            #expect(result.errors.first?.message.contains(message) == true, "\(result.errors.first?.message ?? "")")
        }
    }

    @Test func testsAreSequencesWithWaitsRepeatsAndAnswers() throws {
        let text = wrapped(
            """
            rule "r" {
                match tcp dport 23
                reject
            }
            test "t" {
                packet iif a tcp dport 80 tcp flags syn
                expect forward with ct state new
                wait 1s
                wait 500ms
                packet iif b tcp sport 80 tcp flags syn|ack repeat 3
                expect forward
                packet tcp dport 23
                expect reject by "r" answer tcp flags rst|ack
                packet tcp dport 23 ip daddr 255.255.255.255
                expect reject answer none
            }

            """)
        let checked = try #require(policy(text))
        let steps = checked.tests[0].steps
        #expect(steps.count == 4)
        #expect(steps[0].packet.iif == .a && steps[0].after == 0 && steps[0].repeatCount == 1)
        #expect(steps[0].expectation.fields.map(\.field) == [.ctState])
        #expect(steps[1].packet.iif == .b && steps[1].after == 1_500_000_000 && steps[1].repeatCount == 3)
        #expect(steps[2].expectation.verdict == .reject)
        #expect(
            steps[2].expectation.answer == .fields([FieldValue(field: .tcpFlags, value: 0x14, location: at(15, 33))]))
        #expect(steps[3].expectation.answer == AnswerExpectation.none)
    }

    @Test func badTestSequencesAreReportedWhereTheyAreWrong() {
        let cases: [(String, String, String)] = [
            (
                "test \"t\" { packet tcp dport 1 ct state new; expect drop }\n", "3:31 invalid-value",
                "comes from the flow table"
            ),
            (
                "test \"t\" { packet tcp dport 1 repeat 0; expect drop }\n", "3:38 value-out-of-range",
                "repeat takes a count"
            ),
            ("test \"t\" { wait 1s; }\n", "3:17 unexpected-token", "'wait' must come before a packet"),
            (
                "test \"t\" { packet tcp dport 1; expect drop; wait 2s; }\n", "3:50 unexpected-token",
                "'wait' must come before a packet"
            ),
            ("test \"t\" { wait soon; packet tcp dport 1; expect drop }\n", "3:17 invalid-value", "not a duration"),
            (
                "test \"t\" { packet tcp dport 1; expect drop answer none }\n", "3:44 invalid-value",
                "only 'expect reject'"
            ),
            (
                "test \"t\" { packet tcp dport 1; expect drop; expect drop }\n", "3:45 unexpected-token",
                "already has an 'expect'"
            ),
        ]
        for (body, error, message) in cases {
            let result = check(wrapped(body))
            #expect(errorSummary(result) == [error], "\(body)")
            #expect(result.errors.first?.message.contains(message) == true, "\(result.errors.first?.message ?? "")")
        }
    }
}
