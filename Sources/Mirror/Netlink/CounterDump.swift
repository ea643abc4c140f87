import CNftnl
import Platform

/// Reads a table's rules back (`NFT_MSG_GETRULE` dump), of one chain or of all, and collects
/// each rule's counter by its comment: the nft rules a policy rule becomes (a rule per framing,
/// per L3 family...) all carry its name, so their counts add up to the policy rule's.
enum CounterDump {
    /// The `badReply` text when the dump raced a ruleset change (`NLM_F_DUMP_INTR`); retry.
    static let interrupted = "dump interrupted"

    static func read(table: String, chain: String?, state: inout NftablesConnectionState) throws(MirrorError)
        -> [String: RuleCounter]
    {
        let socket = state.socket
        socket.drain()
        let seq = state.sequence
        state.sequence &+= 1
        guard let template = nftnl_rule_alloc() else { throw .outOfMemory }
        defer { nftnl_rule_free(template) }
        nftnl_rule_set_str(template, UInt16(NFTNL_RULE_TABLE.rawValue), table)
        if let chain { nftnl_rule_set_str(template, UInt16(NFTNL_RULE_CHAIN.rawValue), chain) }
        nftnl_rule_set_u32(template, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(NftBatch.family))
        var request = [UInt8](repeating: 0, count: 1024 + table.utf8.count + (chain?.utf8.count ?? 0))
        let length = request.withUnsafeMutableBytes { raw -> Int in
            let buffer = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_GETRULE.rawValue), NftBatch.family, UInt16(NLM_F_DUMP), seq)
            nftnl_rule_nlmsg_build_payload(header, template)
            return Int(raw.load(as: UInt32.self))
        }
        try socket.send(Array(request[0..<length]), purpose: "the rule dump request")

        var counters: [String: RuleCounter] = [:]
        var wasInterrupted = false
        while let datagram = try socket.receiveReply(wait: true) {
            for message in NetlinkMessage.split(datagram) where message.sequence == seq {
                if message.flags & NetlinkMessage.dumpInterrupted != 0 { wasInterrupted = true }
                if message.type == NetlinkMessage.done {
                    if wasInterrupted { throw .badReply(interrupted) }
                    return counters
                }
                if let reply = message.errorReply {
                    guard reply.errno != 0 else { continue }
                    throw .rejected(
                        object: "the rule dump of table bridge \(table)", errno: Errno(rawValue: reply.errno))
                }
                if let (comment, counter) = try parse(message) {
                    let previous = counters[comment] ?? RuleCounter(packets: 0, bytes: 0)
                    counters[comment] = RuleCounter(
                        packets: previous.packets + counter.packets, bytes: previous.bytes + counter.bytes)
                }
            }
        }
        throw .badReply("the rule dump ended early")
    }

    /// The comment and counter of one `NEWRULE` message, if it has both.
    private static func parse(_ message: NetlinkMessage) throws(MirrorError) -> (String, RuleCounter)? {
        guard let rule = nftnl_rule_alloc() else { throw .outOfMemory }
        defer { nftnl_rule_free(rule) }
        let parsed = message.bytes.withUnsafeBytes { raw -> Int32 in
            nftnl_rule_nlmsg_parse(raw.baseAddress!.assumingMemoryBound(to: nlmsghdr.self), rule)
        }
        guard parsed >= 0 else { throw .badReply("a rule in the dump could not be parsed") }
        var length: UInt32 = 0
        guard let data = nftnl_rule_get_data(rule, UInt16(NFTNL_RULE_USERDATA.rawValue), &length),
            let comment = comment(in: UnsafeRawBufferPointer(start: data, count: Int(length)))
        else { return nil }
        guard let iterator = nftnl_expr_iter_create(rule) else { throw .outOfMemory }
        defer { nftnl_expr_iter_destroy(iterator) }
        while let expression = nftnl_expr_iter_next(iterator) {
            guard let name = nftnl_expr_get_str(expression, UInt16(NFTNL_EXPR_NAME)),
                String(cString: name) == "counter"
            else { continue }
            return (
                comment,
                RuleCounter(
                    packets: nftnl_expr_get_u64(expression, UInt16(NFTNL_EXPR_CTR_PACKETS)),
                    bytes: nftnl_expr_get_u64(expression, UInt16(NFTNL_EXPR_CTR_BYTES)))
            )
        }
        return nil
    }

    /// The `NFTNL_UDATA_RULE_COMMENT` TLV of rule userdata.
    static func comment(in userdata: UnsafeRawBufferPointer) -> String? {
        var offset = 0
        while offset + 2 <= userdata.count {
            let type = userdata[offset]
            let length = Int(userdata[offset + 1])
            guard offset + 2 + length <= userdata.count else { return nil }
            if type == UInt8(NFTNL_UDATA_RULE_COMMENT.rawValue) {
                let value = UnsafeRawBufferPointer(rebasing: userdata[(offset + 2)..<(offset + 2 + length)])
                return String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
            }
            offset += 2 + length
        }
        return nil
    }
}
