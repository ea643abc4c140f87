import Policy

/// Turns policy values into the elements and userdata `nft` gives a set.
enum SetEncoding {
    /// Sorts intervals and merges those that overlap or touch, so interval sets hold no
    /// conflicting elements and single-interval matches compile to one comparison.
    static func merged(_ intervals: [ValueInterval]) -> [ValueInterval] {
        var result: [ValueInterval] = []
        for interval in intervals.sorted() {
            if let last = result.last, last.hi == UInt128.max || interval.lo <= last.hi + 1 {
                result[result.count - 1].hi = max(last.hi, interval.hi)
            } else {
                result.append(interval)
            }
        }
        return result
    }

    /// The kernel's elements for merged, sorted intervals of a field.
    ///
    /// A plain set holds one element per value. An interval set holds, per interval, a start
    /// element and an end element one past its last value (`NFT_SET_ELEM_INTERVAL_END`), and
    /// starts with an end element at zero unless the first interval starts there; an interval
    /// that runs to the field's largest value has no end element and is flagged open instead.
    /// For fields stored shifted (`ip dscp`, `vlan pcp`, `ip6 dscp`) `nft` puts the end one past
    /// the shifted last value and never flags it open; this does the same.
    static func elements(_ intervals: [ValueInterval], layout: FieldLayout, fieldMax: UInt128, interval: Bool)
        -> [NftSetElement]
    {
        guard interval else { return intervals.map { NftSetElement(key: layout.bytes($0.lo)) } }
        var elements: [NftSetElement] = []
        if let first = intervals.first, first.lo != 0 {
            elements.append(NftSetElement(key: layout.bytes(0), isIntervalEnd: true))
        }
        for item in intervals {
            let open = layout.shift == 0 && item.hi == fieldMax
            elements.append(NftSetElement(key: layout.bytes(item.lo), isOpenInterval: open))
            if !open {
                let end = (item.hi << UInt128(layout.shift)) + 1
                elements.append(NftSetElement(key: Bytes.bigEndian(end, count: layout.length), isIntervalEnd: true))
            }
        }
        return elements
    }

    /// Set userdata (`NFTNL_UDATA_SET_*` TLVs) as `nft` 1.0.6 writes it: the key's byte order,
    /// then for anonymous sets (and named sets declared with `typeof`, `named`) the merge flag of
    /// interval sets and the key's `typeof` description.
    static func userdata(
        bigEndianKey: Bool, anonymous: Bool, interval: Bool, typeof: SetTypeof?, named: Bool = false
    ) -> [UInt8] {
        var data = tlv(0, u32: bigEndianKey ? 2 : 1)  // KEYBYTEORDER: BYTEORDER_BIG_ENDIAN / HOST
        guard anonymous || named else { return data }
        if interval && anonymous { data += tlv(2, u32: 1) }  // MERGE_ELEMENTS
        if let typeof { data += tlv(3, typeofData(typeof)) }
        return data
    }

    /// Userdata of a set whose key is a concatenation: byte order 0 (none), then the `typeof` of
    /// each part (a set declared with `type A . B` gets an empty list, as `nft` writes it).
    static func concatenationUserdata(_ parts: [SetTypeof]) -> [UInt8] {
        var list: [UInt8] = []
        for (index, part) in parts.enumerated() { list += tlv(UInt8(index), typeofData(part)) }
        return tlv(0, u32: 0) + tlv(3, tlv(0, u32: 13) + tlv(1, list))
    }

    /// One `typeof` expression: its kind (7 payload, 9 meta) and its description.
    private static func typeofData(_ typeof: SetTypeof) -> [UInt8] {
        switch typeof {
        case .payload(let proto, let field):
            return tlv(0, u32: 7) + tlv(1, tlv(0, u32: proto) + tlv(1, u32: field))
        case .payloadInteger(let proto, let field, let bits):
            return tlv(0, u32: 7) + tlv(1, tlv(0, u32: proto) + tlv(1, u32: field) + tlv(4, u32: bits))
        case .meta(let key):
            return tlv(0, u32: 9) + tlv(1, tlv(0, u32: key))
        case .raw(let base, let offset, let length):
            let fields = tlv(0, u32: 0) + tlv(1, u32: 0) + tlv(2, u32: base) + tlv(3, u32: offset) + tlv(4, u32: length)
            return tlv(0, u32: 7) + tlv(1, fields)
        }
    }

    /// Element userdata flagging an interval open to the end (`NFTNL_SET_ELEM_F_INTERVAL_OPEN`).
    static let openIntervalUserdata: [UInt8] = tlv(1, u32: 1)

    /// One `nftnl_udata` TLV: type, length, value.
    static func tlv(_ type: UInt8, _ value: [UInt8]) -> [UInt8] {
        [type, UInt8(value.count)] + value
    }

    /// A TLV holding a host-order u32 (nft's `nftnl_udata_put_u32`).
    static func tlv(_ type: UInt8, u32 value: UInt32) -> [UInt8] {
        tlv(type, withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }
}
