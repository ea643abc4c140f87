import CNftnl

#if canImport(Glibc)
    import Glibc
#endif

/// One nftables transaction being built: `BEGIN`, object messages, `END`, each with its own
/// sequence number, and what each sequence number stands for, so an error reply can be
/// reported as the object that caused it.
struct NftBatch {
    private(set) var bytes: [UInt8] = []
    /// Sequence number → the object in words (`rule "no-telnet" (rule 3)`).
    private(set) var objects: [UInt32: String] = [:]
    private(set) var messageCount = 0
    private var sequence: UInt32

    static let family = UInt16(NFPROTO_BRIDGE)

    /// Starts a batch; with `generation`, the kernel applies it only if the ruleset is still at
    /// that generation (`NFNL_BATCH_GENID`), else rejects it whole with ERESTART.
    init(firstSequence: UInt32, generation: UInt32?) {
        sequence = firstSequence
        append("the start of the batch", capacity: 64) { buffer, seq in
            let header = nftnl_batch_begin(buffer, seq)
            if let generation { mnl_attr_put_u32(header, UInt16(NFNL_BATCH_GENID.rawValue), generation.bigEndian) }
        }
    }

    /// Ends the batch; returns the bytes to send in one datagram.
    mutating func finish() -> [UInt8] {
        append("the end of the batch", capacity: 64) { buffer, seq in _ = nftnl_batch_end(buffer, seq) }
        return bytes
    }

    /// The next sequence number after this batch.
    var nextSequence: UInt32 { sequence }

    // MARK: Objects

    /// `NFT_MSG_NEWTABLE`; `exclusive` fails if it exists, `flags` are `NFT_TABLE_F_*`.
    mutating func newTable(_ name: String, exclusive: Bool, flags: UInt32 = 0) throws(MirrorError) {
        guard let table = nftnl_table_alloc() else { throw .outOfMemory }
        defer { nftnl_table_free(table) }
        nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), name)
        nftnl_table_set_u32(table, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(Self.family))
        if flags != 0 { nftnl_table_set_u32(table, UInt16(NFTNL_TABLE_FLAGS.rawValue), flags) }
        let messageFlags = NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0)
        append("table bridge \(name)", capacity: 256 + name.utf8.count) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_NEWTABLE.rawValue), Self.family, UInt16(messageFlags), seq)
            nftnl_table_nlmsg_build_payload(header, table)
        }
    }

    /// `NFT_MSG_DELTABLE`: the table with everything in it.
    mutating func deleteTable(_ name: String) throws(MirrorError) {
        guard let table = nftnl_table_alloc() else { throw .outOfMemory }
        defer { nftnl_table_free(table) }
        nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), name)
        nftnl_table_set_u32(table, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(Self.family))
        append("table bridge \(name)", capacity: 256 + name.utf8.count) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_DELTABLE.rawValue), Self.family, 0, seq)
            nftnl_table_nlmsg_build_payload(header, table)
        }
    }

    /// `NFT_MSG_NEWCHAIN`.
    mutating func newChain(_ chain: NftChain, table: String) throws(MirrorError) {
        guard let object = nftnl_chain_alloc() else { throw .outOfMemory }
        defer { nftnl_chain_free(object) }
        nftnl_chain_set_str(object, UInt16(NFTNL_CHAIN_TABLE.rawValue), table)
        nftnl_chain_set_str(object, UInt16(NFTNL_CHAIN_NAME.rawValue), chain.name)
        nftnl_chain_set_u32(object, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(Self.family))
        if let base = chain.base {
            nftnl_chain_set_str(object, UInt16(NFTNL_CHAIN_TYPE.rawValue), "filter")
            nftnl_chain_set_u32(object, UInt16(NFTNL_CHAIN_HOOKNUM.rawValue), base.hook)
            nftnl_chain_set_s32(object, UInt16(NFTNL_CHAIN_PRIO.rawValue), base.priority)
            nftnl_chain_set_u32(
                object, UInt16(NFTNL_CHAIN_POLICY.rawValue), base.policy == .drop ? UInt32(NF_DROP) : UInt32(NF_ACCEPT))
        }
        append("chain \(chain.name)", capacity: 512 + chain.name.utf8.count + table.utf8.count) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_NEWCHAIN.rawValue), Self.family, UInt16(NLM_F_CREATE), seq)
            nftnl_chain_nlmsg_build_payload(header, object)
        }
    }

    /// `NFT_MSG_NEWSET`, then its elements in `NFT_MSG_NEWSETELEM` messages of at most
    /// `elementsPerMessage` elements.
    mutating func newSet(_ set: NftSet, table: String, elementsPerMessage: Int = 512) throws(MirrorError) {
        let description = set.isAnonymous ? "an anonymous set (\(set.elementsText))" : "set \"\(set.name)\""
        let object = try Self.setObject(set, table: table)
        defer { nftnl_set_free(object) }
        nftnl_set_set_u32(object, UInt16(NFTNL_SET_FLAGS.rawValue), set.flags)
        nftnl_set_set_u32(object, UInt16(NFTNL_SET_KEY_TYPE.rawValue), set.keyType.id)
        nftnl_set_set_u32(object, UInt16(NFTNL_SET_KEY_LEN.rawValue), UInt32(set.keyLength))
        if set.isAnonymous {
            nftnl_set_set_u32(object, UInt16(NFTNL_SET_DESC_SIZE.rawValue), UInt32(set.elements.count))
        }
        if let dynamic = set.dynamic {
            if dynamic.size > 0 { nftnl_set_set_u32(object, UInt16(NFTNL_SET_DESC_SIZE.rawValue), dynamic.size) }
            if let timeout = dynamic.timeout { nftnl_set_set_u64(object, UInt16(NFTNL_SET_TIMEOUT.rawValue), timeout) }
        }
        if !set.userdata.isEmpty {
            set.userdata.withUnsafeBytes {
                _ = nftnl_set_set_data(
                    object, UInt16(NFTNL_SET_USERDATA.rawValue), $0.baseAddress, UInt32($0.count))
            }
        }
        append(description, capacity: 1024 + set.userdata.count + set.name.utf8.count + table.utf8.count) {
            buffer, seq in
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_NEWSET.rawValue), Self.family, UInt16(NLM_F_CREATE), seq)
            nftnl_set_nlmsg_build_payload(header, object)
        }
        var start = 0
        while start < set.elements.count {
            let chunk = set.elements[start..<min(start + elementsPerMessage, set.elements.count)]
            try newElements(chunk, of: set, table: table, description: description)
            start += elementsPerMessage
        }
    }

    private mutating func newElements(
        _ elements: ArraySlice<NftSetElement>, of set: NftSet, table: String, description: String
    ) throws(MirrorError) {
        let object = try Self.setObject(set, table: table)
        defer { nftnl_set_free(object) }
        for element in elements {
            guard let item = nftnl_set_elem_alloc() else { throw .outOfMemory }
            element.key.withUnsafeBytes {
                _ = nftnl_set_elem_set(item, UInt16(NFTNL_SET_ELEM_KEY), $0.baseAddress, UInt32($0.count))
            }
            if element.isIntervalEnd {
                nftnl_set_elem_set_u32(item, UInt16(NFTNL_SET_ELEM_FLAGS), UInt32(NFT_SET_ELEM_INTERVAL_END.rawValue))
            }
            if element.isOpenInterval {
                SetEncoding.openIntervalUserdata.withUnsafeBytes {
                    _ = nftnl_set_elem_set(
                        item, UInt16(NFTNL_SET_ELEM_USERDATA), $0.baseAddress, UInt32($0.count))
                }
            }
            nftnl_set_elem_add(object, item)
        }
        let capacity = 1024 + set.name.utf8.count + table.utf8.count + elements.count * (set.keyLength + 64)
        append("the elements of \(description)", capacity: capacity) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_NEWSETELEM.rawValue), Self.family, UInt16(NLM_F_CREATE), seq)
            nftnl_set_elems_nlmsg_build_payload(header, object)
        }
    }

    private static func setObject(_ set: NftSet, table: String) throws(MirrorError) -> OpaquePointer {
        guard let object = nftnl_set_alloc() else { throw .outOfMemory }
        nftnl_set_set_str(object, UInt16(NFTNL_SET_TABLE.rawValue), table)
        nftnl_set_set_str(object, UInt16(NFTNL_SET_NAME.rawValue), set.name)
        nftnl_set_set_u32(object, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family))
        nftnl_set_set_u32(object, UInt16(NFTNL_SET_ID.rawValue), set.id)
        return object
    }

    /// `NFT_MSG_NEWRULE` appending to the rule's chain.
    mutating func newRule(_ rule: NftRule, table: String) throws(MirrorError) {
        guard let object = nftnl_rule_alloc() else { throw .outOfMemory }
        defer { nftnl_rule_free(object) }
        nftnl_rule_set_str(object, UInt16(NFTNL_RULE_TABLE.rawValue), table)
        nftnl_rule_set_str(object, UInt16(NFTNL_RULE_CHAIN.rawValue), rule.chain)
        nftnl_rule_set_u32(object, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(Self.family))
        for expression in rule.expressions {
            nftnl_rule_add_expr(object, try NftExpressionBuilder.build(expression))
        }
        if let comment = rule.comment {
            let userdata = SetEncoding.tlv(UInt8(NFTNL_UDATA_RULE_COMMENT.rawValue), Array(comment.utf8) + [0])
            userdata.withUnsafeBytes {
                _ = nftnl_rule_set_data(object, UInt16(NFTNL_RULE_USERDATA.rawValue), $0.baseAddress, UInt32($0.count))
            }
        }
        let description: String
        if let origin = rule.origin {
            let place = rule.chain == "forward" ? "" : ", in chain \(rule.chain)"
            description = "rule \"\(origin.name)\" (rule \(origin.number)\(place))"
        } else {
            description = "a rule of chain \(rule.chain)"
        }
        // An expression's attributes take well under 512 bytes (the longest is a lookup naming a
        // set of at most 255 characters).
        let capacity = 1024 + rule.expressions.count * 512 + (rule.comment?.utf8.count ?? 0) + table.utf8.count
        append(description, capacity: capacity) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_NEWRULE.rawValue), Self.family, UInt16(NLM_F_CREATE | NLM_F_APPEND), seq)
            nftnl_rule_nlmsg_build_payload(header, object)
        }
    }

    /// `NFT_MSG_NEWSETELEM` (or, with `delete`, `NFT_MSG_DELSETELEM`) of `keys` in existing set
    /// `set` of `table`, each with its timeout in milliseconds (nil: none).
    mutating func elements(
        _ keys: [(key: [UInt8], timeout: UInt64?)], set: String, table: String, delete: Bool
    ) throws(MirrorError) {
        guard !keys.isEmpty else { return }
        guard let object = nftnl_set_alloc() else { throw .outOfMemory }
        defer { nftnl_set_free(object) }
        nftnl_set_set_str(object, UInt16(NFTNL_SET_TABLE.rawValue), table)
        nftnl_set_set_str(object, UInt16(NFTNL_SET_NAME.rawValue), set)
        nftnl_set_set_u32(object, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(Self.family))
        for (key, timeout) in keys {
            guard let item = nftnl_set_elem_alloc() else { throw .outOfMemory }
            key.withUnsafeBytes {
                _ = nftnl_set_elem_set(item, UInt16(NFTNL_SET_ELEM_KEY), $0.baseAddress, UInt32($0.count))
            }
            if let timeout { nftnl_set_elem_set_u64(item, UInt16(NFTNL_SET_ELEM_TIMEOUT), timeout) }
            nftnl_set_elem_add(object, item)
        }
        let type = delete ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM
        let flags = delete ? 0 : NLM_F_CREATE
        let capacity = 1024 + set.utf8.count + table.utf8.count + keys.count * 128
        append("the elements of set \"\(set)\"", capacity: capacity) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(buffer, UInt16(type.rawValue), Self.family, UInt16(flags), seq)
            nftnl_set_elems_nlmsg_build_payload(header, object)
        }
    }

    /// `NFT_MSG_DELRULE` naming only the chain: every rule of the chain (`flush chain`).
    mutating func flushChain(_ chain: String, table: String) throws(MirrorError) {
        guard let object = nftnl_rule_alloc() else { throw .outOfMemory }
        defer { nftnl_rule_free(object) }
        nftnl_rule_set_str(object, UInt16(NFTNL_RULE_TABLE.rawValue), table)
        nftnl_rule_set_str(object, UInt16(NFTNL_RULE_CHAIN.rawValue), chain)
        nftnl_rule_set_u32(object, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(Self.family))
        append("the rules of chain \(chain)", capacity: 512 + table.utf8.count + chain.utf8.count) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_DELRULE.rawValue), Self.family, 0, seq)
            nftnl_rule_nlmsg_build_payload(header, object)
        }
    }

    /// `NFT_MSG_NEWOBJ`: a named limit or quota (built attribute by attribute: the CNftnl shim
    /// has no libnftnl object API).
    mutating func newObject(_ object: NftObject, table: String) {
        let description =
            "\(object.type == .limit ? "limit" : "quota") \"\(object.name)\" (rule \(object.origin.number))"
        append(description, capacity: 512 + table.utf8.count + object.name.utf8.count) { buffer, seq in
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_NEWOBJ.rawValue), Self.family, UInt16(NLM_F_CREATE), seq)
            mnl_attr_put_strz(header, UInt16(NFTA_OBJ_TABLE.rawValue), table)
            mnl_attr_put_strz(header, UInt16(NFTA_OBJ_NAME.rawValue), object.name)
            mnl_attr_put_u32(header, UInt16(NFTA_OBJ_TYPE.rawValue), object.type.rawValue.bigEndian)
            let data = mnl_attr_nest_start(header, UInt16(NFTA_OBJ_DATA.rawValue))
            switch object.kind {
            case .limit(let limit):
                mnl_attr_put_u64(header, UInt16(NFTA_LIMIT_RATE.rawValue), limit.rate.bigEndian)
                mnl_attr_put_u64(header, UInt16(NFTA_LIMIT_UNIT.rawValue), limit.unit.bigEndian)
                mnl_attr_put_u32(header, UInt16(NFTA_LIMIT_BURST.rawValue), limit.burst.bigEndian)
                let type = limit.countsBytes ? NFT_LIMIT_PKT_BYTES.rawValue : NFT_LIMIT_PKTS.rawValue
                mnl_attr_put_u32(header, UInt16(NFTA_LIMIT_TYPE.rawValue), UInt32(type).bigEndian)
                let flags = limit.inverted ? UInt32(NFT_LIMIT_F_INV.rawValue) : 0
                mnl_attr_put_u32(header, UInt16(NFTA_LIMIT_FLAGS.rawValue), flags.bigEndian)
            case .quota(let bytes, let over):
                mnl_attr_put_u64(header, UInt16(NFTA_QUOTA_BYTES.rawValue), bytes.bigEndian)
                let flags = over ? UInt32(NFT_QUOTA_F_INV.rawValue) : 0
                mnl_attr_put_u32(header, UInt16(NFTA_QUOTA_FLAGS.rawValue), flags.bigEndian)
            }
            mnl_attr_nest_end(header, data)
        }
    }

    // MARK: Bytes

    /// Builds one message into a scratch buffer of `capacity` bytes and appends it. libnftnl
    /// writes without bounds checks, so each caller sizes `capacity` from its object's contents.
    private mutating func append(
        _ description: String, capacity: Int, _ build: (UnsafeMutablePointer<CChar>, UInt32) -> Void
    ) {
        let seq = sequence
        sequence &+= 1
        var scratch = [UInt8](repeating: 0, count: capacity)
        let length = scratch.withUnsafeMutableBytes { raw -> Int in
            let buffer = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            build(buffer, seq)
            return Int(raw.load(as: UInt32.self))
        }
        bytes += scratch[0..<length]
        objects[seq] = description
        messageCount += 1
    }
}
