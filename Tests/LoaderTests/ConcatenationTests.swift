import Loader
import Policy
import Testing

/// nft's concatenations: `ip saddr . tcp dport { 198.18.0.1 . 22 }`, `!=`, sets declared with a
/// concatenated `type` or `typeof`, and every mistake reported where it was made.
@Suite struct ConcatenationTests {
    static let ports = PortInterfaces(a: "lan0", b: "wan0")

    static func load(_ text: String) -> LoadReport {
        PolicyLoader.load(text: text, path: "c.policy", ports: ports)
    }

    static let policy = """
        version 1
        default drop
        set pairs { type ipv4_addr . inet_service; elements = { 198.18.0.1 . 22, 198.18.1.0/24 . 443 } }
        set typed { typeof ip6 daddr . udp dport; elements = { 2001:db8::1 . 53 } }
        rule "pairs" {
            match ip saddr . tcp dport @pairs
            forward
        }
        rule "inline" {
            match ip saddr . udp dport { 198.18.0.2 . 53, 198.18.0.3 . 5353-5400 } ip ttl 64
            forward
        }
        rule "six" {
            match ip6 daddr . udp dport @typed
            forward
        }
        rule "port-and-source" {
            match iifname . ether saddr { "wan0" . 02:00:00:00:00:09 }
            forward
        }
        rule "not-these" {
            match ip daddr . tcp dport != { 198.18.9.9 . 80 } tcp dport 80
            forward
        }
        """

    static let tests = """
        test "tuples" {
            packet ip saddr 198.18.0.1 tcp dport 22
            expect forward by "pairs"
            packet ip saddr 198.18.0.1 tcp dport 443
            expect drop
            packet ip saddr 198.18.1.7 tcp dport 443
            expect forward by "pairs"
            packet ip saddr 198.18.0.3 udp dport 5360 ip ttl 64
            expect forward by "inline"
            packet ip saddr 198.18.0.3 udp dport 5360 ip ttl 63
            expect drop
            packet ip saddr 198.18.0.2 udp dport 5360
            expect drop
            packet ip6 daddr 2001:db8::1 udp dport 53
            expect forward by "six"
            packet ip6 daddr 2001:db8::2 udp dport 53
            expect drop
            packet iif b ether saddr 02:00:00:00:00:09 ip saddr 198.18.5.5 tcp dport 9
            expect forward by "port-and-source"
            packet iif a ether saddr 02:00:00:00:00:09 ip saddr 198.18.5.5 tcp dport 9
            expect drop
            packet ip daddr 198.18.9.9 tcp dport 80
            expect drop
            packet ip daddr 198.18.9.8 tcp dport 80
            expect forward by "not-these"
        }
        """

    @Test func tuplesDecideAsWritten() {
        let report = Self.load(Self.policy + "\n" + Self.tests)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.tests.count == 1 && report.tests.allSatisfy(\.passed), "\(report.tests)")
    }

    @Test func theTestsCanTell() {
        // The same expectations against a policy whose tuples are the other way round fail.
        let swapped = Self.policy.replacingOccurrences(of: "198.18.0.1 . 22", with: "198.18.0.1 . 23")
        let report = Self.load(swapped + "\n" + Self.tests)
        #expect(report.tests.map(\.passed) == [false])
    }

    @Test(arguments: [
        ("match ip saddr . tcp dport { 198.18.0.1 . 22 . 3 }", "5:34", "has 3 parts, but ip saddr . tcp dport takes 2"),
        ("match ip saddr . tcp dport 198.18.0.1", "5:32", "takes values of 2 parts joined by '.'"),
        ("match ip saddr . tcp dport { 198.18.0.1 . ssh-x }", "5:47", "ssh-x"),
        ("match ip saddr @pairs", "5:20", "declared 'type ipv4_addr . inet_service'"),
        ("match ip6 daddr . udp dport @pairs", "5:33", "which ip6 daddr . udp dport does not take"),
        ("match ip saddr { 198.18.0.1 . 22 }", "5:22", "ip saddr takes one"),
        ("match ip saddr . ip saddr { 198.18.0.1 . 198.18.0.2 }", "5:22", "already in this concatenation"),
        ("match ip saddr != . tcp dport { 198.18.0.1 . 22 }", "5:11", "the operator goes after the last field"),
        ("match ip saddr . { 198.18.0.1 . 22 }", "5:22", "expected a field name after '.'"),
        ("match ip saddr . tcp dport { 198.18.0.1 . }", "5:47", "expected a value after '.'"),
    ])
    func mistakesAreReportedWhereTheyAre(match: String, at place: String, says: String) {
        let text = """
            version 1
            default drop
            set pairs { type ipv4_addr . inet_service; elements = { 198.18.0.1 . 22 } }
            rule "r" {
                \(match)
                forward
            }
            """
        let report = Self.load(text)
        let errors = report.errors.map(\.rendered)
        #expect(errors.contains { $0.contains("c.policy:\(place):") && $0.contains(says) }, "\(errors)")
    }

    @Test func concatenatedSetTypesAreChecked() {
        let text = """
            version 1
            default drop
            set bad { type ipv4_addr . bogus_type }
            set dotted { type ipv4_addr . }
            rule "r" {
                match tcp dport 1
                forward
            }
            """
        let errors = Self.load(text).errors.map(\.rendered)
        #expect(errors.contains { $0.contains("c.policy:3:28:") && $0.contains("unknown set type 'bogus_type'") })
        #expect(errors.contains { $0.contains("c.policy:4:29:") && $0.contains("type names joined by '.'") })
    }
}
