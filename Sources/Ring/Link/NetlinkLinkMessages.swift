import CLinuxShim
import Glibc

/// Builds and parses the rtnetlink link messages ``LinkMonitor`` needs.
enum NetlinkLinkMessages {
    static let headerLength = Int(cls_nlmsg_hdrlen())
    static let infoLength = MemoryLayout<ifinfomsg>.size

    /// A parsed message: a link's state, a deletion, an error reply, or the end of a dump.
    enum Message: Equatable {
        case link(LinkState, deleted: Bool)
        case error(Int32)
        case done
    }

    /// Parses every netlink message in `bytes`; ignores types it does not know and stops at the
    /// first malformed length.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [Message] {
        var messages: [Message] = []
        var offset = 0
        while offset + headerLength <= bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= headerLength, offset + length <= bytes.count else { break }
            let type = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
            let body = UnsafeRawBufferPointer(rebasing: bytes[offset + headerLength..<offset + length])
            switch Int32(type) {
            case Int32(RTM_NEWLINK), Int32(RTM_DELLINK):
                if let state = linkState(body) {
                    messages.append(.link(state, deleted: Int32(type) == Int32(RTM_DELLINK)))
                }
            case NLMSG_ERROR:
                if body.count >= 4 { messages.append(.error(-body.loadUnaligned(as: Int32.self))) }
            case NLMSG_DONE:
                messages.append(.done)
            default:
                break
            }
            offset += Int(cls_nlmsg_align(UInt32(length)))
        }
        return messages
    }

    /// The ifinfomsg and its IFLA_IFNAME / IFLA_MTU attributes.
    static func linkState(_ body: UnsafeRawBufferPointer) -> LinkState? {
        guard body.count >= infoLength else { return nil }
        let index = body.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        let flags = body.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        var name = ""
        var mtu: Int?
        var offset = Int(cls_nlmsg_align(UInt32(infoLength)))
        while offset + 4 <= body.count {
            let length = Int(body.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = body.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            guard length >= 4, offset + length <= body.count else { break }
            let payload = UnsafeRawBufferPointer(rebasing: body[offset + 4..<offset + length])
            switch Int32(type) {
            case Int32(IFLA_IFNAME):
                name = String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
            case Int32(IFLA_MTU) where payload.count >= 4:
                mtu = Int(payload.loadUnaligned(as: UInt32.self))
            default:
                break
            }
            offset += Int(cls_rta_align(UInt32(length)))
        }
        return LinkState(
            index: index, name: name, isUp: flags & UInt32(IFF_UP) != 0,
            isRunning: flags & UInt32(IFF_RUNNING) != 0, hasCarrier: flags & InterfaceFlag.lowerUp != 0, mtu: mtu)
    }

    /// An RTM_GETLINK request for one interface index.
    static func getLinkRequest(index: Int32, sequence: UInt32) -> [UInt8] {
        let length = Int(cls_nlmsg_length(UInt32(infoLength)))
        var bytes = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(length), toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt16(RTM_GETLINK), toByteOffset: 4, as: UInt16.self)
            raw.storeBytes(of: UInt16(NLM_F_REQUEST), toByteOffset: 6, as: UInt16.self)
            raw.storeBytes(of: sequence, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: UInt8(AF_UNSPEC), toByteOffset: headerLength, as: UInt8.self)
            raw.storeBytes(of: index, toByteOffset: headerLength + 4, as: Int32.self)
        }
        return bytes
    }
}
