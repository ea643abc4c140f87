import Testing

@testable import Policy

@Suite("Values at the edges")
struct ValueTests {
    private func interval(_ text: String, _ field: Field) -> ValueInterval? {
        try? LiteralParser.interval(text[...], for: field).get()
    }

    private func errorCode(_ text: String, _ field: Field) -> DiagnosticCode? {
        if case .failure(let error) = LiteralParser.interval(text[...], for: field) { return error.code }
        return nil
    }

    @Test func portsAndWidths() {
        #expect(interval("65535", .tcpDport) == ValueInterval(65535))
        #expect(errorCode("65536", .tcpDport) == .valueOutOfRange)
        #expect(interval("0", .udpSport) == ValueInterval(0))
        #expect(interval("0xffff", .udpSport) == ValueInterval(65535))
        #expect(errorCode("0x10000", .udpSport) == .valueOutOfRange)
        #expect(interval("4095", .vlanID) == ValueInterval(4095))
        #expect(errorCode("4096", .vlanID) == .valueOutOfRange)
        #expect(interval("7", .vlanPCP) == ValueInterval(7))
        #expect(errorCode("8", .vlanPCP) == .valueOutOfRange)
        #expect(interval("63", .ipDSCP) == ValueInterval(63))
        #expect(errorCode("64", .ip6DSCP) == .valueOutOfRange)
        #expect(interval("3", .ipECN) == ValueInterval(3))
        #expect(errorCode("4", .ipECN) == .valueOutOfRange)
        #expect(interval("255", .ipTTL) == ValueInterval(255))
        #expect(errorCode("256", .ip6Hoplimit) == .valueOutOfRange)
        #expect(interval("65535", .metaLength) == ValueInterval(65535))
        #expect(interval("0-65535", .tcpSport) == ValueInterval(lo: 0, hi: 65535))
        #expect(errorCode("0x", .tcpSport) == .invalidValue)
    }

    @Test func ipv4Prefixes() {
        #expect(interval("0.0.0.0/0", .ipSaddr) == ValueInterval(lo: 0, hi: 0xFFFF_FFFF))
        #expect(interval("198.18.0.1/32", .ipSaddr) == ValueInterval(0xC612_0001))
        #expect(interval("198.18.0.0/15", .ipDaddr) == ValueInterval(lo: 0xC612_0000, hi: 0xC613_FFFF))
        // Host bits are ignored, as in nft.
        #expect(interval("10.1.2.3/8", .ipSaddr) == ValueInterval(lo: 0x0A00_0000, hi: 0x0AFF_FFFF))
        #expect(errorCode("10.0.0.0/33", .ipSaddr) == .valueOutOfRange)
        #expect(errorCode("10.0.0.0/-1", .ipSaddr) == .invalidValue)
        #expect(errorCode("10.0.0.0/", .ipSaddr) == .invalidValue)
        #expect(errorCode("10.0.0.0/0x8", .ipSaddr) == .invalidValue)
        #expect(interval("10.0.0.1-10.0.0.9", .ipSaddr) == ValueInterval(lo: 0x0A00_0001, hi: 0x0A00_0009))
    }

    @Test func ipv6Prefixes() {
        #expect(interval("::/0", .ip6Saddr) == ValueInterval(lo: 0, hi: UInt128.max))
        let one: UInt128 = 0x2001_0db8 << 96 | 1
        #expect(interval("2001:db8::1/128", .ip6Daddr) == ValueInterval(one))
        #expect(interval("2001:db8::/32", .ip6Daddr)?.prefixLength(bitWidth: 128) == 32)
        #expect(errorCode("2001:db8::/129", .ip6Daddr) == .valueOutOfRange)
        #expect(interval("2001:db8::1-2001:db8::9", .ip6Saddr) == ValueInterval(lo: one, hi: one + 8))
        #expect(errorCode("10.0.0.0/8", .ip6Saddr) == .wrongValueKind)
        #expect(errorCode("2001:db8::/32", .ipSaddr) == .wrongValueKind)
    }

    @Test func macValues() {
        #expect(interval("02:00:00:00:09:09", .etherSaddr) == ValueInterval(0x02_00_00_00_09_09))
        #expect(interval("02-00-00-00-09-09", .etherSaddr) == ValueInterval(0x02_00_00_00_09_09))
        #expect(
            interval("02:00:00:00:00:00/24", .etherDaddr)
                == ValueInterval(lo: 0x02_00_00 << 24, hi: 0x02_00_00 << 24 | 0xFF_FFFF))
        #expect(
            interval("02:00:00:00:00:01-02:00:00:00:00:09", .etherDaddr)
                == ValueInterval(lo: 0x02_00_00_00_00_01, hi: 0x02_00_00_00_00_09))
        #expect(errorCode("80", .etherSaddr) == .wrongValueKind)
        #expect(errorCode("02:00:00:00:00:01", .tcpDport) == .wrongValueKind)
        #expect(errorCode("02:00:00:00:00:01", .iif) == .wrongValueKind)
    }

    @Test func namedValuesAndNumbersAgree() {
        for field in Field.allCases where field.valueKind == .integer {
            for (name, value) in field.valueNames {
                #expect(interval(name, field) == ValueInterval(value), "\(field.rawValue) \(name)")
                #expect(value <= field.maxValue)
            }
        }
        #expect(interval("be", .ipDSCP) == interval("cs0", .ipDSCP))
        #expect(interval("va", .ipDSCP) == ValueInterval(44))
        #expect(interval("af11", .ipDSCP) == ValueInterval(10))
        #expect(interval("cs7", .ip6DSCP) == ValueInterval(56))
        #expect(interval("ipv6-icmp", .ip6Nexthdr) == ValueInterval(58))
        #expect(interval("ip6", .etherType) == ValueInterval(0x86dd))
        #expect(interval("echo-request", .icmpv6Type) == ValueInterval(128))
        #expect(interval("echo-request", .icmpType) == ValueInterval(8))
        #expect(interval("echo-reply-echo-request", .icmpType) == ValueInterval(lo: 0, hi: 8))
        #expect(interval("not-ect", .ipECN) == ValueInterval(0))
        #expect(interval("nak", .arpOperation) == ValueInterval(10))
        #expect(errorCode("ef", .ipTTL) == .invalidValue)
        #expect(errorCode("tcp", .etherType) == .invalidValue)
    }

    @Test func flagsCombine() throws {
        #expect(try LiteralParser.flags(["syn", "ack"], for: .tcpFlags).get() == 0x12)
        #expect(try LiteralParser.flags(["fin", "0x80"], for: .tcpFlags).get() == 0x81)
        #expect((try? LiteralParser.flags(["syn", "bogus"], for: .tcpFlags).get()) == nil)
        #expect((try? LiteralParser.flags(["1", "2"], for: .tcpDport).get()) == nil)
    }

    @Test func durations() {
        #expect(DurationText.parse("25ms") == 25_000_000)
        #expect(DurationText.parse("1.5ms") == 1_500_000)
        #expect(DurationText.parse("100us") == 100_000)
        #expect(DurationText.parse("1s") == 1_000_000_000)
        #expect(DurationText.parse("0.000000001s") == 1)
        #expect(DurationText.parse("0ms") == 0)
        #expect(DurationText.parse("1.0us") == 1_000)
        #expect(DurationText.parseChecked("1.0005us") == .failure(.finerThanNanosecond))
        #expect(DurationText.parseChecked("99999999999999999999s") == .failure(.tooLarge))
        #expect(DurationText.parse("5") == nil)
        #expect(DurationText.parse("ms") == nil)
        #expect(DurationText.parse("1.ms") == nil)
        #expect(DurationText.parse(".5ms") == nil)
        #expect(DurationText.parse("5m") == 300_000_000_000)
        #expect(DurationText.parse("2h") == 7_200_000_000_000)
        #expect(DurationText.parse("5d") == 432_000_000_000_000)
        #expect(DurationText.format(7_200_000_000_000) == "2h")
        #expect(DurationText.format(90_000_000_000) == "90s")
        #expect(DurationText.parse("5ns") == nil)
        #expect(DurationText.format(25_000_000) == "25ms")
        #expect(DurationText.format(1_500_000) == "1.5ms")
        #expect(DurationText.format(100_000) == "100us")
        #expect(DurationText.format(2_000_000_000) == "2s")
        #expect(DurationText.format(500) == "0.5us")
        #expect(DurationText.format(0) == "0us")
    }

    @Test func formatWritesValuesBack() {
        #expect(Field.ipSaddr.format(ValueInterval(lo: 0x0A00_0000, hi: 0x0AFF_FFFF)) == "10.0.0.0/8")
        #expect(Field.ipSaddr.format(ValueInterval(lo: 0x0A00_0001, hi: 0x0A00_0009)) == "10.0.0.1-10.0.0.9")
        #expect(Field.ip6Saddr.format(ValueInterval(lo: 0, hi: UInt128.max)) == "::/0")
        #expect(Field.tcpDport.format(ValueInterval(lo: 1000, hi: 2000)) == "1000-2000")
        #expect(Field.ipDSCP.format(46) == "ef")
        #expect(Field.ipDSCP.format(0) == "cs0")
        #expect(Field.tcpFlags.format(0x12) == "syn|ack")
        #expect(Field.metaL4proto.format(58) == "icmpv6")
        #expect(Field.iif.format(1) == "b")
        #expect(Field.iif.format(UInt128.max) == "\(UInt128.max)")
        #expect(Field.etherSaddr.format(0x02_00_00_00_09_09) == "02:00:00:00:09:09")
        #expect(Field(name: "ip6 hoplimit") == .ip6Hoplimit)
        #expect(Field(name: "ip hoplimit") == nil)
    }

    @Test func wrongKindMessagesNameWhatTheValueLooksLike() {
        func message(_ text: String, _ field: Field) -> String? {
            if case .failure(let error) = LiteralParser.interval(text[...], for: field) { return error.message }
            return nil
        }
        #expect(
            message("10.0.0.1-10.0.0.9", .ip6Saddr)
                == "ip6 saddr takes IPv6 addresses; '10.0.0.1-10.0.0.9' is an IPv4 range")
        #expect(message("25ms", .tcpDport) == "tcp dport takes numbers; '25ms' is a duration")
        #expect(message("::1", .ipSaddr) == "ip saddr takes IPv4 addresses; '::1' is an IPv6 address")
    }
}
