import Frame
import Policy

/// A policy field as the hot path names it: one byte, switched over without strings.
public enum FieldCode: UInt8, Sendable, CaseIterable {
    case iif
    case etherSaddr
    case etherDaddr
    case etherType
    case vlanID
    case vlanPCP
    case arpOperation
    case ipSaddr
    case ipDaddr
    case ipProtocol
    case ipDSCP
    case ipECN
    case ipTTL
    case ip6Saddr
    case ip6Daddr
    case ip6Nexthdr
    case ip6Hoplimit
    case ip6DSCP
    case tcpSport
    case tcpDport
    case tcpFlags
    case udpSport
    case udpDport
    case icmpType
    case icmpv6Type
    case metaL4proto
    case metaLength
    /// Set from the flow table by the pipeline, not from the frame.
    case ctState
    case ctDirection
    /// nft's `th sport` / `th dport`: the port of a TCP or UDP frame.
    case thSport
    case thDport
    /// The TCP MSS option's value: read from the frame's bytes by the pipeline when a policy uses
    /// it (the parse does not walk TCP options), never by ``FrameInfo/value(of:port:)``.
    case tcpMSS
    /// The ARP address fields (Ethernet/IPv4 ARP only), after every older code so those keep
    /// their presence bits and slots.
    case arpSaddrIP
    case arpDaddrIP
    case arpSaddrEther
    case arpDaddrEther

    /// The code for a language field.
    public init(_ field: Field) {
        switch field {
        case .iif: self = .iif
        case .etherSaddr: self = .etherSaddr
        case .etherDaddr: self = .etherDaddr
        case .etherType: self = .etherType
        case .vlanID: self = .vlanID
        case .vlanPCP: self = .vlanPCP
        case .arpOperation: self = .arpOperation
        case .arpSaddrIP: self = .arpSaddrIP
        case .arpDaddrIP: self = .arpDaddrIP
        case .arpSaddrEther: self = .arpSaddrEther
        case .arpDaddrEther: self = .arpDaddrEther
        case .ipSaddr: self = .ipSaddr
        case .ipDaddr: self = .ipDaddr
        case .ipProtocol: self = .ipProtocol
        case .ipDSCP: self = .ipDSCP
        case .ipECN: self = .ipECN
        case .ipTTL: self = .ipTTL
        case .ip6Saddr: self = .ip6Saddr
        case .ip6Daddr: self = .ip6Daddr
        case .ip6Nexthdr: self = .ip6Nexthdr
        case .ip6Hoplimit: self = .ip6Hoplimit
        case .ip6DSCP: self = .ip6DSCP
        case .tcpSport: self = .tcpSport
        case .tcpDport: self = .tcpDport
        case .tcpFlags: self = .tcpFlags
        case .udpSport: self = .udpSport
        case .udpDport: self = .udpDport
        case .icmpType: self = .icmpType
        case .icmpv6Type: self = .icmpv6Type
        case .metaL4proto: self = .metaL4proto
        case .metaLength: self = .metaLength
        case .ctState: self = .ctState
        case .ctDirection: self = .ctDirection
        case .thSport: self = .thSport
        case .thDport: self = .thDport
        case .tcpMSS: self = .tcpMSS
        }
    }
}

extension FrameInfo {
    /// The value of `field` in this frame as it arrived on `port` (0 = a, 1 = b), or nil when the
    /// frame does not have the field. A field the frame lacks never equals anything.
    @inlinable @inline(__always)
    public func value(of field: FieldCode, port: UInt8) -> UInt128? {
        switch field {
        case .iif:
            return UInt128(port)
        case .etherSaddr:
            return present.contains(.ethernet) ? UInt128(sourceMAC) : nil
        case .etherDaddr:
            return present.contains(.ethernet) ? UInt128(destinationMAC) : nil
        case .etherType:
            return present.contains(.ethernet) ? UInt128(etherType) : nil
        case .vlanID:
            return present.contains(.vlan) ? UInt128(outerVLANTCI & 0x0fff) : nil
        case .vlanPCP:
            return present.contains(.vlan) ? UInt128(outerVLANTCI >> 13) : nil
        case .arpOperation:
            return present.contains(.arp) ? UInt128(arpOperation) : nil
        case .arpSaddrIP:
            return present.contains(.arpAddresses) ? UInt128(arpSenderIP) : nil
        case .arpDaddrIP:
            return present.contains(.arpAddresses) ? UInt128(arpTargetIP) : nil
        case .arpSaddrEther:
            return present.contains(.arpAddresses) ? UInt128(arpSenderMAC) : nil
        case .arpDaddrEther:
            return present.contains(.arpAddresses) ? UInt128(arpTargetMAC) : nil
        case .ipSaddr:
            return present.contains(.ipv4) ? UInt128(ipv4Source) : nil
        case .ipDaddr:
            return present.contains(.ipv4) ? UInt128(ipv4Destination) : nil
        case .ipProtocol:
            return present.contains(.ipv4) ? UInt128(ipProtocol) : nil
        case .ipDSCP:
            return present.contains(.ipv4) ? UInt128(dscp) : nil
        case .ipECN:
            return present.contains(.ipv4) ? UInt128(ecn) : nil
        case .ipTTL:
            return present.contains(.ipv4) ? UInt128(ttl) : nil
        case .ip6Saddr:
            return present.contains(.ipv6) ? ipv6Source : nil
        case .ip6Daddr:
            return present.contains(.ipv6) ? ipv6Destination : nil
        case .ip6Nexthdr:
            return present.contains(.ipv6) ? UInt128(ipProtocol) : nil
        case .ip6Hoplimit:
            return present.contains(.ipv6) ? UInt128(ttl) : nil
        case .ip6DSCP:
            return present.contains(.ipv6) ? UInt128(dscp) : nil
        case .tcpSport:
            return present.contains(.ports) && l4Protocol == IPProtocol.tcp ? UInt128(sourcePort) : nil
        case .tcpDport:
            return present.contains(.ports) && l4Protocol == IPProtocol.tcp ? UInt128(destinationPort) : nil
        case .tcpFlags:
            return present.contains(.tcpFlags) ? UInt128(tcpFlags) : nil
        case .udpSport:
            return present.contains(.ports) && l4Protocol == IPProtocol.udp ? UInt128(sourcePort) : nil
        case .udpDport:
            return present.contains(.ports) && l4Protocol == IPProtocol.udp ? UInt128(destinationPort) : nil
        case .icmpType:
            return present.contains(.icmpType) && l4Protocol == IPProtocol.icmp ? UInt128(icmpType) : nil
        case .icmpv6Type:
            return present.contains(.icmpType) && l4Protocol == IPProtocol.icmpv6 ? UInt128(icmpType) : nil
        case .thSport:
            return present.contains(.ports) && (l4Protocol == IPProtocol.tcp || l4Protocol == IPProtocol.udp)
                ? UInt128(sourcePort) : nil
        case .thDport:
            return present.contains(.ports) && (l4Protocol == IPProtocol.tcp || l4Protocol == IPProtocol.udp)
                ? UInt128(destinationPort) : nil
        case .metaL4proto:
            return present.contains(.l4Protocol) ? UInt128(l4Protocol) : nil
        case .metaLength:
            return UInt128(length)
        case .ctState, .ctDirection:
            // The flow table's, not the frame's.
            return nil
        case .tcpMSS:
            // In the option bytes, which the parse does not keep: see `value(of:port:frame:)`.
            return nil
        }
    }
}

extension FrameInfo {
    /// As ``value(of:port:)``, with the frame's bytes (this parse's) for the fields read from
    /// them: the TCP MSS option.
    @inlinable
    public func value(of field: FieldCode, port: UInt8, frame: UnsafeRawBufferPointer) -> UInt128? {
        guard field == .tcpMSS else { return value(of: field, port: port) }
        return TCPOptions.maximumSegmentSize(frame, info: self).map { UInt128($0) }
    }
}
