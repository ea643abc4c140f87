import Glibc
import Platform

/// Why privileges could not be dropped (or a file checked); each reads as one line saying what to do.
public enum PrivilegeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such user in the password database.
    case unknownUser(String)
    /// `getpwnam_r` itself failed.
    case lookupFailed(user: String, errno: Errno)
    /// `--user` names root (uid 0): nothing would be dropped.
    case targetIsRoot(String)
    /// The process does not run as root, so it cannot switch users.
    case notRoot(euid: uid_t)
    /// Other threads already run: a switch now would leave them with different credentials.
    case threadsRunning(Int)
    /// A capability to keep is not in the permitted set (a bounding set without it, for instance).
    case capabilityUnavailable(CapabilitySet)
    /// A system call failed.
    case systemCall(String, errno: Errno)
    /// `user` cannot open `path` for reading.
    case notReadable(path: String, user: String, errno: Errno)

    public var description: String {
        switch self {
        case .unknownUser(let name):
            return "there is no user named \"\(name)\" (create it: useradd --system --no-create-home \(name))"
        case .lookupFailed(let name, let code):
            return "cannot look up user \"\(name)\": \(code)"
        case .targetIsRoot(let name):
            return "--user \(name) is root: name an unprivileged user for the bridge to run as"
        case .notRoot(let euid):
            return
                "--user needs bridgekeeper to start as root (it runs as uid \(euid)); under systemd use User= with AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN instead"
        case .threadsRunning(let count):
            return "cannot drop privileges with \(count) threads running: drop them before starting any thread"
        case .capabilityUnavailable(let missing):
            return
                "cannot keep \(missing): the process does not have it (add it to CapabilityBoundingSet=, or run as root)"
        case .systemCall(let call, let code):
            return "cannot drop privileges: \(call): \(code)"
        case .notReadable(let path, let user, let code):
            return
                "\(path) is not readable by user \(user) (\(code)); let its group read it: chgrp \(user) \(path) && chmod g+r \(path)"
        }
    }
}
