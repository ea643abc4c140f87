import CNftnl
import Platform
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Packet and byte counts of one nft rule, as the kernel keeps them. Bytes count from the
/// network header (the frame's length minus its Ethernet header and the VLAN tag the kernel
/// took off).
public struct RuleCounter: Sendable, Hashable {
    /// Frames the rule matched.
    public var packets: UInt64
    /// Their bytes, from the network header on.
    public var bytes: UInt64

    public init(packets: UInt64, bytes: UInt64) {
        self.packets = packets
        self.bytes = bytes
    }
}

/// Bridgekeeper's long-lived netlink socket to nftables: commits the mirror, reads its
/// counters back, removes it, and holds the fail-open guard table.
///
/// Open one per process and keep it for the process's life: the guard table is owned by this
/// socket (`NFT_TABLE_F_OWNER`), so the kernel deletes it when the socket closes (the object is
/// released, the process exits or is killed), and only this socket may change it meanwhile.
/// The socket lives in the network namespace of the thread that created the object. Calls are
/// serialised; the object may be shared between threads.
public final class NftablesConnection: Sendable {
    /// How many times ``commit(_:)`` retries when the ruleset changes under it.
    public static let commitAttempts = 5

    let state: Mutex<NftablesConnectionState>

    /// Opens and binds the socket.
    public init() throws(MirrorError) {
        let socket = try NetlinkSocket.opened(bus: NetlinkSocket.netfilter, purpose: "nftables")
        state = Mutex(
            NftablesConnectionState(socket: socket, sequence: UInt32(truncatingIfNeeded: time(nil)), beforeSend: nil))
    }

    /// The netlink port id of the socket (the owner the kernel records for the guard table).
    public var portID: UInt32 { state.withLock { $0.socket.portID } }

    /// How many batches the last ``commit(_:)`` sent (more than one when the ruleset changed
    /// under it).
    var lastCommitAttempts: Int { state.withLock { $0.lastCommitAttempts } }

    /// Test hook: runs once before the next batch is sent, after the generation was read.
    func setBeforeSend(_ hook: (@Sendable () -> Void)?) {
        state.withLock { $0.beforeSend = hook }
    }

    // MARK: Mirror

    /// Replaces table `bridge plan.table` with the plan in one transaction:
    /// `BEGIN(genid) NEWTABLE DELTABLE NEWTABLE(EXCL) NEWOBJ... NEWSET+NEWSETELEM... NEWCHAIN...
    /// NEWRULE... END`, after putting the flow emulation's table in step (``NftBatch/addMirror(_:)``:
    /// kept with its flows when the plan has one, removed when not).
    ///
    /// The batch is conditional on the ruleset generation read just before it; if another
    /// process changed the ruleset in between (ERESTART) the generation is read again and the
    /// batch resent, up to ``commitAttempts`` times. Success means the kernel sent no error for
    /// any message; on any error nothing of the batch is applied, the previous table stays, and
    /// the error names the object that caused it.
    public func commit(_ plan: MirrorPlan) throws(MirrorError) {
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) in
            for attempt in 1...Self.commitAttempts {
                state.lastCommitAttempts = attempt
                let generation = try Self.generation(&state)
                var batch = NftBatch(firstSequence: state.sequence, generation: generation)
                try batch.addMirror(plan)
                if let hook = state.beforeSend {
                    state.beforeSend = nil
                    hook()
                }
                do throws(MirrorError) {
                    try Self.send(&batch, &state)
                    return
                } catch {
                    guard case .rejected(_, let code) = error, code.rawValue == ERESTART else { throw error }
                }
            }
            throw .generationChanged(attempts: Self.commitAttempts)
        }
    }

    /// Deletes table `bridge name` with everything in it; a missing table is not an error.
    public func removeTable(named name: String) throws(MirrorError) {
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) in
            var batch = NftBatch(firstSequence: state.sequence, generation: nil)
            try batch.deleteTable(name)
            do throws(MirrorError) {
                try Self.send(&batch, &state)
            } catch {
                guard case .rejected(_, .noSuchFileOrDirectory) = error else { throw error }
            }
        }
    }

    /// The kernel's counters of the rules of table `bridge table`, by rule comment (the policy
    /// rule's name; a policy rule's nft rules in every chain add up). Rules without a comment or
    /// counter are skipped.
    public func counters(table: String) throws(MirrorError) -> [String: RuleCounter] {
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) in
            var lastError = MirrorError.badReply("the rule dump was interrupted")
            for _ in 1...Self.commitAttempts {
                do throws(MirrorError) {
                    return try CounterDump.read(table: table, chain: nil, state: &state)
                } catch {
                    guard case .badReply(CounterDump.interrupted) = error else { throw error }
                    lastError = .badReply("the rule dump kept being interrupted by ruleset changes")
                }
            }
            throw lastError
        }
    }

    /// The ruleset's current generation id (`NFT_MSG_GETGEN`).
    public func generation() throws(MirrorError) -> UInt32 {
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) in try Self.generation(&state) }
    }

    // MARK: Fail-open guard

    /// Creates table `bridge table` owned by this socket, with a `forward` chain at priority
    /// -200 whose policy is drop (and a counter rule), in one transaction: while it exists the
    /// kernel bridge forwards nothing, and it vanishes when this socket closes. An existing
    /// guard of this socket is replaced; one owned by another live process makes this fail with
    /// EPERM (another Bridgekeeper holds the ports).
    public func installGuard(table: String = "bridgekeeper_guard") throws(MirrorError) {
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) in
            var batch = NftBatch(firstSequence: state.sequence, generation: nil)
            try batch.newTable(table, exclusive: false)
            try batch.deleteTable(table)
            try batch.newTable(table, exclusive: true, flags: UInt32(NFT_TABLE_F_OWNER.rawValue))
            let chain = NftChain(
                name: "forward", base: NftBaseChain(hook: NftBaseChain.bridgeForward, priority: -200, policy: .drop))
            try batch.newChain(chain, table: table)
            try batch.newRule(
                NftRule(
                    chain: "forward", expressions: [.counter], comment: "bridgekeeper-running", text: "counter",
                    origin: nil), table: table)
            try Self.send(&batch, &state)
        }
    }

    /// Deletes the guard table (the kernel bridge starts forwarding with the mirror's rules).
    public func removeGuard(table: String = "bridgekeeper_guard") throws(MirrorError) {
        try removeTable(named: table)
    }

    // MARK: Plumbing

    static func send(_ batch: inout NftBatch, _ state: inout NftablesConnectionState) throws(MirrorError) {
        let bytes = batch.finish()
        state.sequence = batch.nextSequence
        state.socket.drain()
        state.socket.reserveBuffers(bytes.count + 65536)
        try state.socket.send(bytes, purpose: "the nftables batch")
        // The kernel runs the whole batch inside the send; its replies are already queued.
        var errors: [(errno: Int32, sequence: UInt32)] = []
        while let datagram = try state.socket.receiveReply(wait: false) {
            for message in NetlinkMessage.split(datagram) {
                if let reply = message.errorReply, reply.errno != 0 { errors.append(reply) }
            }
        }
        guard let first = errors.first(where: { $0.errno != ERESTART }) ?? errors.first else { return }
        let object = batch.objects[first.sequence] ?? "message \(first.sequence) of the batch"
        throw .rejected(object: object, errno: Errno(rawValue: first.errno))
    }

    private static func generation(_ state: inout NftablesConnectionState) throws(MirrorError) -> UInt32 {
        state.socket.drain()
        let seq = state.sequence
        state.sequence &+= 1
        var request = [UInt8](repeating: 0, count: 64)
        let length = request.withUnsafeMutableBytes { raw -> Int in
            let buffer = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            _ = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_GETGEN.rawValue), UInt16(AF_UNSPEC), 0, seq)
            return Int(raw.load(as: UInt32.self))
        }
        try state.socket.send(Array(request[0..<length]), purpose: "the generation request")
        while let datagram = try state.socket.receiveReply(wait: true) {
            for message in NetlinkMessage.split(datagram) where message.sequence == seq {
                if let reply = message.errorReply {
                    throw .rejected(object: "the generation request", errno: Errno(rawValue: reply.errno))
                }
                // nfgenmsg (4 bytes), then NFTA_GEN_ID (big-endian u32).
                let attributes = message.attributes(from: 4)
                if let value = attributes[UInt16(NFTA_GEN_ID.rawValue)], let id = NetlinkMessage.bigEndianU32(value) {
                    return id
                }
                throw .badReply("the generation reply has no id")
            }
        }
        throw .badReply("no generation reply")
    }
}

/// The socket and sequence counter behind an ``NftablesConnection``'s lock.
struct NftablesConnectionState: ~Copyable {
    var socket: NetlinkSocket
    var sequence: UInt32
    /// Called between reading the generation and sending a batch (tests change the ruleset
    /// there to exercise the retry).
    var beforeSend: (@Sendable () -> Void)?
    var lastCommitAttempts = 0
    /// What the kernel accepts, once probed (``NftablesConnection/capabilities()``).
    var capabilities: KernelCapabilities?
}

extension NftBaseChain {
    /// `NF_BR_FORWARD`.
    public static let bridgeForward: UInt32 = 2
}
