import Policy

/// One `FIELD set VALUE` statement in nft form: a payload write with the checksum update `nft`
/// asks for, after the dependencies it needs.
struct RewriteTranslation {
    var dependencies: [Dependency]
    var expressions: [NftExpression]
    var text: String

    /// The write for `field set value`; nil for fields nft cannot write in the bridge family.
    static func translate(_ field: Field, _ value: UInt128) -> RewriteTranslation? {
        let ip: [Dependency] = [.etherType(0x0800)]
        let ip6: [Dependency] = [.etherType(0x86dd)]
        let text = "\(field.rawValue) set \(valueText(field, value))"
        func write(_ base: NftPayloadBase, _ offset: Int, _ bytes: [UInt8], _ checksum: NftChecksumUpdate)
            -> [NftExpression]
        {
            [.immediate(bytes), .payloadWrite(base, offset: offset, length: bytes.count, checksum: checksum)]
        }
        /// Read-modify-write of the bits outside `keep`.
        func merge(
            _ base: NftPayloadBase, _ offset: Int, keep: [UInt8], xor: [UInt8], _ checksum: NftChecksumUpdate
        ) -> [NftExpression] {
            [
                .payload(base, offset: offset, length: keep.count), .bitwise(mask: keep, xor: xor),
                .payloadWrite(base, offset: offset, length: keep.count, checksum: checksum),
            ]
        }
        let expressions: [NftExpression]
        var dependencies: [Dependency] = []
        switch field {
        case .etherSaddr:
            expressions = write(.link, 6, Bytes.bigEndian(value, count: 6), .none)
        case .etherDaddr:
            expressions = write(.link, 0, Bytes.bigEndian(value, count: 6), .none)
        case .vlanID:
            dependencies = [.vlanTag]
            expressions = merge(.link, 14, keep: [0xf0, 0x00], xor: Bytes.bigEndian(value & 0xfff, count: 2), .none)
        case .vlanPCP:
            dependencies = [.vlanTag]
            expressions = merge(.link, 14, keep: [0x1f], xor: [UInt8(truncatingIfNeeded: (value & 7) << 5)], .none)
        case .ipSaddr, .ipDaddr:
            dependencies = ip
            expressions = write(.network, field == .ipSaddr ? 12 : 16, Bytes.bigEndian(value, count: 4), .ipv4Address)
        case .ipTTL:
            dependencies = ip
            expressions = merge(
                .network, 8, keep: [0x00, 0xff], xor: [UInt8(truncatingIfNeeded: value), 0], .ipv4Header)
        case .ipDSCP:
            dependencies = ip
            expressions = merge(
                .network, 0, keep: [0xff, 0x03], xor: [0, UInt8(truncatingIfNeeded: (value & 0x3f) << 2)],
                .ipv4Header)
        case .ipECN:
            dependencies = ip
            expressions = merge(
                .network, 0, keep: [0xff, 0xfc], xor: [0, UInt8(truncatingIfNeeded: value & 3)], .ipv4Header)
        case .ip6Saddr, .ip6Daddr:
            dependencies = ip6
            expressions = write(.network, field == .ip6Saddr ? 8 : 24, Bytes.bigEndian(value, count: 16), .ipv6Address)
        case .ip6Hoplimit:
            dependencies = ip6
            expressions = write(.network, 7, [UInt8(truncatingIfNeeded: value)], .none)
        case .ip6DSCP:
            dependencies = ip6
            expressions = merge(
                .network, 0, keep: [0xf0, 0x3f], xor: Bytes.bigEndian((value & 0x3f) << 6, count: 2), .none)
        case .tcpSport, .tcpDport:
            dependencies = [.l4proto(6)]
            expressions = write(.transport, field == .tcpSport ? 0 : 2, Bytes.bigEndian(value, count: 2), .tcpPort)
        case .udpSport, .udpDport:
            dependencies = [.l4proto(17)]
            expressions = write(.transport, field == .udpSport ? 0 : 2, Bytes.bigEndian(value, count: 2), .udpPort)
        case .tcpMSS:
            // As `nft` compiles it: no dependency, the kernel's write finds the option (and
            // only lowers it, as the pipeline does).
            expressions = [
                .immediate(Bytes.bigEndian(value, count: 2)), .tcpOptionWrite(kind: 2, offset: 2, length: 2),
            ]
        default:
            return nil
        }
        return RewriteTranslation(dependencies: dependencies, expressions: expressions, text: text)
    }

    private static func valueText(_ field: Field, _ value: UInt128) -> String {
        switch field.valueKind {
        case .mac: return NftValueText.value(value, style: .mac)
        case .ipv4: return NftValueText.value(value, style: .ipv4)
        case .ipv6: return NftValueText.value(value, style: .ipv6)
        default: return String(value)
        }
    }
}
