/// A non-terminal statement.
public struct Statement: Sendable, Hashable {
    public var kind: StatementKind
    public var location: SourceLocation
    public init(kind: StatementKind, location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

public enum StatementKind: Sendable, Hashable {
    /// `FIELD set VALUE`; the field is rewritable and the value a single value of its kind.
    case set(Field, UInt128)
    /// `vlan push ID`.
    case vlanPush(UInt16)
    /// `vlan pop`.
    case vlanPop
    /// `tcp option maxseg size set rt mtu`: the MSS is lowered to the MTU of the port the frame
    /// leaves by less 40 bytes (IPv4) or 60 (IPv6), the IP and TCP headers without options. A
    /// transparent bridge has no route, so the outgoing link stands in for the path.
    case segmentSizeToMTU
    /// `log [prefix "P"] [level L]` (nil: `info`); nft's `flags` are accepted and dropped.
    case log(prefix: String?, level: LogLevel? = nil)
    /// `pcap "FILE"` (path resolved against the policy file's folder).
    case pcap(path: String)
    /// `mirror "IF"`: a copy of the frame as received goes out of that interface.
    case mirror(interface: String)
    /// `add @set { FIELD }` or `update @set { FIELD [timeout T] }`: the frame's value of the
    /// field goes into a dynamic set.
    case setUpdate(SetUpdate)
}
