import CLinuxShim
import Glibc
import Platform

/// The capability sets of the calling thread (`capget`/`capset`), plus the ambient and bounding sets.
public struct ThreadCapabilities: Sendable, Equatable {
    public var effective: CapabilitySet
    public var permitted: CapabilitySet
    public var inheritable: CapabilitySet

    /// The calling thread's sets.
    public static func current() throws(PrivilegeError) -> ThreadCapabilities {
        var sets = cls_capability_sets()
        guard cls_capget(&sets) == 0 else { throw .systemCall("capget", errno: .current) }
        return ThreadCapabilities(
            effective: CapabilitySet(rawValue: sets.effective), permitted: CapabilitySet(rawValue: sets.permitted),
            inheritable: CapabilitySet(rawValue: sets.inheritable))
    }

    /// Sets the calling thread's sets (other threads keep theirs).
    public func apply() throws(PrivilegeError) {
        var sets = cls_capability_sets(
            effective: effective.rawValue, permitted: permitted.rawValue, inheritable: inheritable.rawValue)
        guard cls_capset(&sets) == 0 else {
            let code = Errno.current
            if code == .notPermitted, let current = try? ThreadCapabilities.current() {
                let missing = permitted.subtracting(current.permitted)
                if !missing.isEmpty { throw .capabilityUnavailable(missing) }
            }
            throw .systemCall("capset(\(permitted))", errno: code)
        }
    }

    /// The highest capability number this kernel knows (`/proc/sys/kernel/cap_last_cap`).
    public static var lastCapability: Int {
        guard let text = ProcessStatus.readSmallFile("/proc/sys/kernel/cap_last_cap"),
            let value = Int(text.split(separator: "\n").first ?? "")
        else { return 40 }
        return value
    }

    /// Empties the ambient set, so nothing is handed to programs this process might run.
    public static func clearAmbient() throws(PrivilegeError) {
        guard cls_prctl(PR_CAP_AMBIENT, UInt(PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0) == 0 else {
            throw .systemCall("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", errno: .current)
        }
    }

    /// Removes every capability not in `keep` from the bounding set, when the thread may
    /// (CAP_SETPCAP); returns false when it may not (a service manager usually did it already).
    @discardableResult
    public static func limitBoundingSet(to keep: CapabilitySet) -> Bool {
        for number in 0...lastCapability where !keep.contains(number: number) {
            guard cls_prctl(PR_CAPBSET_READ, UInt(number), 0, 0, 0) == 1 else { continue }
            if cls_prctl(PR_CAPBSET_DROP, UInt(number), 0, 0, 0) != 0 { return false }
        }
        return true
    }
}
