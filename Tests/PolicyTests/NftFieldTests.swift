import Testing

@testable import Policy

/// nft's match fields a ported ruleset uses: interface names, `meta nfproto`, `meta pkttype`,
/// the ether type names, `th` ports, service names, masked `tcp flags` and `log` options.
@Suite struct NftFieldTests {
    static let ports = PortInterfaces(a: "lan0", b: "wan0")

    /// The one rule's field matches, with the bridge's ports known.
    private func matches(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [FieldMatch] {
        let result = PolicyReader.parse(
            text: wrapped("rule \"r\" {\n    match \(line)\n    drop\n}\n"), path: "t.policy", ports: Self.ports)
        guard let policy = result.policy else {
            Issue.record(
                Comment(rawValue: result.diagnostics.map(\.rendered).joined(separator: "\n")),
                sourceLocation: sourceLocation)
            return []
        }
        return policy.rules[0].match.compactMap { if case .field(let match) = $0 { match } else { nil } }
    }

    /// The errors of a one-rule policy whose match line is `line` (line 4, the line at column 11).
    private func errors(_ line: String, ports: PortInterfaces? = NftFieldTests.ports) -> [String] {
        let result = PolicyReader.parse(
            text: wrapped("rule \"r\" {\n    match \(line)\n    drop\n}\n"), path: "t.policy", ports: ports)
        return result.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
    }

    private func has(_ values: [ValueInterval], _ value: UInt128) -> Bool {
        values.contains { $0.lo <= value && value <= $0.hi }
    }

    // MARK: iifname and oifname

    @Test func interfaceNamesAreThePortsTheyName() {
        #expect(matches(#"iifname "lan0""#).map(\.values) == [[ValueInterval(0)]])
        #expect(matches(#"meta iifname "wan0""#).map(\.values) == [[ValueInterval(1)]])
        // A frame leaves by wan0 exactly when it arrived on lan0.
        #expect(matches(#"oifname "wan0""#).map(\.values) == [[ValueInterval(0)]])
        #expect(matches(#"meta oifname != "wan0""#).map(\.negated) == [true])
        #expect(matches(#"iifname { "lan0", "wan0" }"#).map(\.values) == [[ValueInterval(0), ValueInterval(1)]])
        #expect(matches(#"iifname "lan*""#).map(\.values) == [[ValueInterval(0)]])
        #expect(matches("iifname wan0").map(\.field) == [.iif])
        #expect(matches(#"iifname "lan0" oifname "wan0""#).count == 2)
    }

    @Test func aNameThatIsNeitherPortIsAnErrorAtIt() {
        #expect(
            errors(#"iifname { "lan0", "eth7" }"#) == [
                #"4:29 iifname "eth7" is neither port of the bridge: port a is "lan0", port b is "wan0""#
            ])
        #expect(
            errors(#"oifname "x*""#) == [
                #"4:19 oifname "x*" is neither port of the bridge: port a is "lan0", port b is "wan0""#
            ])
    }

    @Test func withoutThePortsAnInterfaceNameIsUnresolved() {
        #expect(
            errors(#"iifname "lan0""#, ports: nil) == [
                "4:19 iifname \"lan0\" names an interface, and the bridge's ports are not known here: check with "
                    + "--port-a NAME --port-b NAME (run resolves it against its own --port-a and --port-b), or write "
                    + "iif a or iif b"
            ])
    }

    @Test func interfaceNamesAreForMatchLinesOnly() {
        let result = PolicyReader.parse(
            text: wrapped("test \"t\" {\n    packet iifname \"lan0\" tcp dport 22\n    expect forward\n}\n"),
            path: "t.policy", ports: Self.ports)
        #expect(
            result.errors.map { "\($0.location!.line):\($0.location!.column) \($0.message)" } == [
                "4:12 'iifname' is only for a rule's match line; here write iif a or iif b"
            ])
    }

    @Test func quotesAreForInterfaceNamesOnly() {
        #expect(
            errors(#"ip saddr "198.18.0.1""#) == [
                #"4:20 "198.18.0.1" is quoted; only interface names are (iifname "lan0"): write the value without quotes"#
            ])
    }

    // MARK: meta nfproto, meta pkttype, ether type

    @Test func nfprotoIsTheEtherType() {
        #expect(matches("meta nfproto ipv4").map(\.values) == [[ValueInterval(0x0800)]])
        #expect(
            matches("meta nfproto { ipv4, ipv6 }").map(\.values) == [[ValueInterval(0x0800), ValueInterval(0x86dd)]])
        #expect(matches("meta nfproto ipv6").map(\.field) == [.etherType])
        #expect(
            errors("meta nfproto arp") == [
                "4:24 unknown meta nfproto value 'arp'; on a bridge it is ipv4 or ipv6 (ether type ip or ip6)"
            ])
    }

    @Test func pkttypeComesFromTheDestinationMAC() throws {
        let broadcast = try #require(matches("meta pkttype broadcast").first)
        #expect(broadcast.field == .etherDaddr && broadcast.values == [ValueInterval(0xffff_ffff_ffff)])
        let multicast = try #require(matches("meta pkttype multicast").first).values
        let unicast = try #require(matches("meta pkttype unicast").first).values
        #expect(has(multicast, 0x0100_5e00_0001) && has(multicast, 0x3333_0000_0001))
        #expect(!has(multicast, 0xffff_ffff_ffff) && !has(multicast, 0x0200_0000_0001))
        #expect(has(unicast, 0x0200_0000_0001) && has(unicast, 0xfe00_0000_0000) && has(unicast, 0xfeff_ffff_ffff))
        #expect(!has(unicast, 0x0100_5e00_0001) && !has(unicast, 0xffff_ffff_ffff))
        #expect(!IntervalSet(unicast).intersects(IntervalSet(multicast)))
        // host and other are unicast: the bridge has no address of its own.
        #expect(matches("meta pkttype host").first?.values == matches("meta pkttype unicast").first?.values)
        #expect(matches("meta pkttype != { broadcast, multicast }").first?.negated == true)
        #expect(
            errors("meta pkttype brodcast") == [
                "4:24 unknown meta pkttype value 'brodcast' (did you mean 'broadcast'?); it is unicast (also host and "
                    + "other), broadcast or multicast"
            ])
    }

    @Test func etherTypeNames() {
        #expect(
            matches("ether type { 8021q, 8021ad, vlan, arp, ip, ip6 }").first?.values.map(\.lo) == [
                0x8100, 0x88a8, 0x8100, 0x0806, 0x0800, 0x86dd,
            ])
    }

    // MARK: th ports and service names

    @Test func thPortsAndServiceNames() {
        #expect(matches("th dport 53").map(\.field) == [.thDport])
        #expect(matches("th sport { domain, ntp }").first?.values == [ValueInterval(53), ValueInterval(123)])
        #expect(
            matches("tcp dport { ssh, http, https, microsoft-ds, rdp }").first?.values.map(\.lo) == [
                22, 80, 443, 445, 3389,
            ])
        #expect(matches("udp dport bootps-bootpc").first?.values == [ValueInterval(lo: 67, hi: 68)])
        #expect(
            matches("udp sport { snmp, syslog, mdns, netbios-ns }").first?.values.map(\.lo) == [161, 514, 5353, 137])
        #expect(
            errors("tcp dport htps") == [
                "4:21 unknown service name 'htps' (did you mean 'https'?); tcp dport takes a port number or a service "
                    + "name such as ssh, domain, http or https"
            ])
        // Ports are still written back as numbers.
        #expect(Field.tcpDport.format(22) == "22")
    }

    // MARK: masked tcp flags

    @Test func maskedFlagsHoldForTheFlagsBytesTheyDescribe() throws {
        let syn = try #require(matches("tcp flags & (fin|syn|rst|ack) == syn").first)
        #expect(syn.masked == MaskedMatch(mask: 0x17, value: 0x02, notEqual: false) && !syn.negated)
        #expect(has(syn.values, 0x02) && has(syn.values, 0x0a) && has(syn.values, 0xc2))
        #expect(!has(syn.values, 0x12) && !has(syn.values, 0x03) && !has(syn.values, 0x00))
        // nft 1.0's VALUE / MASK is the same comparison.
        #expect(matches("tcp flags syn / fin,syn,rst,ack").first == syn)
        let any = try #require(matches("tcp flags & (syn | ack) != 0").first)
        #expect(any.masked == MaskedMatch(mask: 0x12, value: 0, notEqual: true) && !any.negated)
        #expect(has(any.values, 0x10) && has(any.values, 0x12) && !has(any.values, 0x01) && !has(any.values, 0))
        #expect(matches("tcp flags & syn == syn").first?.masked == MaskedMatch(mask: 2, value: 2, notEqual: false))
        #expect(
            matches("tcp flags syn,ack / syn,ack").first?.masked
                == MaskedMatch(mask: 0x12, value: 0x12, notEqual: false))
    }

    @Test func maskedFlagsErrors() {
        #expect(
            errors("tcp flags & (syn|ack) == fin") == [
                "4:36 tcp flags & syn|ack == fin compares bits the mask clears (fin): it is never true"
            ])
        #expect(errors("ip ttl & 1 == 1") == ["4:11 a mask ('&' or '/') applies to tcp flags only, not to ip ttl"])
        #expect(
            errors("tcp flags & (syn|ack) syn") == [
                "4:33 expected '==' or '!=' after 'tcp flags & syn|ack', found 'syn', as in tcp flags & (syn|ack) == syn"
            ])
        #expect(errors("tcp flags & (syn|ack == syn") == ["4:23 expected ')' to close the mask opened here"])
        #expect(
            errors("tcp flags & (bogus) == syn").first?.hasPrefix("4:24 unknown tcp flags value 'bogus'") == true)
    }

    // MARK: log

    @Test func logTakesNftsLevelAndFlags() throws {
        let result = PolicyReader.parse(
            text: wrapped(
                """
                rule "r" {
                    match tcp dport 22
                    log prefix "ssh " level warn flags all
                    log flags tcp sequence,options level debug
                    log level info flags ip options,skuid
                    log
                    drop
                }
                """), path: "t.policy")
        let rule = try #require(result.policy?.rules.first, "\(result.diagnostics.map(\.rendered))")
        #expect(
            rule.statements.map(\.kind) == [
                .log(prefix: "ssh ", level: .warn), .log(prefix: nil, level: .debug), .log(prefix: nil, level: .info),
                .log(prefix: nil, level: nil),
            ])
    }

    @Test func logOptionErrors() {
        func logErrors(_ statement: String) -> [String] {
            let result = PolicyReader.parse(
                text: wrapped("rule \"r\" {\n    \(statement)\n    drop\n}\n"), path: "t.policy")
            return result.errors.map { "\($0.location!.line):\($0.location!.column) \($0.message)" }
        }
        #expect(
            logErrors("log level loud") == [
                "4:15 expected a log level after 'level': emerg, alert, crit, err, warn, notice, info, debug"
            ])
        #expect(
            logErrors("log group 2") == [
                "4:9 unknown log option 'group'; log takes prefix \"TEXT\", level LEVEL and flags FLAGS; Bridgekeeper "
                    + "writes log lines to its own log, there is no NFLOG group"
            ])
        #expect(
            logErrors("log flags tcp window") == [
                "4:19 expected sequence or options after 'tcp'; log flags are all, ether, skuid, tcp sequence, tcp "
                    + "options and ip options"
            ])
        #expect(logErrors("log level warn level info") == ["4:20 'level' is given twice in this log statement"])
    }
}
