import Frame
import Policy

/// Turns a `test` block's `packet` line into frame bytes, filling in what it does not say.
///
/// The fields given decide the frame's shape: `arp ...` makes an ARP frame, `ip6 ...` or
/// `icmpv6 ...` an IPv6 packet, any other IP field (or none) IPv4; `tcp ...`, `udp ...`,
/// `icmp ...`, `meta l4proto`, `ip protocol` or `ip6 nexthdr` choose the transport (UDP when
/// nothing does); `tcp option maxseg size` gives a TCP segment the MSS option (and no other);
/// `vlan id`/`vlan pcp` add one 802.1Q tag; `meta length` pads the frame.
public enum TestPacketBuilder {
    /// The frame, or a diagnostic at the `packet` line when the fields contradict each other.
    public static func build(_ packet: TestPacket) -> Result<[UInt8], Diagnostic> {
        var spec = Spec()
        for item in packet.fields {
            if let problem = spec.take(item) {
                return .failure(Diagnostic(.error, .invalidValue, problem, at: item.location))
            }
        }
        return spec.frame(at: packet.location)
    }

    private enum Family: String {
        case arp
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"
        case other = "non-IP"
    }

    private enum TransportKind: String {
        case tcp, udp, icmp, icmpv6, other
    }

    private struct Spec {
        var builder = FrameBuilder()
        var family: Family?
        var transport: TransportKind?
        var familyField: Field?
        var transportField: Field?
        var etherType: UInt16?
        var vlan: FrameBuilder.VLANTag?
        var arp = FrameBuilder.ARP()
        var ipv4 = FrameBuilder.IPv4()
        var ipv6 = FrameBuilder.IPv6()
        var tcp = FrameBuilder.TCP()
        var udp = FrameBuilder.UDP()
        var icmp = FrameBuilder.ICMP()
        var otherProtocol: UInt8 = 0
        var length: Int?

        /// Records one field; returns a problem when it contradicts an earlier one.
        mutating func take(_ item: FieldValue) -> String? {
            let v = item.value
            switch item.field {
            case .iif: return nil
            case .etherSaddr: builder.sourceMAC = UInt64(truncatingIfNeeded: v)
            case .etherDaddr: builder.destinationMAC = UInt64(truncatingIfNeeded: v)
            case .etherType:
                etherType = UInt16(truncatingIfNeeded: v)
                switch etherType! {
                case EtherType.arp: return setFamily(.arp, item.field)
                case EtherType.ipv4: return setFamily(.ipv4, item.field)
                case EtherType.ipv6: return setFamily(.ipv6, item.field)
                default: return setFamily(.other, item.field)
                }
            case .vlanID:
                var tag = vlan ?? FrameBuilder.VLANTag(id: 0)
                tag.id = UInt16(truncatingIfNeeded: v)
                vlan = tag
            case .vlanPCP:
                var tag = vlan ?? FrameBuilder.VLANTag(id: 1)
                tag.pcp = UInt8(truncatingIfNeeded: v)
                vlan = tag
            case .arpOperation:
                arp.operation = UInt16(truncatingIfNeeded: v)
                return setFamily(.arp, item.field)
            case .arpSaddrIP:
                arp.senderIP = UInt32(truncatingIfNeeded: v)
                return setFamily(.arp, item.field)
            case .arpDaddrIP:
                arp.targetIP = UInt32(truncatingIfNeeded: v)
                return setFamily(.arp, item.field)
            case .arpSaddrEther:
                arp.senderMAC = UInt64(truncatingIfNeeded: v)
                return setFamily(.arp, item.field)
            case .arpDaddrEther:
                arp.targetMAC = UInt64(truncatingIfNeeded: v)
                return setFamily(.arp, item.field)
            case .ipSaddr:
                ipv4.source = UInt32(truncatingIfNeeded: v)
                return setFamily(.ipv4, item.field)
            case .ipDaddr:
                ipv4.destination = UInt32(truncatingIfNeeded: v)
                return setFamily(.ipv4, item.field)
            case .ipTTL:
                ipv4.ttl = UInt8(truncatingIfNeeded: v)
                return setFamily(.ipv4, item.field)
            case .ipDSCP:
                ipv4.dscp = UInt8(truncatingIfNeeded: v)
                return setFamily(.ipv4, item.field)
            case .ipECN:
                ipv4.ecn = UInt8(truncatingIfNeeded: v)
                return setFamily(.ipv4, item.field)
            case .ipProtocol:
                return setFamily(.ipv4, item.field) ?? setTransport(number: UInt8(truncatingIfNeeded: v), item.field)
            case .ip6Saddr:
                ipv6.source = v
                return setFamily(.ipv6, item.field)
            case .ip6Daddr:
                ipv6.destination = v
                return setFamily(.ipv6, item.field)
            case .ip6Hoplimit:
                ipv6.hopLimit = UInt8(truncatingIfNeeded: v)
                return setFamily(.ipv6, item.field)
            case .ip6DSCP:
                ipv6.dscp = UInt8(truncatingIfNeeded: v)
                return setFamily(.ipv6, item.field)
            case .ip6Nexthdr:
                return setFamily(.ipv6, item.field) ?? setTransport(number: UInt8(truncatingIfNeeded: v), item.field)
            case .tcpSport:
                tcp.sourcePort = UInt16(truncatingIfNeeded: v)
                return setTransport(.tcp, item.field)
            case .tcpDport:
                tcp.destinationPort = UInt16(truncatingIfNeeded: v)
                return setTransport(.tcp, item.field)
            case .tcpFlags:
                tcp.flags = UInt8(truncatingIfNeeded: v)
                return setTransport(.tcp, item.field)
            case .tcpMSS:
                tcp.options = [TCPOptions.maximumSegmentSizeKind, 4, UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
                return setTransport(.tcp, item.field)
            case .udpSport:
                udp.sourcePort = UInt16(truncatingIfNeeded: v)
                return setTransport(.udp, item.field)
            case .udpDport:
                udp.destinationPort = UInt16(truncatingIfNeeded: v)
                return setTransport(.udp, item.field)
            case .icmpType:
                icmp.type = UInt8(truncatingIfNeeded: v)
                return setFamily(.ipv4, item.field) ?? setTransport(.icmp, item.field)
            case .icmpv6Type:
                icmp.type = UInt8(truncatingIfNeeded: v)
                return setFamily(.ipv6, item.field) ?? setTransport(.icmpv6, item.field)
            case .metaL4proto:
                return setTransport(number: UInt8(truncatingIfNeeded: v), item.field)
            case .metaLength:
                length = Int(v)
            case .thSport, .thDport:
                let tcpOrUDP = item.field == .thSport ? "tcp sport or udp sport" : "tcp dport or udp dport"
                return "a test packet says which transport it carries: write \(tcpOrUDP), not \(item.field.rawValue)"
            case .ctState, .ctDirection:
                return "a test packet's \(item.field.rawValue) comes from the flow table, not from its fields"
            }
            return nil
        }

        mutating func setFamily(_ wanted: Family, _ field: Field) -> String? {
            if let family, family != wanted {
                return
                    "a test packet cannot have both '\(familyField!.rawValue)' (\(family.rawValue)) and '\(field.rawValue)' (\(wanted.rawValue))"
            }
            family = wanted
            if familyField == nil { familyField = field }
            return nil
        }

        mutating func setTransport(_ wanted: TransportKind, _ field: Field) -> String? {
            if let transport, transport != wanted {
                return
                    "a test packet cannot have both '\(transportField!.rawValue)' (\(transport.rawValue)) and '\(field.rawValue)' (\(wanted.rawValue))"
            }
            transport = wanted
            if transportField == nil { transportField = field }
            return nil
        }

        mutating func setTransport(number: UInt8, _ field: Field) -> String? {
            switch number {
            case IPProtocol.tcp: return setTransport(.tcp, field)
            case IPProtocol.udp: return setTransport(.udp, field)
            case IPProtocol.icmp: return setTransport(.icmp, field)
            case IPProtocol.icmpv6: return setFamily(.ipv6, field) ?? setTransport(.icmpv6, field)
            default:
                otherProtocol = number
                return setTransport(.other, field)
            }
        }

        func frame(at location: SourceLocation) -> Result<[UInt8], Diagnostic> {
            var builder = self.builder
            if let vlan { builder.vlanTags = [vlan] }
            let chosenFamily = family ?? (transport == .icmpv6 ? .ipv6 : .ipv4)
            if chosenFamily != .ipv4 && chosenFamily != .ipv6, let transportField {
                return .failure(
                    Diagnostic(
                        .error, .invalidValue,
                        "a test packet with '\(transportField.rawValue)' must be IP, not \(chosenFamily.rawValue)",
                        at: location))
            }
            let payload: FrameBuilder.Transport
            switch transport ?? .udp {
            case .tcp: payload = .tcp(tcp)
            case .udp: payload = .udp(udp)
            case .icmp:
                if chosenFamily == .ipv6 {
                    return .failure(
                        Diagnostic(.error, .invalidValue, "'icmp' is IPv4; use 'icmpv6 type' for IPv6", at: location))
                }
                payload = .icmp(icmp)
            case .icmpv6:
                if chosenFamily == .ipv4 {
                    return .failure(
                        Diagnostic(.error, .invalidValue, "'icmpv6' is IPv6; use 'icmp type' for IPv4", at: location))
                }
                payload = .icmpv6(icmp)
            case .other: payload = .other(protocolNumber: otherProtocol, payload: [UInt8](repeating: 0, count: 8))
            }
            switch chosenFamily {
            case .arp: builder.network = .arp(arp)
            case .ipv4:
                var ip = ipv4
                ip.transport = payload
                builder.network = .ipv4(ip)
            case .ipv6:
                var ip = ipv6
                ip.transport = payload
                builder.network = .ipv6(ip)
            case .other: builder.network = .raw(etherType: etherType ?? 0x88b5, payload: [])
            }
            var bytes = builder.build()
            if let length {
                guard length >= bytes.count else {
                    return .failure(
                        Diagnostic(
                            .error, .invalidValue,
                            "meta length \(length) is shorter than this test packet's headers (\(bytes.count) bytes)",
                            at: location))
                }
                bytes += [UInt8](repeating: 0, count: length - bytes.count)
            }
            return .success(bytes)
        }
    }
}
