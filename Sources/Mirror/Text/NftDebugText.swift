extension NftExpression: CustomStringConvertible {
    /// The expression as `nft --debug=netlink` prints it (libnftnl's format), so plans can be
    /// compared with what `nft` compiles: `[ payload load 2b @ transport header + 2 => reg 1 ]`.
    public var description: String { text(register: 1) }

    /// The expression with its data register `register` (see ``inRegister(_:_:)``).
    private func text(register: UInt32) -> String {
        let reg = "reg \(register)"
        switch self {
        case .meta(let key):
            return "[ meta load \(key.rawValue) => \(reg) ]"
        case .payload(let base, let offset, let length):
            return "[ payload load \(length)b @ \(base.rawValue) header + \(offset) => \(reg) ]"
        case .bitwise(let mask, let xor):
            return "[ bitwise \(reg) = ( \(reg) & \(Self.words(mask)) ) ^ \(Self.words(xor)) ]"
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
        case .verdict(.goto(let chain)):
            return "[ immediate reg 0 goto -> \(chain) ]"
        case .verdict(.return):
            return "[ immediate reg 0 return ]"
        case .inRegister(let number, let inner):
            return inner.text(register: number)
        case .limit(let limit):
            return "[ \(Self.limitText(limit)) ]"
        case .objectReference(let kind, let name):
            return "[ objref type \(kind.rawValue) name \(name) ]"
        case .dynamicSet(let update):
            var text = "[ dynset \(update.operation == .add ? "add" : "update") reg_key 1 set \(update.setName)"
            if let timeout = update.timeout { text += " timeout \(timeout)ms" }
            for expression in update.expressions {
                if case .limit(let limit) = expression { text += " expr [ \(Self.limitText(limit)) ]" }
            }
            return text + " ]"
        case .reject(let type, let code):
            return "[ reject type \(type) code \(code) ]"
        case .connectionTracking(let key):
            return "[ ct load \(key.rawValue) => \(reg) ]"
        case .extensionHeader(let type, let offset, let length, let present):
            return "[ exthdr load ipv6 \(length)b @ \(type) + \(offset)\(present ? " present" : "") => \(reg) ]"
        case .tcpOption(let kind, let offset, let length):
            return "[ exthdr load tcpopt \(length)b @ \(kind) + \(offset) => \(reg) ]"
        case .tcpOptionWrite(let kind, let offset, let length):
            return "[ exthdr write tcpopt \(reg) => \(length)b @ \(kind) + \(offset) ]"
        case .hostToNetwork(let length, let size):
            return "[ byteorder \(reg) = hton(\(reg), \(size), \(length)) ]"
        case .shiftRight(let bits, _):
            return
                "[ bitwise \(reg) = ( \(reg) >> \(Self.words(withUnsafeBytes(of: bits.littleEndian) { Array($0) })) ) ]"
        case .metaSet(let key):
            return "[ meta set \(key.rawValue) with \(reg) ]"
        }
    }

    /// libnftnl's `limit rate 10/second burst 5 type packets flags 0x1`.
    static func limitText(_ limit: NftLimit) -> String {
        let unit: String
        switch limit.unit {
        case 60: unit = "minute"
        case 3600: unit = "hour"
        case 86400: unit = "day"
        case 604_800: unit = "week"
        default: unit = "second"
        }
        return "limit rate \(limit.rate)/\(unit) burst \(limit.burst) type \(limit.countsBytes ? "bytes" : "packets") "
            + "flags 0x\(limit.inverted ? 1 : 0)"
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
