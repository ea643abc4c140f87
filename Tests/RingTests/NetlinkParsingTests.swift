import TestSupport
import Testing

@testable import Ring

@Suite("Netlink link messages")
struct NetlinkParsingTests {
    /// An RTM_NEWLINK/RTM_DELLINK message with IFLA_IFNAME and IFLA_MTU.
    private func linkMessage(type: UInt16, index: Int32, flags: UInt32, name: String, mtu: UInt32) -> [UInt8] {
        func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        var nameBytes = Array(name.utf8) + [0]
        let nameAttribute = le16(UInt16(4 + nameBytes.count)) + le16(3)
        while nameBytes.count % 4 != 0 { nameBytes.append(0) }
        let body =
            [0, 0] + le16(1) + le32(UInt32(bitPattern: index)) + le32(flags) + le32(0)
            + nameAttribute + nameBytes + le16(8) + le16(4) + le32(mtu)
        return le32(UInt32(16 + body.count)) + le16(type) + le16(0) + le32(0) + le32(0) + body
    }

    @Test("RTM_NEWLINK and RTM_DELLINK parse into states; junk after them is ignored")
    func parse() {
        let up = linkMessage(type: 16, index: 7, flags: 1 | 0x40 | 0x10000, name: "port-a", mtu: 9000)
        let gone = linkMessage(type: 17, index: 7, flags: 0, name: "port-a", mtu: 9000)
        let bytes = up + gone + [0xff, 0xff, 0xff]
        let messages = bytes.withUnsafeBytes { NetlinkLinkMessages.parse($0) }
        #expect(
            messages == [
                .link(
                    LinkState(index: 7, name: "port-a", isUp: true, isRunning: true, hasCarrier: true, mtu: 9000),
                    deleted: false),
                .link(
                    LinkState(index: 7, name: "port-a", isUp: false, isRunning: false, hasCarrier: false, mtu: 9000),
                    deleted: true),
            ])
    }

    @Test("a message that claims more bytes than there are is not parsed")
    func truncated() {
        var message = linkMessage(type: 16, index: 1, flags: 1, name: "x", mtu: 1500)
        message.removeLast(6)
        #expect(message.withUnsafeBytes { NetlinkLinkMessages.parse($0) }.isEmpty)
    }
}
