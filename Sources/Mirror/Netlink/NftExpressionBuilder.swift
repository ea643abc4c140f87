import CNftnl

/// Builds libnftnl expression objects from ``NftExpression`` values.
enum NftExpressionBuilder {
    /// A new `struct nftnl_expr`; the rule it is added to frees it.
    static func build(_ expression: NftExpression) throws(MirrorError) -> OpaquePointer {
        try build(expression, register: UInt32(NFT_REG_1.rawValue))
    }

    /// The expression with data register `register` (``NftExpression/inRegister(_:_:)``).
    private static func build(_ expression: NftExpression, register: UInt32) throws(MirrorError) -> OpaquePointer {
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
            case .goto(let chain):
                setU32(object, NFTNL_EXPR_IMM_VERDICT, UInt32(bitPattern: NFT_GOTO.rawValue))
                nftnl_expr_set_str(object, UInt16(NFTNL_EXPR_IMM_CHAIN), chain)
            case .return:
                setU32(object, NFTNL_EXPR_IMM_VERDICT, UInt32(bitPattern: NFT_RETURN.rawValue))
            }
            return object
        case .inRegister(let number, let inner):
            return try build(inner, register: number)
        case .limit(let limit):
            return try limitObject(limit)
        case .objectReference(let kind, let name):
            let object = try alloc("objref")
            setU32(object, NFTNL_EXPR_OBJREF_IMM_TYPE, kind.rawValue)
            nftnl_expr_set_str(object, UInt16(NFTNL_EXPR_OBJREF_IMM_NAME), name)
            return object
        case .dynamicSet(let update):
            let object = try alloc("dynset")
            setU32(object, NFTNL_EXPR_DYNSET_SREG_KEY, register)
            setU32(object, NFTNL_EXPR_DYNSET_OP, update.operation.rawValue)
            nftnl_expr_set_str(object, UInt16(NFTNL_EXPR_DYNSET_SET_NAME), update.setName)
            setU32(object, NFTNL_EXPR_DYNSET_SET_ID, update.setID)
            if let timeout = update.timeout {
                nftnl_expr_set_u64(object, UInt16(NFTNL_EXPR_DYNSET_TIMEOUT), timeout)
            }
            // One stateful expression goes in NFTA_DYNSET_EXPR, as `nft` sends it; more in the list.
            if update.expressions.count == 1 {
                let inner = try build(update.expressions[0])
                nftnl_expr_set(object, UInt16(NFTNL_EXPR_DYNSET_EXPR), UnsafeRawPointer(inner), 0)
            } else {
                for inner in update.expressions {
                    nftnl_expr_add_expr(object, UInt32(NFTNL_EXPR_DYNSET_EXPRESSIONS), try build(inner))
                }
            }
            return object
        case .reject(let type, let code):
            let object = try alloc("reject")
            setU32(object, NFTNL_EXPR_REJECT_TYPE, type)
            nftnl_expr_set_u8(object, UInt16(NFTNL_EXPR_REJECT_CODE), code)
            return object
        case .connectionTracking(let key):
            let object = try alloc("ct")
            setU32(
                object, NFTNL_EXPR_CT_KEY,
                key == .state ? UInt32(NFT_CT_STATE.rawValue) : UInt32(NFT_CT_DIRECTION.rawValue))
            setU32(object, NFTNL_EXPR_CT_DREG, register)
            return object
        case .hostToNetwork(let length, let size):
            let object = try alloc("byteorder")
            setU32(object, NFTNL_EXPR_BYTEORDER_SREG, register)
            setU32(object, NFTNL_EXPR_BYTEORDER_DREG, register)
            setU32(object, NFTNL_EXPR_BYTEORDER_OP, UInt32(NFT_BYTEORDER_HTON.rawValue))
            setU32(object, NFTNL_EXPR_BYTEORDER_LEN, UInt32(length))
            setU32(object, NFTNL_EXPR_BYTEORDER_SIZE, UInt32(size))
            return object
        case .shiftRight(let bits, let length):
            let object = try alloc("bitwise")
            setU32(object, NFTNL_EXPR_BITWISE_SREG, register)
            setU32(object, NFTNL_EXPR_BITWISE_DREG, register)
            setU32(object, NFTNL_EXPR_BITWISE_LEN, UInt32(length))
            setU32(object, NFTNL_EXPR_BITWISE_OP, UInt32(NFT_BITWISE_RSHIFT.rawValue))
            setData(object, NFTNL_EXPR_BITWISE_DATA, withUnsafeBytes(of: bits) { Array($0) })
            return object
        case .metaSet(let key):
            let object = try alloc("meta")
            setU32(object, NFTNL_EXPR_META_KEY, metaKey(key))
            setU32(object, NFTNL_EXPR_META_SREG, register)
            return object
        case .extensionHeader(let type, let offset, let length, let present):
            let object = try alloc("exthdr")
            setU32(object, NFTNL_EXPR_EXTHDR_DREG, register)
            nftnl_expr_set_u8(object, UInt16(NFTNL_EXPR_EXTHDR_TYPE), type)
            setU32(object, NFTNL_EXPR_EXTHDR_OFFSET, UInt32(offset))
            setU32(object, NFTNL_EXPR_EXTHDR_LEN, UInt32(length))
            setU32(object, NFTNL_EXPR_EXTHDR_OP, UInt32(NFT_EXTHDR_OP_IPV6.rawValue))
            if present { setU32(object, NFTNL_EXPR_EXTHDR_FLAGS, UInt32(NFT_EXTHDR_F_PRESENT.rawValue)) }
            return object
        case .tcpOption(let kind, let offset, let length), .tcpOptionWrite(let kind, let offset, let length):
            let object = try alloc("exthdr")
            if case .tcpOptionWrite = expression {
                setU32(object, NFTNL_EXPR_EXTHDR_SREG, register)
            } else {
                setU32(object, NFTNL_EXPR_EXTHDR_DREG, register)
            }
            nftnl_expr_set_u8(object, UInt16(NFTNL_EXPR_EXTHDR_TYPE), kind)
            setU32(object, NFTNL_EXPR_EXTHDR_OFFSET, UInt32(offset))
            setU32(object, NFTNL_EXPR_EXTHDR_LEN, UInt32(length))
            setU32(object, NFTNL_EXPR_EXTHDR_OP, UInt32(NFT_EXTHDR_OP_TCPOPT.rawValue))
            return object
        }
    }

    /// A `limit` expression (inline, or a meter's per-element template).
    private static func limitObject(_ limit: NftLimit) throws(MirrorError) -> OpaquePointer {
        let object = try alloc("limit")
        nftnl_expr_set_u64(object, UInt16(NFTNL_EXPR_LIMIT_RATE), limit.rate)
        nftnl_expr_set_u64(object, UInt16(NFTNL_EXPR_LIMIT_UNIT), limit.unit)
        setU32(object, NFTNL_EXPR_LIMIT_BURST, limit.burst)
        setU32(
            object, NFTNL_EXPR_LIMIT_TYPE,
            limit.countsBytes ? UInt32(NFT_LIMIT_PKT_BYTES.rawValue) : UInt32(NFT_LIMIT_PKTS.rawValue))
        setU32(object, NFTNL_EXPR_LIMIT_FLAGS, limit.inverted ? UInt32(NFT_LIMIT_F_INV.rawValue) : 0)
        return object
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
        case .mark: return UInt32(NFT_META_MARK.rawValue)
        case .len: return UInt32(NFT_META_LEN.rawValue)
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
