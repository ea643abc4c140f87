import CNftnl

/// The fail-open guard for a mirror whose chains hook prerouting.
extension NftablesConnection {
    /// ``installGuard(table:)`` for `plan`: when the plan's chains hook prerouting (the kernel has
    /// bridge `reject`, which the bridge family allows only there), the guard also drops every
    /// frame in a prerouting chain at priority -300, before the mirror's chains, so the kernel
    /// neither answers nor learns flows while Bridgekeeper runs. Otherwise it is the plain guard.
    public func installGuard(for plan: MirrorPlan, table: String = "bridgekeeper_guard") throws(MirrorError) {
        guard plan.hooksPrerouting else { return try installGuard(table: table) }
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) in
            var batch = NftBatch(firstSequence: state.sequence, generation: nil)
            try batch.newTable(table, exclusive: false)
            try batch.deleteTable(table)
            try batch.newTable(table, exclusive: true, flags: UInt32(NFT_TABLE_F_OWNER.rawValue))
            for (name, hook, priority) in [
                ("forward", NftBaseChain.bridgeForward, Int32(-200)),
                ("prerouting", NftBaseChain.bridgePrerouting, Int32(-300)),
            ] {
                try batch.newChain(
                    NftChain(name: name, base: NftBaseChain(hook: hook, priority: priority, policy: .drop)),
                    table: table)
                try batch.newRule(
                    NftRule(
                        chain: name, expressions: [.counter], comment: "bridgekeeper-running", text: "counter",
                        origin: nil), table: table)
            }
            try Self.send(&batch, &state)
        }
    }
}

extension MirrorPlan {
    /// The mirror's base chains hook prerouting rather than forward (native `reject`).
    public var hooksPrerouting: Bool { chains.contains { $0.base?.hook == NftBaseChain.bridgePrerouting } }
}
