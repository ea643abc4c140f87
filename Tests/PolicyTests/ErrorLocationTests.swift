import Policy
import Testing

/// One broken policy and the exact error it must give.
struct BrokenCase: CustomTestStringConvertible, Sendable {
    var text: String
    /// `"LINE:COL code"`.
    var error: String
    /// Part of the message.
    var message: String
    var testDescription: String { error + " " + message }
}

@Suite("Every error kind, at its exact place")
struct ErrorLocationTests {
    static let cases: [BrokenCase] = [
        // Lexical.
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport %22; drop }\n"), error: "3:28 unexpected-character",
            message: "unexpected character '%'"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    log prefix \"oops\n    drop\n}\n"), error: "4:16 unterminated-string",
            message: "unterminated string"),
        // Structure.
        BrokenCase(text: "default forward\n", error: "1:1 missing-version", message: "must start with 'version 1'"),
        BrokenCase(
            text: "version 2\ndefault forward\n", error: "1:9 unsupported-version",
            message: "unsupported policy version 2"),
        BrokenCase(
            text: "version 1\ndefault forward\nversion 1\n", error: "3:1 unexpected-token",
            message: "'version' must be the first statement"),
        BrokenCase(text: "version 1\n", error: "1:1 missing-default", message: "no default verdict"),
        BrokenCase(
            text: "version 1\ndefault forward\n\ndefault drop\n", error: "4:1 duplicate-default",
            message: "the first is at t.policy:2:1"),
        BrokenCase(
            text: wrapped("defaults { retries 1; }\ndefaults { retries 2; }\n"), error: "4:1 duplicate-definition",
            message: "'defaults' is given twice; the first is at t.policy:3:1"),
        BrokenCase(
            text: wrapped("rul \"a\" { drop }\n"), error: "3:1 unknown-keyword", message: "did you mean 'rule'?"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    frward\n}\n"), error: "4:5 unknown-keyword",
            message: "unknown statement 'frward'; did you mean 'forward'?"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n}\n"), error: "3:1 missing-verdict",
            message: "rule \"a\" is empty"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    drop\n    log\n}\n"), error: "5:5 statement-after-verdict",
            message: "'log' follows the verdict 'drop' (line 4)"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    forward\n    drop\n}\n"), error: "5:5 statement-after-verdict",
            message: "'drop' follows the verdict 'forward'"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    match tcp dport 22 tcp dport 80\n    drop\n}\n"),
            error: "4:24 duplicate-match", message: "'tcp dport' is already matched on this line (column 11)"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    match tcp dport 22\n    match udp dport 22\n    drop\n}\n"),
            error: "5:5 duplicate-match", message: "one match line"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    comment \"x\"\n    comment \"y\"\n    drop\n}\n"),
            error: "5:5 duplicate-comment", message: "at most one comment"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    log\n    match tcp dport 22\n    drop\n}\n"),
            error: "5:5 unexpected-token",
            message: "the match line must come before the rule's statements"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    match\n    drop\n}\n"), error: "4:5 unexpected-token",
            message: "expected a match term after 'match'"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    drop\n"), error: "3:10 unexpected-token",
            message: "rule \"a\" is missing its closing '}'"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    drop\nrule \"b\" { drop }\n"), error: "3:10 unexpected-token",
            message: "missing its closing '}'"),
        BrokenCase(
            text: wrapped("rule a { drop }\n"), error: "3:6 unexpected-token", message: "rule names are quoted"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 22 drop }\n"), error: "3:31 unknown-field",
            message: "unknown field 'drop'"),
        // Fields.
        BrokenCase(
            text: wrapped("rule \"a\" { match ip dcsp ef; drop }\n"), error: "3:18 unknown-field",
            message: "unknown field 'ip dcsp'; did you mean 'ip dscp'?"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ipv4 saddr 1.2.3.4; drop }\n"), error: "3:18 unknown-field",
            message: "unknown field 'ipv4'"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    tcp flags set syn\n    drop\n}\n"), error: "4:5 not-rewritable",
            message: "'tcp flags' cannot be rewritten"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    ip saddr 10.0.0.1\n    drop\n}\n"), error: "4:5 unexpected-token",
            message: "expected 'set' after 'ip saddr'; matches go on the rule's 'match' line"),
        // Values.
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 65536; drop }\n"), error: "3:28 value-out-of-range",
            message: "value 65536 is out of range for tcp dport (0-65535)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match udp sport 70000; drop }\n"), error: "3:28 value-out-of-range",
            message: "(0-65535)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match vlan id 4096; drop }\n"), error: "3:26 value-out-of-range",
            message: "value 4096 is out of range for vlan id (0-4095)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ip dscp 64; drop }\n"), error: "3:26 value-out-of-range",
            message: "ip dscp (0-63)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 99999999999999999999999999999999999999999; drop }\n"),
            error: "3:28 value-out-of-range", message: "(0-65535)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ip saddr 10.0.0.0/33; drop }\n"), error: "3:27 value-out-of-range",
            message: "prefix length 33 is out of range for ip saddr (0-32)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ip6 saddr ::/129; drop }\n"), error: "3:28 value-out-of-range",
            message: "prefix length 129 is out of range for ip6 saddr (0-128)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ip saddr 2001:db8::/32; drop }\n"), error: "3:27 wrong-value-kind",
            message: "ip saddr takes IPv4 addresses; '2001:db8::/32' is an IPv6 prefix"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 02:00:00:00:00:01; drop }\n"), error: "3:28 wrong-value-kind",
            message: "tcp dport takes numbers; '02:00:00:00:00:01' is a MAC address"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ip saddr 10; drop }\n"), error: "3:27 wrong-value-kind",
            message: "'10' is a number"),
        BrokenCase(
            text: wrapped("rule \"a\" { match iif c; drop }\n"), error: "3:22 wrong-value-kind",
            message: "iif takes a port name, a or b, not 'c'"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ether saddr 10.0.0.1; drop }\n"), error: "3:30 wrong-value-kind",
            message: "ether saddr takes MAC addresses; '10.0.0.1' is an IPv4 address"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 1.5; drop }\n"), error: "3:28 invalid-value",
            message: "tcp dport takes a number, not '1.5'"),
        BrokenCase(
            text: wrapped("rule \"a\" { match ip saddr 10.0.0.256; drop }\n"), error: "3:27 invalid-value",
            message: "'10.0.0.256' is not an IPv4 address"),
        BrokenCase(
            text: wrapped("rule \"a\" { match icmp type echo-reqest; drop }\n"), error: "3:28 invalid-value",
            message: "unknown icmp type value 'echo-reqest' (did you mean 'echo-request'?)"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 2000-1000; drop }\n"), error: "3:28 invalid-value",
            message: "range '2000-1000' is empty"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 1000-70000; drop }\n"), error: "3:28 value-out-of-range",
            message: "value 70000 is out of range"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp flags syn-ack; drop }\n"), error: "3:28 invalid-value",
            message: "tcp flags cannot be a range"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 22|23; drop }\n"), error: "3:28 invalid-value",
            message: "'|' combines tcp flags"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport 10/8; drop }\n"), error: "3:28 wrong-value-kind",
            message: "prefixes are for addresses"),
        BrokenCase(
            text: wrapped("rule \"a\" { match tcp dport {}; drop }\n"), error: "3:28 invalid-value",
            message: "empty set"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    ip saddr set 10.0.0.0/8\n    drop\n}\n"), error: "4:18 invalid-value",
            message: "'ip saddr set' takes a single value; '10.0.0.0/8' is a range or prefix"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    ip saddr set { 10.0.0.1 }\n    drop\n}\n"), error: "4:18 invalid-value",
            message: "'ip saddr set' takes a single value, not a set"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    vlan push 4096\n    forward\n}\n"), error: "4:15 value-out-of-range",
            message: "value 4096 is out of range for vlan id (0-4095)"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    mirror \"a/b\"\n    forward\n}\n"), error: "4:12 invalid-value",
            message: "invalid interface name \"a/b\""),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    mirror \"0123456789abcdef\"\n    forward\n}\n"),
            error: "4:12 invalid-value",
            message: "1 to 15 bytes"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    mirror \"\"\n    forward\n}\n"), error: "4:12 invalid-value",
            message: "invalid interface name"),
        BrokenCase(
            text: wrapped("rule \"a\" {\n    log prefix \"\"\n    forward\n}\n"), error: "4:16 invalid-value",
            message: "a log prefix is 1 to 127 bytes"),
        // Names.
        BrokenCase(
            text: wrapped("rule \"Web\" { drop }\n"), error: "3:6 invalid-name", message: "invalid rule name \"Web\""),
        BrokenCase(
            text: wrapped("rule \"-web\" { drop }\n"), error: "3:6 invalid-name", message: "invalid rule name"),
        BrokenCase(
            text: wrapped("rule \"\(String(repeating: "a", count: 49))\" { drop }\n"), error: "3:6 invalid-name",
            message: "1 to 48"),
        BrokenCase(text: wrapped("rule \"\" { drop }\n"), error: "3:6 invalid-name", message: "invalid rule name"),
        BrokenCase(
            text: wrapped("rule \"web\" { drop }\n\nrule \"web\" { forward }\n"), error: "5:6 duplicate-rule",
            message: "rule \"web\" is already defined at t.policy:3:1"),
        BrokenCase(
            text: wrapped("define 1x = 5\nrule \"a\" { match tcp dport $1x; drop }\n"), error: "3:8 invalid-name",
            message: "invalid name '1x'"),
        // Verdict options.
        BrokenCase(
            text: wrapped("rule \"a\" { drop delay 5ms }\n"), error: "3:17 invalid-option",
            message: "'drop' takes no options"),
        BrokenCase(
            text: wrapped("rule \"a\" { reflect retries 2 }\n"), error: "3:20 invalid-option",
            message: "'reflect' takes no options; 'reflect forward' takes delay, jitter and retries"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward jitter 5ms }\n"), error: "3:20 invalid-option",
            message: "jitter needs a delay"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward delay 5ms jitter 6ms }\n"), error: "3:30 value-out-of-range",
            message: "jitter 6ms is larger than delay 5ms"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward delay 10001ms }\n"), error: "3:26 value-out-of-range",
            message: "delay 10001ms is out of range (at most 10s)"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward retries 101 }\n"), error: "3:28 value-out-of-range",
            message: "retries 101 is out of range (0-100)"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward delay 5 }\n"), error: "3:26 invalid-value",
            message: "'5' is not a duration; write it with a unit"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward delay 1.0000001ms }\n"), error: "3:26 invalid-value",
            message: "finer than a nanosecond"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward retries 2 retries 3 }\n"), error: "3:30 invalid-option",
            message: "'retries' is given twice"),
        BrokenCase(
            text: wrapped("rule \"a\" { forward fast }\n"), error: "3:20 invalid-option",
            message: "unknown verdict option 'fast'"),
        BrokenCase(
            text: wrapped("defaults { jitter 1ms; }\n"), error: "3:12 invalid-option",
            message: "jitter needs a delay"),
        BrokenCase(
            text: wrapped("defaults { delay 1ms; jitter 2ms; }\n"), error: "3:23 value-out-of-range",
            message: "jitter 2ms is larger than delay 1ms"),
        BrokenCase(
            text: wrapped("defaults { delay 10ms; jitter 2ms; }\nrule \"a\" { forward delay 1ms }\n"),
            error: "4:20 value-out-of-range", message: "jitter 2ms (from defaults) is larger than delay 1ms"),
        BrokenCase(
            text: wrapped("defaults { retrys 2; }\n"), error: "3:12 unknown-keyword",
            message:
                "unknown option 'retrys' in defaults; expected delay, jitter, retries, flow-timeout, flow-pickup, "
                + "flows-full, answer-rate or meter-size; did you mean 'retries'?"),
        BrokenCase(
            text: "version 1\ndefault forward retries 2\n", error: "2:17 invalid-option",
            message: "'default' takes no options"),
        // bpf.
        BrokenCase(
            text: wrapped("rule \"a\" { match bpf \"\"; drop }\n"), error: "3:22 bad-bpf",
            message: "empty bpf expression"
        ),
    ]

    @Test func emptyFileLacksVersionAndDefault() {
        #expect(errorSummary(check("# nothing here\n")) == ["1:1 missing-version", "1:1 missing-default"])
    }

    @Test func misspeltVersionIsOneError() {
        let result = check("verison 1\ndefault forward\n")
        #expect(errorSummary(result) == ["1:1 unknown-keyword"])
        #expect(result.errors.first?.message.hasSuffix("did you mean 'version'?") == true)
    }

    @Test(arguments: cases)
    func reportsExactlyThisError(_ broken: BrokenCase) throws {
        let result = check(broken.text)
        #expect(result.policy == nil)
        #expect(errorSummary(result) == [broken.error])
        let message = try #require(result.errors.first?.message)
        #expect(message.contains(broken.message), "\(message)")
        #expect(result.errors.first?.location?.file == "t.policy")
    }
}
