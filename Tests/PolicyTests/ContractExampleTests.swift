import Policy
import Testing

@Suite("The example of policy-language.md")
struct ContractExampleTests {
    static let edge = """
        # policies/edge.policy
        version 1
        include "sets.d/*.policy"                 # glob relative to this file, sorted; no match is fine

        define LAN   = 10.20.0.0/16               # macro, used as $LAN
        define SINK  = 10.20.9.9
        set blocked  = { 192.0.2.0/24, 198.51.100.0/24 }     # named set, used as @blocked
        set voip     = { 5060, 10000-20000 }

        default forward                           # required, exactly once: forward | drop
        defaults { retries 2; }                   # optional defaults for verdict options

        rule "reflect-non-l4" {                   # ARP, ICMP, LLDP, STP ... go to the host stack
            match meta l4proto != { tcp, udp }
            reflect
        }
        rule "drop-blocklist" {
            comment "upstream abuse feed"
            match ip saddr @blocked
            log prefix "blk"
            drop
        }
        rule "no-telnet" {
            match tcp dport 23
            drop
        }
        rule "voip-mark" {
            match ip saddr $LAN udp dport @voip
            ip dscp set ef
            forward retries 5
        }
        rule "redirect-dns" {
            match iif a ip saddr $LAN udp dport 53 vlan id 10
            vlan id set 20
            ether daddr set 02:00:00:00:09:09
            ip daddr set $SINK
            pcap "captures/dns.pcap"
            forward delay 25ms jitter 5ms
        }
        rule "web-alt" {
            match bpf "tcp dst port 8080 and dst net 10.20.5.0/24"     # pcap-filter escape hatch
            tcp dport set 80
            forward
        }

        test "telnet is dropped" {
            packet iif a ip saddr 10.20.1.1 ip daddr 10.30.0.1 tcp dport 23
            expect drop by "no-telnet"
        }
        test "sip gets EF" {
            packet iif a ip saddr 10.20.1.1 udp dport 5060
            expect forward by "voip-mark" with ip dscp ef
        }

        """

    @Test func parsesWithItsIncludeFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write("policies/edge.policy", Self.edge)
        let extra = try folder.write(
            "policies/sets.d/10-extra.policy",
            "version 1\nset extra = { 203.0.113.0/24 }\nrule \"extra\" { match ip saddr @extra; drop }\n")
        let result = PolicyReader.read(path: main)
        #expect(result.errors.isEmpty, "\(result.diagnostics.map(\.rendered))")
        #expect(result.warnings.isEmpty, "\(result.diagnostics.map(\.rendered))")
        let checked = try #require(result.policy)

        #expect(checked.sources.map(\.path) == [main, extra])
        #expect(checked.defaultVerdict == .forward)
        #expect(checked.defaultLocation == PolicyLocation(file: main, line: 10, column: 1))
        #expect(checked.defaults == VerdictOptions(retries: 2))
        #expect(checked.sets.map(\.name) == ["extra", "blocked", "voip"])
        #expect(checked.sets.map(\.valueKind) == [.ipv4, .ipv4, .integer])
        #expect(
            checked.rules.map(\.name) == [
                "extra", "reflect-non-l4", "drop-blocklist", "no-telnet", "voip-mark", "redirect-dns", "web-alt",
            ])
        let rules = Dictionary(uniqueKeysWithValues: checked.rules.map { ($0.name, $0) })

        let reflect = try #require(rules["reflect-non-l4"])
        #expect(
            reflect.match == [
                .field(
                    FieldMatch(
                        field: .metaL4proto, negated: true, values: [ValueInterval(6), ValueInterval(17)],
                        location: PolicyLocation(file: main, line: 14, column: 11)))
            ])
        #expect(reflect.verdict?.kind == .reflect)

        let blocklist = try #require(rules["drop-blocklist"])
        #expect(blocklist.comment == "upstream abuse feed")
        #expect(fieldMatches(blocklist).first?.setName == "blocked")
        #expect(
            fieldMatches(blocklist).first?.values == [
                ValueInterval(lo: 0xC000_0200, hi: 0xC000_02FF), ValueInterval(lo: 0xC633_6400, hi: 0xC633_64FF),
            ])
        #expect(blocklist.statements.map(\.kind) == [.log(prefix: "blk")])

        let voip = try #require(rules["voip-mark"])
        #expect(
            fieldMatches(voip).map(\.values) == [
                [ValueInterval(lo: 0x0A14_0000, hi: 0x0A14_FFFF)],
                [ValueInterval(5060), ValueInterval(lo: 10000, hi: 20000)],
            ])
        #expect(voip.statements.map(\.kind) == [.set(.ipDSCP, 46)])
        #expect(voip.verdict?.options == VerdictOptions(retries: 5))

        let dns = try #require(rules["redirect-dns"])
        #expect(fieldMatches(dns).map(\.field) == [.iif, .ipSaddr, .udpDport, .vlanID])
        #expect(
            dns.statements.map(\.kind) == [
                .set(.vlanID, 20), .set(.etherDaddr, 0x02_00_00_00_09_09), .set(.ipDaddr, 0x0A14_0909),
                .pcap(path: folder.path + "/policies/captures/dns.pcap"),
            ])
        #expect(dns.verdict?.options == VerdictOptions(delay: 25_000_000, jitter: 5_000_000))

        let web = try #require(rules["web-alt"])
        guard case .bpf(let bpf) = web.match.first else {
            Issue.record("web-alt should match with bpf")
            return
        }
        #expect(bpf.expression == "tcp dst port 8080 and dst net 10.20.5.0/24")
        #expect(bpf.program.count > 4)
        #expect(web.statements.map(\.kind) == [.set(.tcpDport, 80)])

        #expect(checked.tests.map(\.name) == ["telnet is dropped", "sip gets EF"])
        #expect(checked.tests[0].expectation.rule == "no-telnet")
        #expect(checked.tests[1].expectation.fields.map(\.value) == [46])
    }

    @Test func parsesWithoutItsIncludeFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let result = PolicyReader.parse(text: Self.edge, path: folder.path + "/edge.policy")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.rendered))")
        #expect(result.policy?.rules.count == 6)
    }
}
