import CLinuxShim
import Glibc
import Platform

/// Drops a process that started as root to an unprivileged user that keeps only the
/// capabilities the bridge needs.
///
/// Call ``drop(to:keeping:)`` once everything that needs root is open (packet sockets and rings,
/// the TAP device, netlink sockets, the control socket, a metrics port below 1024) and **before
/// any other thread starts**: capabilities belong to threads, and threads started afterwards
/// inherit exactly what the dropping thread kept.
///
/// What each bridge feature needs once running:
/// - CAP_NET_RAW: opening an AF_PACKET socket (at start, and again when a removed port returns).
///   Sockets already open keep working without it: the kernel checks only at `socket()`.
/// - CAP_NET_ADMIN: interface flags, MTU and offloads (SIOCSIF*, SIOCETHTOOL), writing
///   `net.ipv6.conf.*` sysctls, TUNSETIFF, nftables and rtnetlink changes (checked on every
///   netlink message, so the mirror needs it at each reload), SO_RCVBUFFORCE. Putting the ports back
///   at exit needs it too.
/// - Nothing: reading ring statistics (PACKET_STATISTICS), PACKET_QDISC_BYPASS, PACKET_FANOUT,
///   sending and receiving on open sockets, CPU pinning of its own threads.
public enum PrivilegeDrop {
    /// What a successful drop left the process with.
    public struct Outcome: Sendable, Equatable {
        public var user: UserAccount
        public var kept: CapabilitySet
        /// False when the bounding set could not be narrowed (no CAP_SETPCAP): a service manager
        /// that started the process usually narrowed it already.
        public var boundingSetLimited: Bool
    }

    /// Switches every id (real, effective, saved, filesystem) to `user` and its groups, keeps only
    /// `keeping` in the permitted and effective sets of the calling thread (nothing inheritable or
    /// ambient), narrows the bounding set when allowed, and sets no-new-privileges.
    public static func drop(
        to user: String, keeping: CapabilitySet = .bridge
    ) throws(PrivilegeError) -> Outcome {
        let account = try UserAccount.lookUp(user)
        guard account.uid != 0 else { throw .targetIsRoot(user) }
        let euid = geteuid()
        guard euid == 0 else { throw .notRoot(euid: euid) }
        let threads = ProcessStatus.read()?.threads ?? 1
        guard threads == 1 else { throw .threadsRunning(threads) }
        let before = try ThreadCapabilities.current()
        let missing = keeping.subtracting(before.permitted)
        guard missing.isEmpty else { throw .capabilityUnavailable(missing) }
        let limited = ThreadCapabilities.limitBoundingSet(to: keeping)

        // Keep the permitted set across the uid change; the kernel empties the effective set.
        try prctl(PR_SET_KEEPCAPS, 1, "PR_SET_KEEPCAPS")
        defer { _ = cls_prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) }
        guard setgroups(account.groups.count, account.groups) == 0 else {
            throw .systemCall("setgroups", errno: .current)
        }
        guard cls_setresgid(account.gid, account.gid, account.gid) == 0 else {
            throw .systemCall("setresgid(\(account.gid))", errno: .current)
        }
        guard cls_setresuid(account.uid, account.uid, account.uid) == 0 else {
            throw .systemCall("setresuid(\(account.uid))", errno: .current)
        }
        try ThreadCapabilities(effective: keeping, permitted: keeping, inheritable: []).apply()
        try ThreadCapabilities.clearAmbient()
        try prctl(PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS")
        try verify(account)
        return Outcome(user: account, kept: keeping, boundingSetLimited: limited)
    }

    /// Keeps only `keep` (of what the calling thread has) in its permitted and effective sets;
    /// what is dropped cannot come back. Applies to the calling thread only: call it before
    /// starting threads, or on each thread.
    public static func keepOnly(_ keep: CapabilitySet) throws(PrivilegeError) {
        let current = try ThreadCapabilities.current()
        let permitted = current.permitted.intersection(keep)
        try ThreadCapabilities(
            effective: current.effective.intersection(permitted), permitted: permitted, inheritable: []
        ).apply()
    }

    /// Drops `capabilities` from the calling thread for good (e.g. CAP_NET_RAW once every socket
    /// is open, when ports never come back). Calling thread only, as ``keepOnly(_:)``.
    public static func dropCapabilities(_ capabilities: CapabilitySet) throws(PrivilegeError) {
        let current = try ThreadCapabilities.current()
        try keepOnly(current.permitted.subtracting(capabilities))
    }

    /// Whether `user` may open `path` for reading, judged by the kernel itself (mode bits, ACLs and
    /// the search permission of every folder on the way): as root, the calling thread briefly
    /// takes the user's filesystem ids and groups, then takes its own back. Without root it can
    /// only answer for its own user, and otherwise throws ``PrivilegeError/notRoot(euid:)``.
    public static func checkReadable(_ path: String, by user: String) throws(PrivilegeError) {
        let account = try UserAccount.lookUp(user)
        let euid = geteuid()
        if euid == account.uid {
            try openForReading(path, user: user)
            return
        }
        guard euid == 0 else { throw .notRoot(euid: euid) }
        let saved = supplementaryGroups()
        guard cls_thread_setgroups(account.groups.count, account.groups) == 0 else {
            throw .systemCall("setgroups", errno: .current)
        }
        let savedGid = cls_thread_setfsgid(account.gid)
        let savedUid = cls_thread_setfsuid(account.uid)
        let result = Result { () throws(PrivilegeError) in try openForReading(path, user: user) }
        _ = cls_thread_setfsuid(uid_t(bitPattern: savedUid))
        _ = cls_thread_setfsgid(gid_t(bitPattern: savedGid))
        _ = cls_thread_setgroups(saved.count, saved)
        try result.get()
    }

    /// ``checkReadable(_:by:)`` as a yes or no.
    public static func canRead(path: String, as user: String) -> Bool {
        (try? checkReadable(path, by: user)) != nil
    }

    // MARK: Helpers

    private static func prctl(_ option: Int32, _ value: UInt, _ name: String) throws(PrivilegeError) {
        guard cls_prctl(option, value, 0, 0, 0) == 0 else { throw .systemCall("prctl(\(name))", errno: .current) }
    }

    private static func openForReading(_ path: String, user: String) throws(PrivilegeError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .notReadable(path: path, user: user, errno: .current) }
        close(fd)
    }

    private static func supplementaryGroups() -> [gid_t] {
        let count = getgroups(0, nil)
        guard count > 0 else { return [] }
        var groups = [gid_t](repeating: 0, count: Int(count))
        let filled = getgroups(count, &groups)
        return Array(groups.prefix(Int(max(0, filled))))
    }

    /// Checks that the switch took: every uid and gid is the user's, and root cannot come back.
    private static func verify(_ account: UserAccount) throws(PrivilegeError) {
        var real: uid_t = 0
        var effective: uid_t = 0
        var saved: uid_t = 0
        _ = cls_getresuid(&real, &effective, &saved)
        guard real == account.uid, effective == account.uid, saved == account.uid else {
            throw .systemCall("setresuid(\(account.uid)) left \(real)/\(effective)/\(saved)", errno: .notPermitted)
        }
        var realGroup: gid_t = 0
        var effectiveGroup: gid_t = 0
        var savedGroup: gid_t = 0
        _ = cls_getresgid(&realGroup, &effectiveGroup, &savedGroup)
        guard realGroup == account.gid, effectiveGroup == account.gid, savedGroup == account.gid else {
            throw .systemCall("setresgid(\(account.gid))", errno: .notPermitted)
        }
    }
}
