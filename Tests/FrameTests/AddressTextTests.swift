import Frame
import Testing

@Suite struct AddressTextTests {
    @Test func ipv4RoundTrip() {
        #expect(AddressText.parseIPv4("198.18.0.1") == 0xC612_0001)
        #expect(AddressText.parseIPv4("256.1.1.1") == nil)
        #expect(AddressText.parseIPv4("1.2.3") == nil)
        #expect(AddressText.formatIPv4(0xC612_0001) == "198.18.0.1")
    }

    @Test func ipv6RoundTrip() {
        #expect(AddressText.parseIPv6("2001:db8::1") == 0x2001_0db8_0000_0000_0000_0000_0000_0001)
        #expect(AddressText.parseIPv6("::") == 0)
        #expect(AddressText.parseIPv6("::1") == 1)
        #expect(AddressText.parseIPv6("fe80::") == 0xfe80 << 112)
        #expect(AddressText.parseIPv6("::ffff:198.18.0.1") == 0xffff_c612_0001)
        #expect(AddressText.parseIPv6("1:2:3:4:5:6:7:8:9") == nil)
        #expect(AddressText.parseIPv6("1::2::3") == nil)
        #expect(AddressText.formatIPv6(0x2001_0db8_0000_0000_0000_0000_0000_0001) == "2001:db8::1")
        #expect(AddressText.formatIPv6(0) == "::")
        #expect(AddressText.formatIPv6(0x2001_0db8_0000_0001_0000_0000_0000_0001) == "2001:db8:0:1::1")
    }

    @Test func macRoundTrip() {
        #expect(AddressText.parseMAC("02:00:00:00:09:09") == 0x02_00_00_00_09_09)
        #expect(AddressText.parseMAC("02:00:00:00:09") == nil)
        #expect(AddressText.formatMAC(0x02_00_00_00_09_09) == "02:00:00:00:09:09")
    }
}
