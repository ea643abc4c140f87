import Policy
import Testing

/// `define X = "string"`, used where a quoted string goes (issue 17 part B, item 2).
@Suite("String defines")
struct StringDefineTests {
    @Test func aStringDefineStandsForTheStringWhereOneGoes() throws {
        let text = wrapped(
            """
            define PREFIX = "bk: "
            define NOTE = "from the lab"
            define TAP = "mon0"
            define ALIAS = $PREFIX
            define SERVICES = { 22, 80 }
            rule "a" {
                comment $NOTE
                match tcp dport $SERVICES
                log prefix $ALIAS
                mirror $TAP
                forward
            }
            """)
        let result = check(text)
        let rule = try #require(result.policy?.rules.first)
        #expect(rule.comment == "from the lab")
        #expect(rule.statements.map(\.kind) == [.log(prefix: "bk: "), .mirror(interface: "mon0")])
        #expect(fieldMatches(rule)[0].values == [ValueInterval(22), ValueInterval(80)])
        #expect(result.warnings.isEmpty)
    }

    @Test func aPcapFileNameFromADefineIsRelativeToThePolicy() throws {
        let text = wrapped("define DUMP = \"dump.pcap\"\nrule \"a\" {\n    pcap $DUMP\n    forward\n}\n")
        let rule = try #require(policy(text, path: "/etc/bk/t.policy")?.rules.first)
        #expect(rule.statements.map(\.kind) == [.pcap(path: "/etc/bk/dump.pcap")])
    }

    @Test func aDefineHoldingANumberIsNotAString() throws {
        let error = try #require(
            singleError(wrapped("define PORT = 22\nrule \"a\" {\n    log prefix $PORT\n    forward\n}\n")))
        #expect(error.code == .wrongValueKind)
        #expect(error.location == at(5, 16))
        #expect(error.message == "a log prefix takes a quoted string, but $PORT (defined at t.policy:3:1) holds 22")
    }

    @Test func aStringIsNotAValueOfAField() throws {
        let error = try #require(
            singleError(wrapped("define TAP = \"eth0\"\nrule \"a\" {\n    match tcp dport $TAP\n    drop\n}\n")))
        #expect(error.code == .wrongValueKind)
        #expect(error.location == at(5, 21))
        #expect(error.message == "tcp dport takes numbers, not a quoted string (from $TAP, defined at t.policy:3:1)")
    }

    @Test func aStringFromADefineIsCheckedAtItsUse() throws {
        let long = String(repeating: "x", count: 128)
        let error = try #require(
            singleError(wrapped("define P = \"\(long)\"\nrule \"a\" {\n    log prefix $P\n    forward\n}\n")))
        #expect(error.location == at(5, 16))
        #expect(error.message == "a log prefix is 1 to 127 bytes of printable text")
    }

    @Test func anUndefinedStringDefineIsNamed() {
        #expect(
            errorSummary(check(wrapped("rule \"a\" {\n    comment $NOTE\n    mirror $TAP\n    forward\n}\n"))) == [
                "4:13 undefined-define", "5:12 undefined-define",
            ])
    }

    @Test func aStringDefineUsedNowhereIsWarnedAbout() {
        #expect(
            warningSummary(check(wrapped("define NOTE = \"x\"\nrule \"a\" { forward }\n"))) == ["3:8 unused-define"])
    }
}
