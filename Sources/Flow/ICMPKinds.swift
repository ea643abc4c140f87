/// Which ICMP and ICMPv6 messages are queries (they make flows), errors (they may be `related`),
/// or neighbour discovery (never tracked).
enum ICMPKinds {
    /// The query a message belongs to: the request's type, and whether this message is the
    /// request; nil for a message that is not a query or its answer.
    @inline(__always)
    static func query(type: UInt8, family: FlowFamily) -> (kind: UInt8, isRequest: Bool)? {
        if family == .ipv4 {
            switch type {
            case 8, 13, 15, 17: return (type, true)  // echo, timestamp, information, address mask
            case 0: return (8, false)
            case 14, 16, 18: return (type - 1, false)
            default: return nil
            }
        }
        switch type {
        case 128, 139: return (type, true)  // echo, node information query
        case 129, 140: return (type - 1, false)
        default: return nil
        }
    }

    /// An error message, which quotes the packet it is about: ICMP destination unreachable,
    /// source quench, redirect, time exceeded, parameter problem; every ICMPv6 type below 128
    /// (destination unreachable, packet too big, time exceeded, parameter problem, ...).
    @inline(__always)
    static func isError(type: UInt8, family: FlowFamily) -> Bool {
        if family == .ipv4 {
            switch type {
            case 3, 4, 5, 11, 12: return true
            default: return false
            }
        }
        return type < 128
    }

    /// ICMPv6 messages nf_conntrack leaves untracked: MLD query, report and done, router and
    /// neighbour solicitation and advertisement, MLDv2 report.
    @inline(__always)
    static func isUntrackedICMPv6(type: UInt8) -> Bool {
        switch type {
        case 130, 131, 132, 133, 134, 135, 136, 143: return true
        default: return false
        }
    }
}
