import Flow

/// Between Bridgekeeper's flow table and the kernel's flow sets.
extension KernelFlow {
    /// The kernel's form of a flow-table tuple (in its originator's orientation); nil for flows
    /// the sets do not hold: other protocols than TCP, UDP and ICMP/ICMPv6 echo. The kernel's key
    /// has no VLAN ids.
    public init?(_ tuple: FlowTuple, answered: Bool) {
        let family: Family = tuple.family == .ipv4 ? .ipv4 : .ipv6
        let echo = family == .ipv4 ? (1, 8) : (58, 128)
        let address = { (value: UInt128) -> UInt128 in family == .ipv4 ? UInt128(FlowAddress.ipv4(value)) : value }
        switch tuple.ipProtocol {
        case 6, 17:
            self.init(
                family: family, ipProtocol: tuple.ipProtocol, source: address(tuple.source),
                destination: address(tuple.destination), sourcePort: tuple.sourcePort,
                destinationPort: tuple.destinationPort, answered: answered)
        case UInt8(echo.0) where tuple.destinationPort == UInt16(echo.1):
            self.init(
                family: family, ipProtocol: tuple.ipProtocol, source: address(tuple.source),
                destination: address(tuple.destination), sourcePort: tuple.sourcePort, destinationPort: 0,
                answered: answered)
        default:
            return nil
        }
    }

    /// The flow-table tuple of a kernel flow (VLAN ids 0), to restore after a restart.
    public var tuple: FlowTuple {
        let ipv4 = family == .ipv4
        let address = { (value: UInt128) -> UInt128 in
            ipv4 ? FlowAddress.mapped(UInt32(truncatingIfNeeded: value)) : value
        }
        let echo = isEcho
        return FlowTuple(
            family: ipv4 ? .ipv4 : .ipv6, ipProtocol: ipProtocol, source: address(source),
            destination: address(destination), sourcePort: sourcePort,
            destinationPort: echo ? (ipv4 ? 8 : 128) : destinationPort)
    }
}
