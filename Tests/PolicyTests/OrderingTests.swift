import Testing

@testable import Policy

/// nft's `<`, `>`, `<=`, `>=` on numeric fields: each is the interval it holds for, and an
/// ordering on a field that is not a number, or with a bound no value meets, is an error at it.
@Suite struct OrderingTests {
    /// The one rule's field matches.
    private func matches(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [FieldMatch] {
        let text = wrapped("rule \"r\" {\n    match \(line)\n    drop\n}\n")
        let result = PolicyReader.parse(text: text, path: "t.policy")
        guard let policy = result.policy else {
            Issue.record(
                Comment(rawValue: result.diagnostics.map(\.rendered).joined(separator: "\n")),
                sourceLocation: sourceLocation)
            return []
        }
        return policy.rules[0].match.compactMap { if case .field(let match) = $0 { match } else { nil } }
    }

    /// The errors of a one-rule policy whose match line is `line` (line 4, the line at column 11).
    private func errors(_ line: String) -> [String] {
        let text = wrapped("rule \"r\" {\n    match \(line)\n    drop\n}\n")
        let result = PolicyReader.parse(text: text, path: "t.policy")
        return result.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
    }

    @Test func eachOrderingIsTheIntervalItHoldsFor() {
        #expect(matches("tcp dport > 1023").map(\.values) == [[ValueInterval(lo: 1024, hi: 65535)]])
        #expect(matches("ip ttl < 5").map(\.values) == [[ValueInterval(lo: 0, hi: 4)]])
        #expect(matches("meta length >= 1000").map(\.values) == [[ValueInterval(lo: 1000, hi: 65535)]])
        #expect(matches("udp sport <= domain").map(\.values) == [[ValueInterval(lo: 0, hi: 53)]])
        #expect(matches("ip6 hoplimit>=250").map(\.values) == [[ValueInterval(lo: 250, hi: 255)]])
        #expect(matches("vlan id < 4095").map(\.values) == [[ValueInterval(lo: 0, hi: 4094)]])
        #expect(matches("tcp dport > 1023").map(\.negated) == [false])
    }

    @Test func severalOnOneFieldAllHold() {
        let both = matches("tcp dport >= 1024 tcp dport <= 2000 ip ttl > 1")
        #expect(both.map(\.field) == [.tcpDport, .tcpDport, .ipTTL])
        #expect(
            both.map(\.values) == [
                [ValueInterval(lo: 1024, hi: 65535)], [ValueInterval(lo: 0, hi: 2000)],
                [
                    ValueInterval(lo: 2, hi: 255)
                ],
            ])
    }

    @Test func notANumberIsAnErrorAtTheOperator() {
        #expect(
            errors("ip saddr > 198.18.0.1") == [
                "4:20 '>' compares numbers, and ip saddr is an address: write a value, a set, a prefix or a range"
            ])
        #expect(errors("ether daddr < 02:00:00:00:00:01").first?.hasPrefix("4:23 '<' compares numbers") == true)
        #expect(
            errors("tcp flags >= syn").first?.hasSuffix(
                "tcp flags is a set of flags: write a value, a set, a prefix or a range") == true)
        #expect(errors("ct state > new").first?.hasPrefix("4:20 ") == true)
        #expect(errors("iif < b").first?.contains("a port (a or b)") == true)
    }

    @Test func aBoundNoValueMeetsIsAnErrorAtTheBound() {
        #expect(errors("ip ttl > 255") == ["4:20 ip ttl > 255 is never true: ip ttl is 0 to 255"])
        #expect(errors("tcp dport < 0") == ["4:23 tcp dport < 0 is never true: tcp dport is 0 to 65535"])
        #expect(errors("ip ttl >= 256").count == 1)
        #expect(errors("ip ttl >= 256").first?.hasPrefix("4:21 ") == true)
        #expect(errors("tcp dport > 1-5").first?.hasPrefix("4:23 'tcp dport >' takes a single value") == true)
        #expect(errors("tcp dport > { 1, 2 }") == ["4:23 'tcp dport >' takes one value, not a set"])
        #expect(errors("tcp dport >") == ["4:21 expected a value after 'tcp dport >'"])
    }
}
