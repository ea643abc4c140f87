import Policy

/// Where the kernel bridge finds a frame's headers, which decides how the mirror reads a field.
///
/// Bridgekeeper reads L3 and L4 fields through up to eight VLAN tags (0x8100, 0x88a8, 0x9100).
/// The kernel's receive path moves only the outermost 802.1Q or 802.1ad tag into the skb's
/// metadata, so nft's `meta protocol`, network header and transport header see IP only in an
/// untagged frame or behind that one tag: the ``native`` framing. Every other frame has a VLAN
/// TPID as its `meta protocol` and is read as raw link-layer payload (`@ll,OFFSET,LENGTH`), in
/// which the kernel shows the frame as it was on the wire, the tag it took off put back
/// (checked with real frames on kernel 6.18: `@ll,96,16` is the outer TPID, the IPv4 source of a
/// double-tagged frame is `@ll,272,32`).
enum Framing: Hashable, Comparable {
    /// Untagged, or one 802.1Q or 802.1ad tag: nft's own protocol fields work.
    case native
    /// `count` tags (1 or 2) that the kernel did not take off, or did not take off all of: a
    /// lone 0x9100 tag, or two tags (QinQ). The payload starts at 14 + 4 × `count`.
    case tagged(Int)
    /// More than ``maxExactTags`` tags: the mirror does not copy every rule once more per depth
    /// (each depth would be another copy of the whole policy: a 10,000-rule policy became 210,000
    /// nft rules, minutes to commit), so such frames get the safer verdict: the first rule that
    /// drops drops them, accepting rules leave them, and the notes say so.
    case pastTags

    /// The VLAN TPIDs Bridgekeeper walks.
    static let tagTypes: [UInt16] = [0x8100, 0x88a8, 0x9100]
    /// The most tags the mirror reads exactly through (QinQ); deeper stacks get the safer verdict.
    static let maxTags = 2

    /// Every framing that needs its own chain, in dispatch order.
    static let tagged: [Framing] = (1...maxTags).map(Framing.tagged) + [.pastTags]

    /// The chain that holds the policy's rules for this framing.
    var chainName: String {
        switch self {
        case .native: return "forward"
        case .tagged(let count): return "tags-\(count)"
        case .pastTags: return "tags-over-\(Framing.maxTags)"
        }
    }

    /// Offset of the EtherType after the tags (what Bridgekeeper calls `ether type`), in the
    /// link-layer view; nil for ``native`` (nft's `meta protocol`).
    var etherTypeOffset: Int? {
        switch self {
        case .native: return nil
        case .tagged(let count): return 12 + 4 * count
        case .pastTags: return 12 + 4 * Framing.maxTags
        }
    }

    /// Offset of the L3 header in the link-layer view; nil when the framing has none the
    /// mirror can read (``native`` uses the network header, ``pastTags`` is not read).
    var payloadOffset: Int? {
        switch self {
        case .tagged(let count): return 14 + 4 * count
        case .native, .pastTags: return nil
        }
    }

    /// The words notes use for the framing.
    var description: String {
        switch self {
        case .native: return "untagged or with one 802.1Q/802.1ad tag"
        case .tagged(1): return "with one 0x9100 tag"
        case .tagged(let count): return "with \(count) VLAN tags"
        case .pastTags: return "with more than \(Framing.maxTags) VLAN tags"
        }
    }
}

/// The base chain `tagged` and its dispatch: frames whose `meta protocol` is a VLAN TPID go to
/// the chain of their framing, where the policy's rules read their fields as raw payload.
///
/// It runs just before the policy's `forward` chain on the same hook. Other frames are accepted
/// here (which ends only this base chain: `forward` judges them). A tagged frame no rule of its
/// chain takes gets this chain's policy, the policy's default; one a rule accepts goes on to
/// `forward`, which lets it pass untouched (see ``MirrorPlanner``).
enum FramingDispatch {
    /// The dispatch chain's name.
    static let chainName = "tagged"
    /// Its priority: just before the policy's `forward` chain (0).
    static let priority: Int32 = -1
    /// The raw-typed TPID set the dispatch looks up after each tag.
    static let tagSetName = "bk.tags"

    /// The rules of the dispatch chain: native frames go on to `forward`, the others `goto` the
    /// chain of their number of tags (the first position after `count` tags that holds no TPID).
    static func rules(tpids: NftSet, sets: inout SetRegistry) -> [NftRule] {
        var rules = [
            NftRule(
                chain: chainName,
                expressions: [
                    .meta(.protocolType), .lookup(setName: tpids.name, setID: tpids.id, inverted: true),
                    .verdict(.accept),
                ], comment: nil, text: "meta protocol != @\(tpids.name) accept", origin: nil)
        ]
        for framing in Framing.tagged {
            guard case .tagged(let count) = framing else {
                rules.append(
                    NftRule(
                        chain: chainName, expressions: [.verdict(.goto(framing.chainName))], comment: nil,
                        text: "goto \(framing.chainName)", origin: nil))
                continue
            }
            let offset = 12 + 4 * count
            let set = sets.rawNamedSet(
                tagSetName, values: Framing.tagTypes.map { ValueInterval(UInt128($0)) },
                layout: FieldLayout.rawLink(offset: offset, length: 2, style: .rawHex(digits: 4)), fieldMax: 0xffff,
                bitWidth: 16)
            rules.append(
                NftRule(
                    chain: chainName,
                    expressions: [
                        .payload(.link, offset: offset, length: 2),
                        .lookup(setName: set.name, setID: set.id, inverted: true),
                        .verdict(.goto(framing.chainName)),
                    ], comment: nil, text: "@ll,\(8 * offset),16 != @\(set.name) goto \(framing.chainName)",
                    origin: nil))
        }
        return rules
    }
}
