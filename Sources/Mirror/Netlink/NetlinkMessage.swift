/// A netlink message read from a datagram: header fields and payload bytes.
struct NetlinkMessage {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    /// The bytes after the 16-byte `nlmsghdr`.
    var payload: ArraySlice<UInt8>
    /// The whole message, header included (for libnftnl's parsers).
    var bytes: ArraySlice<UInt8>

    static let headerLength = 16
    static let error: UInt16 = 2
    static let done: UInt16 = 3
    static let dumpInterrupted: UInt16 = 0x10
    static let multipart: UInt16 = 0x2

    /// The messages of one datagram; stops at the first malformed header.
    static func split(_ datagram: [UInt8]) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while datagram.count - offset >= headerLength {
            let length = Int(u32(datagram, offset))
            guard length >= headerLength, offset + length <= datagram.count else { break }
            messages.append(
                NetlinkMessage(
                    type: u16(datagram, offset + 4), flags: u16(datagram, offset + 6),
                    sequence: u32(datagram, offset + 8),
                    payload: datagram[(offset + headerLength)..<(offset + length)],
                    bytes: datagram[offset..<(offset + length)]))
            offset += (length + 3) & ~3
        }
        return messages
    }

    /// For an `NLMSG_ERROR` message: the errno (0 for an ACK) and the sequence number of the
    /// request it answers.
    var errorReply: (errno: Int32, sequence: UInt32)? {
        guard type == Self.error, payload.count >= 4 + Self.headerLength else { return nil }
        let start = payload.startIndex
        let code = Int32(bitPattern: Self.u32(payload, start))
        return (-code, Self.u32(payload, start + 4 + 8))
    }

    /// Netlink attributes (`nlattr`: u16 length, u16 type, value, padded to 4) from `offset` in
    /// the payload. The nested flag (0x8000) and byte-order flag (0x4000) are cleared from types.
    func attributes(from offset: Int) -> [UInt16: ArraySlice<UInt8>] {
        Self.attributes(payload.dropFirst(offset))
    }

    static func attributes(_ bytes: ArraySlice<UInt8>) -> [UInt16: ArraySlice<UInt8>] {
        var result: [UInt16: ArraySlice<UInt8>] = [:]
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 4 {
            let length = Int(u16(bytes, offset))
            let type = u16(bytes, offset + 2) & 0x3fff
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            result[type] = bytes[(offset + 4)..<(offset + length)]
            offset += (length + 3) & ~3
        }
        return result
    }

    static func u16<C: RandomAccessCollection<UInt8>>(_ bytes: C, _ offset: C.Index) -> UInt16
    where C.Index == Int {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    static func u32<C: RandomAccessCollection<UInt8>>(_ bytes: C, _ offset: C.Index) -> UInt32
    where C.Index == Int {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    /// A big-endian u32 attribute value.
    static func bigEndianU32(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        guard bytes.count >= 4 else { return nil }
        let s = bytes.startIndex
        return UInt32(bytes[s]) << 24 | UInt32(bytes[s + 1]) << 16 | UInt32(bytes[s + 2]) << 8 | UInt32(bytes[s + 3])
    }

    /// A NUL-terminated string attribute value.
    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
