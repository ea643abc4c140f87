import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// Why talking to the kernel (nftables or rtnetlink) failed, in words an operator can act on.
public enum MirrorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A netlink socket could not be opened, bound, configured, or written to.
    case socket(operation: String, errno: Errno)
    /// The kernel rejected an object of a batch; the whole batch was rolled back.
    /// `object` names it: `rule "no-telnet" (rule 3)`, `set "blocked"`, `table bridge bridgekeeper`.
    case rejected(object: String, errno: Errno)
    /// The ruleset kept changing between reading its generation and committing (ERESTART).
    case generationChanged(attempts: Int)
    /// The kernel's reply could not be read or made no sense.
    case badReply(String)
    /// A libnftnl object could not be allocated.
    case outOfMemory
    /// An interface the kernel bridge needs does not exist.
    case noSuchInterface(String)
    /// An rtnetlink request about a link failed.
    case link(operation: String, interface: String, errno: Errno)

    /// The failure in one line, e.g. `nftables rejected rule "no-telnet" (rule 3): No such file or directory`.
    public var description: String {
        switch self {
        case .socket(let operation, let code):
            return "cannot \(operation): \(code)\(Self.hint(code))"
        case .rejected(let object, let code):
            return "nftables rejected \(object): \(code)\(Self.hint(code))"
        case .generationChanged(let attempts):
            return "the nftables ruleset changed during each of \(attempts) attempts to commit the mirror; "
                + "nothing was applied"
        case .badReply(let what):
            return "unexpected netlink reply: \(what)"
        case .outOfMemory:
            return "out of memory building nftables objects"
        case .noSuchInterface(let name):
            return "no interface named \"\(name)\" (check the port names)"
        case .link(let operation, let interface, let code):
            return "cannot \(operation) \(interface): \(code)\(Self.hint(code))"
        }
    }

    /// The errno of the failure, when there is one.
    public var errno: Errno? {
        switch self {
        case .socket(_, let code), .rejected(_, let code), .link(_, _, let code): return code
        default: return nil
        }
    }

    private static func hint(_ code: Errno) -> String {
        code == .notPermitted ? " (needs root or CAP_NET_ADMIN, or the object is owned by another process)" : ""
    }
}
