import CNftnl

/// Builds libnftnl expression objects from ``NftExpression`` values.
enum NftExpressionBuilder {
    /// A new `struct nftnl_expr`; the rule it is added to frees it.
    static func build(_ expression: NftExpression) throws(MirrorError) -> OpaquePointer {
        let register = UInt32(NFT_REG_1.rawValue)
        switch expression {
        case .meta(let key):
            let object = try alloc("meta")
            setU32(object, NFTNL_EXPR_META_KEY, metaKey(key))
            setU32(object, NFTNL_EXPR_META_DREG, register)
            return object
        case .payload(let base, let offset, let length):
            let object = try alloc("payload")
            setU32(object, NFTNL_EXPR_PAYLOAD_DREG, register)
            setU32(object, NFTNL_EXPR_PAYLOAD_BASE, payloadBase(base))
            setU32(object, NFTNL_EXPR_PAYLOAD_OFFSET, UInt32(offset))
            setU32(object, NFTNL_EXPR_PAYLOAD_LEN, UInt32(length))
            return object
        case .bitwise(let mask, let xor):
            let object = try alloc("bitwise")
            setU32(object, NFTNL_EXPR_BITWISE_SREG, register)
            setU32(object, NFTNL_EXPR_BITWISE_DREG, register)
            setU32(object, NFTNL_EXPR_BITWISE_LEN, UInt32(mask.count))
            setData(object, NFTNL_EXPR_BITWISE_MASK, mask)
            setData(object, NFTNL_EXPR_BITWISE_XOR, xor)
            return object
        case .compare(let op, let data):
            let object = try alloc("cmp")
            setU32(object, NFTNL_EXPR_CMP_SREG, register)
            setU32(object, NFTNL_EXPR_CMP_OP, compareOperator(op))
            setData(object, NFTNL_EXPR_CMP_DATA, data)
            return object
        case .range(let negated, let from, let to):
            let object = try alloc("range")
            setU32(object, NFTNL_EXPR_RANGE_SREG, register)
            setU32(
                object, NFTNL_EXPR_RANGE_OP, negated ? UInt32(NFT_RANGE_NEQ.rawValue) : UInt32(NFT_RANGE_EQ.rawValue))
            setData(object, NFTNL_EXPR_RANGE_FROM_DATA, from)
            setData(object, NFTNL_EXPR_RANGE_TO_DATA, to)
            return object
        case .lookup(let setName, let setID, let inverted):
            let object = try alloc("lookup")
            setU32(object, NFTNL_EXPR_LOOKUP_SREG, register)
            nftnl_expr_set_str(object, UInt16(NFTNL_EXPR_LOOKUP_SET), setName)
            setU32(object, NFTNL_EXPR_LOOKUP_SET_ID, setID)
            if inverted { setU32(object, NFTNL_EXPR_LOOKUP_FLAGS, UInt32(NFT_LOOKUP_F_INV.rawValue)) }
            return object
        case .counter:
            return try alloc("counter")
        case .immediate(let data):
            let object = try alloc("immediate")
            setU32(object, NFTNL_EXPR_IMM_DREG, register)
            setData(object, NFTNL_EXPR_IMM_DATA, data)
            return object
        case .payloadWrite(let base, let offset, let length, let checksum):
            let object = try alloc("payload")
            setU32(object, NFTNL_EXPR_PAYLOAD_SREG, register)
            setU32(object, NFTNL_EXPR_PAYLOAD_BASE, payloadBase(base))
            setU32(object, NFTNL_EXPR_PAYLOAD_OFFSET, UInt32(offset))
            setU32(object, NFTNL_EXPR_PAYLOAD_LEN, UInt32(length))
            setU32(object, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, checksum.type)
            setU32(object, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, checksum.offset)
            setU32(object, NFTNL_EXPR_PAYLOAD_FLAGS, checksum.flags)
            return object
        case .verdict(let verdict):
            let object = try alloc("immediate")
            setU32(object, NFTNL_EXPR_IMM_DREG, UInt32(NFT_REG_VERDICT.rawValue))
            switch verdict {
            case .accept:
                setU32(object, NFTNL_EXPR_IMM_VERDICT, UInt32(NF_ACCEPT))
            case .drop:
                setU32(object, NFTNL_EXPR_IMM_VERDICT, UInt32(NF_DROP))
            case .jump(let chain):
                setU32(object, NFTNL_EXPR_IMM_VERDICT, UInt32(bitPattern: NFT_JUMP.rawValue))
                nftnl_expr_set_str(object, UInt16(NFTNL_EXPR_IMM_CHAIN), chain)
            }
            return object
        }
    }

    private static func alloc(_ name: String) throws(MirrorError) -> OpaquePointer {
        guard let object = nftnl_expr_alloc(name) else { throw .outOfMemory }
        return object
    }

    private static func setU32(_ object: OpaquePointer, _ attribute: Int, _ value: UInt32) {
        nftnl_expr_set_u32(object, UInt16(attribute), value)
    }

    private static func setData(_ object: OpaquePointer, _ attribute: Int, _ data: [UInt8]) {
        data.withUnsafeBytes { _ = nftnl_expr_set(object, UInt16(attribute), $0.baseAddress, UInt32($0.count)) }
    }

    private static func metaKey(_ key: NftMetaKey) -> UInt32 {
        switch key {
        case .protocolType: return UInt32(NFT_META_PROTOCOL.rawValue)
        case .l4proto: return UInt32(NFT_META_L4PROTO.rawValue)
        case .iifname: return UInt32(NFT_META_IIFNAME.rawValue)
        }
    }

    private static func payloadBase(_ base: NftPayloadBase) -> UInt32 {
        switch base {
        case .link: return UInt32(NFT_PAYLOAD_LL_HEADER.rawValue)
        case .network: return UInt32(NFT_PAYLOAD_NETWORK_HEADER.rawValue)
        case .transport: return UInt32(NFT_PAYLOAD_TRANSPORT_HEADER.rawValue)
        }
    }

    private static func compareOperator(_ op: NftCompareOperator) -> UInt32 {
        switch op {
        case .equal: return UInt32(NFT_CMP_EQ.rawValue)
        case .notEqual: return UInt32(NFT_CMP_NEQ.rawValue)
        case .lessOrEqual: return UInt32(NFT_CMP_LTE.rawValue)
        case .greaterOrEqual: return UInt32(NFT_CMP_GTE.rawValue)
        }
    }
}
