extension NftExpression: CustomStringConvertible {
    /// The expression as `nft --debug=netlink` prints it (libnftnl's format), so plans can be
    /// compared with what `nft` compiles: `[ payload load 2b @ transport header + 2 => reg 1 ]`.
    public var description: String {
        switch self {
        case .meta(let key):
            return "[ meta load \(key.rawValue) => reg 1 ]"
        case .payload(let base, let offset, let length):
            return "[ payload load \(length)b @ \(base.rawValue) header + \(offset) => reg 1 ]"
        case .bitwise(let mask, let xor):
            return "[ bitwise reg 1 = ( reg 1 & \(Self.words(mask)) ) ^ \(Self.words(xor)) ]"
        case .compare(let op, let data):
            return "[ cmp \(op.rawValue) reg 1 \(Self.words(data)) ]"
        case .range(let negated, let from, let to):
            return "[ range \(negated ? "neq" : "eq") reg 1 \(Self.words(from)) \(Self.words(to)) ]"
        case .lookup(let setName, _, let inverted):
            return "[ lookup reg 1 set \(setName)\(inverted ? " 0x1" : "") ]"
        case .counter:
            return "[ counter pkts 0 bytes 0 ]"
        case .immediate(let data):
            return "[ immediate reg 1 \(Self.words(data)) ]"
        case .payloadWrite(let base, let offset, let length, let checksum):
            return "[ payload write reg 1 => \(length)b @ \(base.rawValue) header + \(offset) "
                + "csum_type \(checksum.type) csum_off \(checksum.offset) csum_flags 0x\(String(checksum.flags, radix: 16)) ]"
        case .verdict(.accept):
            return "[ immediate reg 0 accept ]"
        case .verdict(.drop):
            return "[ immediate reg 0 drop ]"
        case .verdict(.jump(let chain)):
            return "[ immediate reg 0 jump -> \(chain) ]"
        }
    }

    /// Data as libnftnl prints it: 32-bit words in host (little-endian) order.
    static func words(_ bytes: [UInt8]) -> String {
        var words: [String] = []
        var index = 0
        while index < bytes.count {
            var word: UInt32 = 0
            for byte in 0..<4 where index + byte < bytes.count {
                word |= UInt32(bytes[index + byte]) << (8 * UInt32(byte))
            }
            let digits = String(word, radix: 16)
            words.append("0x" + String(repeating: "0", count: 8 - digits.count) + digits)
            index += 4
        }
        return words.joined(separator: " ")
    }
}
