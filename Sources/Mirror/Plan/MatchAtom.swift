import Policy

/// One condition of a native (untagged or singly tagged) nft rule, before it is expressions: a
/// protocol dependency, its opposite, a later-fragment test, or a policy term.
///
/// A policy rule becomes one or more nft rules whose conditions are lists of atoms: a negated
/// term on a field some frames lack (`tcp dport != 23` also holds for UDP, ARP and later
/// fragments) is one nft rule for the frames that have the field and one per way of lacking
/// it, because nft only tests a field on frames that have it.
enum MatchAtom: Hashable {
    /// `meta protocol TYPE` / `meta l4proto PROTO` (the dependency a field needs).
    case dependency(Dependency)
    /// The same as ``dependency(_:)``, for a meter's key, which is read as raw payload: its text
    /// always spells it out.
    case keyDependency(Dependency)
    /// `meta protocol != TYPE`: the frame's EtherType (after the tag the kernel takes off) is
    /// another one, or it is not IP at all.
    case notEtherType(UInt16)
    /// `meta protocol != { ip, ip6 }`: no IP header, so no L4 protocol either.
    case notIP
    /// `ether type != @bk.tpids`: the frame has no VLAN tag (so no `vlan id` or `vlan pcp`).
    case notOuterTag
    /// `meta l4proto != PROTO`: an IP packet whose L4 protocol is another one (or, for the
    /// kernel, a later fragment of one: see ``laterFragment(_:)``).
    case notL4proto(UInt8)
    /// A fragment after the first of an IPv4 (0x0800) or IPv6 (0x86dd) packet: the kernel knows
    /// its L4 protocol, the policy says it has no L4 header.
    case laterFragment(UInt16)
    /// Not a later fragment, tested as a transport-header load that fails on one (`@th,0,8 >= 0`):
    /// what a positive `meta l4proto` needs when no other term reads the transport header.
    case transportHeader
    /// An ARP frame that fails one of the format checks (``Dependency/arpIPv4OverEthernet``,
    /// ``Dependency/arpAddressLengths``): it has no ARP addresses. Raw (`@nh,0,32 != ...`),
    /// because nft text has no negation of two fields at once.
    case notARPFormat(Dependency)
    /// A policy term (a field compared with values).
    case term(FieldMatch)

    /// The EtherType this atom requires, if any.
    var requiredEtherType: UInt16? {
        switch self {
        case .dependency(.etherType(let type)): return type
        case .laterFragment(let type): return type
        default: return nil
        }
    }

    /// Two atoms no frame meets together.
    func contradicts(_ other: MatchAtom) -> Bool {
        switch (self, other) {
        case (.dependency(let a), .dependency(let b)): return a.contradicts(b)
        case (.dependency(.etherType(let a)), .notEtherType(let b)),
            (.notEtherType(let b), .dependency(.etherType(let a))):
            return a == b
        case (.dependency(.etherType(let a)), .notIP), (.notIP, .dependency(.etherType(let a))):
            return a == 0x0800 || a == 0x86dd
        case (.laterFragment, .notIP), (.notIP, .laterFragment): return true
        case (.dependency(.l4proto), .notIP), (.notIP, .dependency(.l4proto)): return true
        case (.dependency(.outerTag), .notOuterTag), (.notOuterTag, .dependency(.outerTag)): return true
        case (.notL4proto, .notIP), (.notIP, .notL4proto): return true
        case (.dependency(.l4proto(let a)), .notL4proto(let b)), (.notL4proto(let b), .dependency(.l4proto(let a))):
            return a == b
        case (.laterFragment(let a), .laterFragment(let b)): return a != b
        case (.laterFragment(let a), .notEtherType(let b)), (.notEtherType(let b), .laterFragment(let a)):
            return a == b
        case (.laterFragment, .transportHeader), (.transportHeader, .laterFragment): return true
        case (.dependency(let a), .notARPFormat(let b)), (.notARPFormat(let b), .dependency(let a)): return a == b
        case (.laterFragment(let a), .dependency(.etherType(let b))),
            (.dependency(.etherType(let b)), .laterFragment(let a)):
            return a != b
        case (.laterFragment, .term(let match)), (.term(let match), .laterFragment):
            // A later fragment has no transport header: a positive term that reads one never holds.
            guard !match.negated, let layout = FieldLayout.of(match.field) else { return false }
            if case .payload(.transport, _, _) = layout.load { return true }
            return false
        case (.laterFragment, .dependency(.l4proto)), (.dependency(.l4proto), .laterFragment):
            // `meta l4proto P` holds for the kernel, but the policy sees no L4 protocol.
            return true
        default: return false
        }
    }
}

/// The statements of the atoms that are not policy terms.
extension MatchAtom {
    /// The statement and its nft text; nil for ``term(_:)`` (``MatchTranslation`` does those).
    /// `sets` gets the anonymous set of ``notIP``.
    func statement(sets: inout SetRegistry) -> (MatchStatement, String)? {
        switch self {
        case .dependency(let dependency):
            return (dependency.statement(afterVLANTag: false), dependency.text)
        case .notEtherType(let type):
            return (
                MatchStatement([.meta(.protocolType), .compare(.notEqual, Bytes.bigEndian(UInt128(type), count: 2))]),
                "meta protocol != \(NftValueText.etherType(type))"
            )
        case .notIP:
            let set = sets.etherTypeSet([0x0800, 0x86dd])
            return (
                MatchStatement.unmergeable([
                    .meta(.protocolType), .lookup(setName: set.name, setID: set.id, inverted: true),
                ]), "meta protocol != \(set.elementsText)"
            )
        case .notOuterTag:
            let tpids = sets.tpids()
            return (
                MatchStatement.unmergeable([
                    .payload(.link, offset: 12, length: 2),
                    .lookup(setName: tpids.name, setID: tpids.id, inverted: true),
                ]), "ether type != @\(tpids.name)"
            )
        case .notARPFormat(let dependency):
            let (offset, bytes) = dependency.arpHeaderBytes!
            let value = bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
            let text = NftValueText.value(value, style: .rawHex(digits: 2 * bytes.count))
            return (
                MatchStatement([.payload(.network, offset: offset, length: bytes.count), .compare(.notEqual, bytes)]),
                "@nh,\(8 * offset),\(8 * bytes.count) != \(text)"
            )
        case .notL4proto(let proto):
            return (
                MatchStatement([.meta(.l4proto), .compare(.notEqual, [proto])]), "meta l4proto != \(proto)"
            )
        case .laterFragment(let type):
            if type == 0x0800 {
                return (
                    MatchStatement.unmergeable([
                        .payload(.network, offset: 6, length: 2), .bitwise(mask: [0x1f, 0xff], xor: [0, 0]),
                        .compare(.notEqual, [0, 0]),
                    ]), "ip frag-off & 0x1fff != 0"
                )
            }
            return (
                MatchStatement.unmergeable([
                    .extensionHeader(type: 44, offset: 2, length: 2, present: false),
                    .bitwise(mask: [0xff, 0xf8], xor: [0, 0]), .compare(.notEqual, [0, 0]),
                ]), "frag frag-off != 0"
            )
        case .transportHeader:
            return (
                MatchStatement.unmergeable([
                    .payload(.transport, offset: 0, length: 1), .compare(.greaterOrEqual, [0]),
                ]), "@th,0,8 >= 0"
            )
        case .term, .keyDependency:
            return nil
        }
    }
}
