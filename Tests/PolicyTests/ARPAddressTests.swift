import Testing

@testable import Policy

/// `arp saddr ip`, `arp daddr ip`, `arp saddr ether`, `arp daddr ether`: three-word names, with
/// addresses, prefixes, sets and `!=` like every field, and errors at the word that is wrong.
@Suite struct ARPAddressTests {
    /// The one rule's field matches.
    private func matches(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [FieldMatch] {
        let result = PolicyReader.parse(
            text: wrapped("rule \"r\" {\n    match \(line)\n    drop\n}\n"), path: "t.policy")
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
        let result = PolicyReader.parse(
            text: wrapped("rule \"r\" {\n    match \(line)\n    drop\n}\n"), path: "t.policy")
        return result.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
    }

    @Test func addressesPrefixesSetsAndNegation() {
        #expect(
            matches("arp saddr ip 198.18.0.1").map(\.values) == [[ValueInterval(0xC612_0001)]])
        #expect(
            matches("arp daddr ip { 198.18.0.0/24 }").map(\.values) == [
                [ValueInterval(lo: 0xC612_0000, hi: 0xC612_00ff)]
            ])
        #expect(matches("arp saddr ether 02:00:00:00:00:01").map(\.values) == [[ValueInterval(0x0200_0000_0001)]])
        let negated = matches("arp daddr ether != { 02:00:00:00:00:01, 02:00:00:00:00:02 }")
        #expect(negated.map(\.field) == [.arpDaddrEther])
        #expect(negated.map(\.negated) == [true])
        let line = matches("arp operation request arp saddr ip 198.18.0.1 arp daddr ip 198.18.0.2 ip6 saddr ::1")
        #expect(line.map(\.field) == [.arpOperation, .arpSaddrIP, .arpDaddrIP, .ip6Saddr])
    }

    @Test func aSetOfTheRightTypeIsAccepted() {
        let text = wrapped(
            """
            set gateways = { 198.18.0.1, 198.18.0.254 }
            set routers = { 02:00:00:00:00:fe }
            rule "r" {
                match arp saddr ip @gateways arp saddr ether != @routers
                drop
            }

            """)
        let result = PolicyReader.parse(text: text, path: "t.policy")
        #expect(result.errors.isEmpty, "\(result.errors.map(\.message))")
    }

    @Test func wrongWordsAndValuesAreErrorsWhereTheyAre() {
        #expect(
            errors("arp saddr 198.18.0.1") == [
                "4:11 'arp saddr' needs a third word: arp saddr ip, arp saddr ether"
            ])
        #expect(errors("arp daddr ip 02:00:00:00:00:01").count == 1)
        #expect(errors("arp daddr ip 02:00:00:00:00:01").first?.hasPrefix("4:24 ") == true)
        #expect(errors("arp saddr ether 198.18.0.1").first?.hasPrefix("4:27 ") == true)
        #expect(errors("arp saddr ip 198.18.0.1 tcp dport 22") == [])
    }

    @Test func testPacketsCarryTheAddresses() {
        let text = wrapped(
            """
            rule "r" {
                match arp saddr ip 198.18.0.9
                drop
            }
            test "t" {
                packet arp saddr ip 198.18.0.9 arp daddr ether 02:00:00:00:00:07
                expect drop
            }

            """)
        let result = PolicyReader.parse(text: text, path: "t.policy")
        #expect(result.errors.isEmpty, "\(result.errors.map(\.message))")
        let fields = result.policy?.tests.first?.packet.fields.map(\.field)
        #expect(fields == [.arpSaddrIP, .arpDaddrEther])
    }
}
