import Policy
import Testing

/// One `match` line with several problems reports each at its own place (issue 17 item 2).
@Suite("Every error on a match line")
struct MatchLineRecoveryTests {
    /// The rule of `match` on line 4, with `drop` as its verdict.
    private func rule(matching terms: String) -> String {
        wrapped("rule \"a\" {\n    match \(terms)\n    drop\n}\n")
    }

    @Test func eachTermsProblemIsReported() {
        let result = check(rule(matching: "tcp dprot 22 ip saddr 300.1.1.1 fib daddr type local udp dport 99999"))
        #expect(
            errorSummary(result) == [
                "4:11 unknown-field", "4:33 invalid-value", "4:43 not-supported", "4:74 value-out-of-range",
            ])
        #expect(result.errors[0].message == "unknown field 'tcp dprot'; did you mean 'tcp dport'?")
        #expect(result.errors[2].message.hasPrefix("'fib' looks up the host's routing table"))
        #expect(result.errors[2].length == 3)
    }

    @Test func aVerdictMapOnTheMatchLineSaysWhereItGoes() throws {
        let result = check(rule(matching: "tcp dport vmap { 22 : accept } ip saddr 10.0.0.256"))
        #expect(errorSummary(result) == ["4:21 unexpected-token", "4:51 invalid-value"])
        #expect(
            result.errors[0].message
                == "a verdict map takes the verdict's place: write 'tcp dport vmap { ... }' on a line of its own "
                + "after the match line")
    }

    @Test func aConcatenationIsOneTermAndTheLineGoesOn() throws {
        let result = check(
            rule(matching: "ip saddr . tcp dport { 198.18.0.1 . 70000 } udp dport 70000 ip saddr . tcp dport 1"))
        #expect(
            errorSummary(result) == ["4:47 value-out-of-range", "4:65 value-out-of-range", "4:92 invalid-value"])
        #expect(result.errors[2].message.hasPrefix("ip saddr . tcp dport takes values of 2 parts joined by '.'"))
    }

    @Test func aConcatenatedValueForOneFieldSaysWhatTakesIt() throws {
        let error = try #require(singleError(rule(matching: "ip saddr { 198.18.0.1 . 22 }")))
        #expect(error.code == .invalidValue)
        #expect(error.location == at(4, 22))
        #expect(error.length == 15)
        #expect(error.message.hasPrefix("198.18.0.1 . 22 joins 2 values with '.', but ip saddr takes one"))
    }

    @Test func nftFieldsWithoutMeaningHereEachGetTheirReason() {
        let result = check(rule(matching: "meta mark 0x1 ct mark 2 ct helper \"ftp\" tcp dport 22"))
        #expect(errorSummary(result) == ["4:11 not-supported", "4:25 not-supported", "4:35 not-supported"])
        #expect(result.errors.map(\.length) == [9, 7, 9])
        #expect(result.errors[0].message.hasPrefix("'meta mark' is the packet mark; marks have no meaning"))
        #expect(result.errors[1].message.hasPrefix("'ct mark' is the connection mark"))
        #expect(result.errors[2].message.hasPrefix("'ct helper' names a kernel conntrack helper"))
    }

    static let nftOnlyFields: [(String, String)] = [
        ("fib daddr type local", "'fib' looks up the host's routing table; a transparent bridge does no routing"),
        ("meta iif 3", "'meta iif' is an interface index of the host"),
        ("oif 2", "'oif' is an interface index of the host"),
        ("ct zone 1", "'ct zone' is a kernel conntrack zone"),
        ("socket transparent 1", "'socket' looks up a local socket"),
        ("rt nexthop 198.18.0.1", "'rt' reads the route a frame took"),
        ("meta skuid 1000", "'meta skuid' is a local socket's user"),
    ]

    @Test(arguments: nftOnlyFields)
    func anNftFieldIsNamedWithItsReason(_ term: String, _ message: String) throws {
        let error = try #require(singleError(rule(matching: term)))
        #expect(error.code == .notSupported)
        #expect(error.location == at(4, 11))
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    static let nftOnlyStatements: [(String, String)] = [
        ("queue num 1", "'queue' hands frames to a userspace program"),
        ("snat to 198.18.0.1", "'snat' is NAT, which has no meaning on a transparent bridge"),
        ("dnat to 198.18.0.1:80", "'dnat' is NAT"),
        ("masquerade", "'masquerade' is NAT"),
        ("redirect to :8080", "'redirect' is NAT"),
        ("notrack", "'notrack' turns off the kernel's conntrack"),
        ("meta mark set 1", "'meta mark' is the packet mark"),
        ("ct mark set 1", "'ct mark' is the connection mark"),
        ("mark set 1", "'mark' (meta mark) is the packet mark"),
        ("limit rate 10/second", "'limit' is a match term here: put it on the rule's match line"),
        (
            "delete @seen { ip saddr }",
            "'delete' removes an element from a set from the datapath, which is not supported yet"
        ),
    ]

    @Test(arguments: nftOnlyStatements)
    func anNftStatementIsNamedWithItsReason(_ statement: String, _ message: String) throws {
        let error = try #require(singleError(wrapped("rule \"a\" {\n    \(statement)\n    drop\n}\n")))
        #expect(error.code == .notSupported)
        #expect(error.location == at(4, 5))
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test func aCommentAfterTheVerdictIsTheRulesComment() throws {
        let checked = try #require(policy(wrapped("rule \"a\" {\n    match tcp dport 22\n    drop comment \"x\"\n}\n")))
        #expect(checked.rules[0].comment == "x")
        #expect(checked.rules[0].verdict?.kind == .drop)
    }

    @Test func anUnknownVerdictOptionNamesTheVerdictItFollows() throws {
        let error = try #require(singleError(wrapped("rule \"a\" {\n    drop reason\n}\n")))
        #expect(error.location == at(4, 10))
        #expect(
            error.message
                == "unknown verdict option 'reason' after 'drop'; the options are delay, jitter and retries, which "
                + "forward and reflect forward take")
    }

    @Test func aStrayCharacterInAValueIsReportedOnceAndTheLineGoesOn() {
        #expect(
            errorSummary(check(rule(matching: "tcp dport %22 ip saddr 10.0.0.256"))) == [
                "4:21 unexpected-character", "4:34 invalid-value",
            ])
    }

    @Test func aStrayCharacterWhereATermStartsEndsTheLine() {
        #expect(
            errorSummary(check(rule(matching: "%tcp dport 22 ip saddr 10.0.0.256"))) == ["4:11 unexpected-character"])
    }
}
