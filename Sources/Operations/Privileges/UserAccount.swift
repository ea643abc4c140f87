import CLinuxShim
import Glibc
import Platform

/// A user from the password database, with the groups it belongs to.
public struct UserAccount: Sendable, Equatable {
    public var name: String
    public var uid: uid_t
    /// The primary group.
    public var gid: gid_t
    /// Every group the user is in, the primary one first (as `initgroups` would set them).
    public var groups: [gid_t]

    /// Looks `name` up with `getpwnam_r` and `getgrouplist`.
    public static func lookUp(_ name: String) throws(PrivilegeError) -> UserAccount {
        guard !name.isEmpty else { throw .unknownUser(name) }
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &found)
        guard status == 0 else { throw .lookupFailed(user: name, errno: Errno(rawValue: status)) }
        guard found != nil else { throw .unknownUser(name) }
        let uid = entry.pw_uid
        let gid = entry.pw_gid
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(name, gid, &groups, &count) < 0 {
            guard count > Int32(groups.count) else { break }
            groups = [gid_t](repeating: 0, count: Int(count))
        }
        var list = [gid]
        for group in groups.prefix(Int(max(0, count))) where !list.contains(group) { list.append(group) }
        return UserAccount(name: name, uid: uid, gid: gid, groups: list)
    }
}
