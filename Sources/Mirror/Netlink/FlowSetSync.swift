import CNftnl
import Platform

/// Keeping the kernel's flow sets (``FlowEmulation``) in step with Bridgekeeper's flow table,
/// over the mirror's own connection.
extension NftablesConnection {
    /// The most elements one netlink message carries.
    static let elementsPerMessage = 256

    /// Adds `entries` to the flow sets of `table` (each to the set of its kind: `est` when
    /// answered, `new` otherwise), or refreshes them, each with its own timeout (its remaining
    /// time, at least a millisecond). One transaction: an element that exists is added, deleted
    /// and added again, so its timeout becomes the one given on every kernel (older ones keep
    /// an existing element's timeout on a plain add). Flows of kinds the sets do not hold
    /// (``KernelFlow/isKept``) are skipped.
    public func addFlows(_ entries: [KernelFlowEntry], table: String = FlowTablePlan.defaultTable)
        throws(MirrorError)
    {
        var bySet: [String: [(key: [UInt8], timeout: UInt64?)]] = [:]
        for entry in entries where entry.flow.isKept {
            let milliseconds = max(1, entry.remaining / 1_000_000)
            bySet[entry.flow.setName, default: []].append((entry.flow.key, milliseconds))
        }
        try changeElements(bySet, table: table, keepAfter: true)
    }

    /// Removes `flows` from the flow sets of `table`; a flow that is not there is not an error.
    public func removeFlows(_ flows: [KernelFlow], table: String = FlowTablePlan.defaultTable) throws(MirrorError) {
        var bySet: [String: [(key: [UInt8], timeout: UInt64?)]] = [:]
        for flow in flows where flow.isKept { bySet[flow.setName, default: []].append((flow.key, nil)) }
        try changeElements(bySet, table: table, keepAfter: false)
    }

    /// Every flow the flow sets of `table` hold, with the time each has left: what a bridge
    /// that restarts after a crash in fail-open reads back into its flow table. Empty when the
    /// table does not exist.
    public func flows(table: String = FlowTablePlan.defaultTable) throws(MirrorError) -> [KernelFlowEntry] {
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) -> [KernelFlowEntry] in
            var entries: [KernelFlowEntry] = []
            for name in FlowEmulation.setNames {
                do throws(MirrorError) {
                    entries += try FlowSetDump.read(set: name, table: table, state: &state)
                } catch {
                    // No such table or set: nothing was left in it.
                    guard case .rejected(_, .noSuchFileOrDirectory) = error else { throw error }
                }
            }
            return entries
        }
    }

    private func changeElements(
        _ bySet: [String: [(key: [UInt8], timeout: UInt64?)]], table: String, keepAfter: Bool
    ) throws(MirrorError) {
        guard !bySet.isEmpty else { return }
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) in
            var batch = NftBatch(firstSequence: state.sequence, generation: nil)
            for (set, keys) in bySet.sorted(by: { $0.key < $1.key }) {
                var start = 0
                while start < keys.count {
                    let chunk = Array(keys[start..<min(start + Self.elementsPerMessage, keys.count)])
                    let bare = chunk.map { (key: $0.key, timeout: UInt64?.none) }
                    // Add (so the delete cannot fail), delete, and add again with the timeout.
                    try batch.elements(bare, set: set, table: table, delete: false)
                    try batch.elements(bare, set: set, table: table, delete: true)
                    if keepAfter { try batch.elements(chunk, set: set, table: table, delete: false) }
                    start += Self.elementsPerMessage
                }
            }
            try Self.send(&batch, &state)
        }
    }
}

/// Reads one flow set's elements (`NFT_MSG_GETSETELEM` dump).
enum FlowSetDump {
    static func read(set name: String, table: String, state: inout NftablesConnectionState) throws(MirrorError)
        -> [KernelFlowEntry]
    {
        let socket = state.socket
        socket.drain()
        let seq = state.sequence
        state.sequence &+= 1
        guard let template = nftnl_set_alloc() else { throw .outOfMemory }
        defer { nftnl_set_free(template) }
        nftnl_set_set_str(template, UInt16(NFTNL_SET_TABLE.rawValue), table)
        nftnl_set_set_str(template, UInt16(NFTNL_SET_NAME.rawValue), name)
        nftnl_set_set_u32(template, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(NftBatch.family))
        var request = [UInt8](repeating: 0, count: 1024 + table.utf8.count + name.utf8.count)
        let length = request.withUnsafeMutableBytes { raw -> Int in
            let buffer = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            let header = nftnl_nlmsg_build_hdr(
                buffer, UInt16(NFT_MSG_GETSETELEM.rawValue), NftBatch.family, UInt16(NLM_F_DUMP), seq)
            nftnl_set_elems_nlmsg_build_payload(header, template)
            return Int(raw.load(as: UInt32.self))
        }
        try socket.send(Array(request[0..<length]), purpose: "the flow set dump request")
        var entries: [KernelFlowEntry] = []
        while let datagram = try socket.receiveReply(wait: true) {
            for message in NetlinkMessage.split(datagram) where message.sequence == seq {
                if message.type == NetlinkMessage.done { return entries }
                if let reply = message.errorReply {
                    guard reply.errno != 0 else { continue }
                    throw .rejected(object: "the dump of set \"\(name)\"", errno: Errno(rawValue: reply.errno))
                }
                entries += try parse(message, set: name)
            }
        }
        throw .badReply("the flow set dump ended early")
    }

    private static func parse(_ message: NetlinkMessage, set name: String) throws(MirrorError) -> [KernelFlowEntry] {
        guard let set = nftnl_set_alloc() else { throw .outOfMemory }
        defer { nftnl_set_free(set) }
        let parsed = message.bytes.withUnsafeBytes { raw -> Int32 in
            nftnl_set_elems_nlmsg_parse(raw.baseAddress!.assumingMemoryBound(to: nlmsghdr.self), set)
        }
        guard parsed >= 0 else { throw .badReply("a flow set element could not be parsed") }
        guard let iterator = nftnl_set_elems_iter_create(set) else { throw .outOfMemory }
        defer { nftnl_set_elems_iter_destroy(iterator) }
        var entries: [KernelFlowEntry] = []
        var element = nftnl_set_elems_iter_cur(iterator)
        while let item = element {
            var length: UInt32 = 0
            if let data = nftnl_set_elem_get(item, UInt16(NFTNL_SET_ELEM_KEY), &length) {
                let key = Array(UnsafeRawBufferPointer(start: data, count: Int(length)))
                if let flow = KernelFlow(key: key, setName: name) {
                    let milliseconds = nftnl_set_elem_get_u64(item, UInt16(NFTNL_SET_ELEM_EXPIRATION))
                    entries.append(KernelFlowEntry(flow: flow, remaining: milliseconds &* 1_000_000))
                }
            }
            element = nftnl_set_elems_iter_next(iterator)
        }
        return entries
    }
}
