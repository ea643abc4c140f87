import Policy
import Testing

@Suite("test blocks")
struct TestBlockTests {
    @Test func packetAndExpectationParseExactly() throws {
        let text = wrapped(
            """
            rule "voip-mark" { match udp dport 5060; ip dscp set ef; forward }
            test "sip gets EF" {
                packet iif b ip saddr 10.20.1.1 udp dport 5060 tcp flags syn|ack
                expect forward by "voip-mark" with ip dscp ef udp dport 5060
            }
            test "default" {
                packet ether saddr 02:00:00:00:00:01; expect reflect forward by default
            }
            test "plain" { packet; expect drop }
            """)
        let tests = try #require(policy(text)?.tests)
        #expect(tests.count == 3)
        #expect(
            tests[0]
                == TestBlock(
                    name: "sip gets EF",
                    packet: TestPacket(
                        iif: .b,
                        fields: [
                            FieldValue(field: .ipSaddr, value: 0x0A14_0101, location: at(5, 18)),
                            FieldValue(field: .udpDport, value: 5060, location: at(5, 37)),
                            FieldValue(field: .tcpFlags, value: 0x12, location: at(5, 52)),
                        ], location: at(5, 5)),
                    expectation: Expectation(
                        verdict: .forward, rule: "voip-mark",
                        fields: [
                            FieldValue(field: .ipDSCP, value: 46, location: at(6, 40)),
                            FieldValue(field: .udpDport, value: 5060, location: at(6, 51)),
                        ], location: at(6, 5)),
                    location: at(4, 1)))
        #expect(tests[1].packet.iif == .a)
        #expect(tests[1].expectation == Expectation(verdict: .reflectForward, byDefault: true, location: at(9, 43)))
        #expect(tests[2].packet == TestPacket(iif: .a, fields: [], location: at(11, 16)))
        #expect(tests[2].expectation.verdict == .drop)
        #expect(tests[2].expectation.rule == nil && !tests[2].expectation.byDefault)
    }

    @Test func expectedRuleMayBeDeclaredLater() throws {
        let text = wrapped(
            "test \"t\" { packet tcp dport 23; expect drop by \"late\" }\nrule \"late\" { match tcp dport 23; drop }\n")
        #expect(policy(text)?.tests.first?.expectation.rule == "late")
    }

    @Test func errorsInTests() {
        let cases: [(String, String, String)] = [
            (
                "rule \"no-telnet\" { drop }\ntest \"t\" { packet tcp dport 23; expect drop by \"no-telnt\" }\n",
                "4:48 unknown-rule", "no rule named \"no-telnt\"; did you mean 'no-telnet'?"
            ),
            ("test \"t\" { expect drop }\n", "3:1 missing-packet", "test \"t\" has no 'packet' line"),
            ("test \"t\" { packet tcp dport 1 }\n", "3:1 missing-expect", "test \"t\" has no 'expect' line"),
            (
                "test \"t\" { packet ip saddr 10.0.0.0/8; expect drop }\n", "3:28 invalid-value",
                "'ip saddr' in this packet takes a single value; '10.0.0.0/8' is a range or prefix"
            ),
            (
                "test \"t\" { packet tcp dport { 1, 2 }; expect drop }\n", "3:29 invalid-value",
                "'tcp dport' takes a single value, not a set"
            ),
            (
                "test \"t\" { packet tcp dport 1 tcp dport 2; expect drop }\n", "3:31 duplicate-match",
                "'tcp dport' is given twice in this packet"
            ),
            (
                "test \"t\" { packet iif c; expect drop }\n", "3:23 wrong-value-kind",
                "iif takes a port name, a or b, not 'c'"
            ),
            (
                "test \"t\" { packet tcp dport 1; expect drop with iif b }\n", "3:49 invalid-value",
                "'with' checks header fields"
            ),
            (
                "test \"t\" { packet tcp dport 1; expect pass }\n", "3:39 unexpected-token",
                "expected forward, drop, reflect or reject after 'expect'"
            ),
            (
                "test \"t\" { packet tcp dport != 1; expect drop }\n", "3:29 unexpected-token",
                "without an operator"
            ),
            (
                "test \"t\" { packet bpf \"tcp\"; expect drop }\n", "3:19 unexpected-token",
                "a test frame is described by fields, not bpf"
            ),
            (
                "test \"t\" { packet tcp dport 1; expect drop }\ntest \"t\" { packet tcp dport 2; expect drop }\n",
                "4:6 duplicate-test", "test \"t\" is already defined at t.policy:3:1"
            ),
            (
                "test \"t\" { packet tcp dport 1; packet tcp dport 2; expect drop }\n", "3:12 missing-expect",
                "the packet on line 3 has no 'expect' line before the next packet"
            ),
        ]
        for (body, error, message) in cases {
            let result = check(wrapped(body))
            #expect(errorSummary(result) == [error], "\(body)")
            #expect(result.errors.first?.message.contains(message) == true, "\(result.errors.first?.message ?? "")")
        }
    }
}
