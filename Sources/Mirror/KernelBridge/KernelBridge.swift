import CNftnl
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// The kernel bridge of fail-open mode: both ports enslaved to a Linux bridge that Bridgekeeper
/// creates, so that when Bridgekeeper is not running the kernel forwards between the ports,
/// enforcing the mirror table. While Bridgekeeper runs, the guard table
/// (``NftablesConnection/installGuard(table:)``) stops it forwarding anything.
///
/// The bridge is recognisable by its alias ``marker`` and named `bk-` plus a hash of the port
/// names. It is made to be invisible on the wire: STP off, forward delay 0, no multicast
/// snooping (it must not filter multicast it has not seen joins for), no IPv6 link-local address
/// (no router solicitations or neighbour discovery from the bridge itself), and the link-local
/// group addresses it may forward (01:80:c2:00:00:03 to 0f, e.g. 802.1X and LLDP) forwarded.
///
/// Takeover order, which never lets a frame be forwarded twice: install the guard first, then
/// create (or find) the bridge, commit the mirror, and only then start the userspace loop; on
/// exit the guard vanishes with its socket and the kernel bridge takes over. For fail-closed,
/// remove a bridge found with ``find(enslaving:)`` before starting.
///
/// All requests run in the network namespace of the calling thread.
public enum KernelBridge {
    /// The `IFLA_IFALIAS` that marks a bridge as Bridgekeeper's.
    public static let marker = "bridgekeeper fail-open"

    /// The bridge's interface name for `ports`: `bk-` and 8 hex digits (11 characters).
    public static func name(for ports: MirrorPorts) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in Array(ports.a.utf8) + [0] + Array(ports.b.utf8) {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        let digits = String(hash, radix: 16)
        return "bk-" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Creates the bridge, enslaves both ports and brings it up; returns its name. If a bridge
    /// of Bridgekeeper's already enslaves a port, that bridge is reused; a port enslaved to any
    /// other master is refused (EBUSY) rather than taken from it.
    public static func create(ports: MirrorPorts) throws(MirrorError) -> String {
        let links = try RtnetlinkLinks()
        let portA = try port(ports.a, links)
        let portB = try port(ports.b, links)
        let existing = try ours(enslaving: [portA, portB], links)
        for port in [portA, portB] where port.master != 0 && port.master != existing?.index {
            let owner = try links.link(index: port.master)?.name ?? "link \(port.master)"
            throw .link(
                operation: "take over (it is enslaved to \(owner), which Bridgekeeper did not make)",
                interface: port.name, errno: .resourceBusy)
        }
        if let existing {
            try enslaveAndRaise(bridge: existing, ports: [portA, portB], links)
            return existing.name
        }
        let name = name(for: ports)
        try links.request(
            type: UInt16(RTM_NEWLINK), flags: NLM_F_CREATE | NLM_F_EXCL, operation: "create bridge", subject: name
        ) { header, _ in
            mnl_attr_put_strz(header, UInt16(IFLA_IFNAME), name)
            let linkInfo = mnl_attr_nest_start(header, UInt16(IFLA_LINKINFO))
            mnl_attr_put_strz(header, UInt16(IFLA_INFO_KIND), "bridge")
            let data = mnl_attr_nest_start(header, UInt16(IFLA_INFO_DATA))
            mnl_attr_put_u32(header, UInt16(IFLA_BR_STP_STATE), 0)
            mnl_attr_put_u32(header, UInt16(IFLA_BR_FORWARD_DELAY), 0)
            mnl_attr_put_u16(header, UInt16(IFLA_BR_GROUP_FWD_MASK), 0xfff8)
            mnl_attr_put_u8(header, UInt16(IFLA_BR_MCAST_SNOOPING), 0)
            mnl_attr_nest_end(header, data)
            mnl_attr_nest_end(header, linkInfo)
        }
        do throws(MirrorError) {
            guard let bridge = try links.link(named: name) else { throw .noSuchInterface(name) }
            try links.request(type: UInt16(RTM_NEWLINK), flags: 0, operation: "label bridge", subject: name) {
                header, info in
                info.pointee.ifi_index = bridge.index
                mnl_attr_put_strz(header, UInt16(IFLA_IFALIAS), marker)
            }
            // No IPv6 address on the bridge; a kernel without IPv6 refuses the attribute, which is fine.
            _ = try? links.request(
                type: UInt16(RTM_NEWLINK), flags: 0, operation: "turn off IPv6 addresses on", subject: name
            ) { header, info in
                info.pointee.ifi_index = bridge.index
                let spec = mnl_attr_nest_start(header, UInt16(IFLA_AF_SPEC))
                let inet6 = mnl_attr_nest_start(header, UInt16(AF_INET6))
                mnl_attr_put_u8(header, UInt16(IFLA_INET6_ADDR_GEN_MODE), UInt8(IN6_ADDR_GEN_MODE_NONE.rawValue))
                mnl_attr_nest_end(header, inet6)
                mnl_attr_nest_end(header, spec)
            }
            try enslaveAndRaise(bridge: bridge, ports: [portA, portB], links)
            return name
        } catch {
            try? delete(name, links)
            throw error
        }
    }

    /// The name of a bridge of Bridgekeeper's (by its alias) that enslaves either port.
    public static func find(enslaving ports: MirrorPorts) throws(MirrorError) -> String? {
        let links = try RtnetlinkLinks()
        return try ours(enslaving: [try port(ports.a, links), try port(ports.b, links)], links)?.name
    }

    /// Deletes the bridge (the kernel releases its ports, which stay up). A missing bridge is
    /// not an error; a link that is not a bridge of Bridgekeeper's is refused.
    public static func remove(name: String) throws(MirrorError) {
        let links = try RtnetlinkLinks()
        guard let link = try links.link(named: name) else { return }
        guard link.kind == "bridge", link.alias == marker else {
            throw .link(
                operation: "remove (it is not a bridge Bridgekeeper made)", interface: name, errno: .notPermitted)
        }
        try delete(name, links)
    }

    private static func port(_ name: String, _ links: RtnetlinkLinks) throws(MirrorError) -> LinkInfo {
        guard let link = try links.link(named: name) else { throw .noSuchInterface(name) }
        return link
    }

    private static func ours(enslaving ports: [LinkInfo], _ links: RtnetlinkLinks) throws(MirrorError) -> LinkInfo? {
        for port in ports where port.master != 0 {
            if let master = try links.link(index: port.master), master.kind == "bridge", master.alias == marker {
                return master
            }
        }
        return nil
    }

    private static func enslaveAndRaise(bridge: LinkInfo, ports: [LinkInfo], _ links: RtnetlinkLinks)
        throws(MirrorError)
    {
        for port in ports where port.master != bridge.index {
            try links.request(
                type: UInt16(RTM_NEWLINK), flags: 0, operation: "enslave to \(bridge.name)", subject: port.name
            ) { header, info in
                info.pointee.ifi_index = port.index
                mnl_attr_put_u32(header, UInt16(IFLA_MASTER), UInt32(bitPattern: bridge.index))
            }
        }
        for link in ports + [bridge] {
            try links.request(type: UInt16(RTM_NEWLINK), flags: 0, operation: "bring up", subject: link.name) {
                _, info in
                info.pointee.ifi_index = link.index
                info.pointee.ifi_flags = interfaceUp
                info.pointee.ifi_change = interfaceUp
            }
        }
    }

    /// `IFF_UP` (imported as an enum from glibc or as a macro from the uapi headers, depending
    /// on which module clang sees first).
    private static let interfaceUp: UInt32 = 0x1

    private static func delete(_ name: String, _ links: RtnetlinkLinks) throws(MirrorError) {
        try links.request(type: UInt16(RTM_DELLINK), flags: 0, operation: "remove bridge", subject: name) {
            header, _ in
            mnl_attr_put_strz(header, UInt16(IFLA_IFNAME), name)
        }
    }
}
