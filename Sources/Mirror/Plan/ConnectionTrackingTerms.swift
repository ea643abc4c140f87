import Policy

/// How the mirror gives the kernel `ct state` and `ct direction`.
enum ConnectionTrackingMode: Hashable {
    /// The kernel tracks bridged connections itself: native `ct state` / `ct direction`.
    case native
    /// The kernel cannot: the flow table's emulation (``FlowEmulation``) classifies each frame
    /// into the packet mark before the policy's chains run, and the terms test the mark.
    case emulated
    /// Neither (no flow sets either): the terms cannot be checked at all.
    case unavailable
}

/// The bits the flow emulation's classifier leaves in the packet mark for the policy's chains:
/// every `ct state` the frame may have (nft's state bits), every direction it may have, and
/// which lookup found it (what the learning chain updates).
///
/// Where the kernel can tell, one state bit and one direction bit are set; where it cannot (an
/// ICMP error may be `related` or `invalid`, a later fragment anything), all the possible ones.
enum FlowMark {
    /// nft's `ct state` bits: invalid 1, established 2, related 4, new 8, untracked 64.
    static let states: UInt32 = 0x4f
    static let invalid: UInt32 = 0x01
    static let established: UInt32 = 0x02
    static let related: UInt32 = 0x04
    static let new: UInt32 = 0x08
    static let untracked: UInt32 = 0x40
    /// The frame may go in the flow's original direction.
    static let original: UInt32 = 0x100
    /// The frame may go in the flow's reply direction.
    static let reply: UInt32 = 0x200
    /// The frame may belong to no flow (no `ct direction`).
    static let noDirection: UInt32 = 0x400
    static let directions: UInt32 = 0x700
    /// The learning chain's case (``FlowEmulation/Learning``), three bits from bit 12.
    static let learningShift: UInt32 = 12
    static let learning: UInt32 = 0x7000
    /// Every bit the emulation owns; the rest of the mark is left as it was.
    static let all: UInt32 = 0x7fff

    /// The mark of a frame the classifier knows nothing about: anything is possible.
    static let unknown: UInt32 = states | directions
}

/// `ct state` / `ct direction` terms in nft form.
enum ConnectionTrackingTerms {
    /// The statements for `terms` (all `ct` fields), or nil when the kernel cannot check them
    /// for these frames. `drops` says which way an uncertain frame goes (see ``FlowMark``): a
    /// dropping rule takes every frame that may match, an accepting one only those that surely
    /// match.
    static func statements(_ terms: [FieldMatch], mode: ConnectionTrackingMode, nativeFraming: Bool, drops: Bool)
        -> [(MatchStatement, String)]?
    {
        switch mode {
        case .unavailable: return nil
        case .native:
            guard nativeFraming else { return nil }
            return terms.map(native)
        case .emulated:
            return terms.map { emulated($0, drops: drops) }
        }
    }

    private static func values(_ match: FieldMatch) -> [UInt32] {
        var result: [UInt32] = []
        for interval in match.values where interval.lo <= 0xff {
            for value in interval.lo...min(interval.hi, 0xff) { result.append(UInt32(value)) }
        }
        return result
    }

    private static func stateNames(_ mask: UInt32) -> String {
        let names: [(UInt32, String)] = [
            (FlowMark.invalid, "invalid"), (FlowMark.established, "established"), (FlowMark.related, "related"),
            (FlowMark.new, "new"), (FlowMark.untracked, "untracked"),
        ]
        return names.filter { mask & $0.0 != 0 }.map(\.1).joined(separator: ",")
    }

    /// `ct state established,related`, or for none of them `ct state & (established|related) == 0`
    /// (`nft` reads `ct state != established,related` as a comparison with both bits at once).
    private static func stateText(_ mask: UInt32, negated: Bool) -> String {
        guard negated else { return "ct state \(stateNames(mask))" }
        return "ct state & (\(stateNames(mask).split(separator: ",").joined(separator: "|"))) == 0"
    }

    private static func word(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    private static func native(_ match: FieldMatch) -> (MatchStatement, String) {
        let given = values(match)
        if match.field == .ctState {
            let mask = given.reduce(0, |) & FlowMark.states
            if match.negated && given.count == 1 {
                return (
                    MatchStatement([.connectionTracking(.state), .compare(.notEqual, word(mask))]),
                    "ct state != \(stateNames(mask))"
                )
            }
            return (
                MatchStatement.unmergeable([
                    .connectionTracking(.state), .bitwise(mask: word(mask), xor: word(0)),
                    .compare(match.negated ? .equal : .notEqual, word(0)),
                ]), stateText(mask, negated: match.negated)
            )
        }
        let directions = Set(given.filter { $0 <= 1 })
        if directions.count == 2 {
            // Both directions: the frame belongs to a flow (invalid and untracked ones have none).
            let mask = FlowMark.established | FlowMark.related | FlowMark.new
            return (
                MatchStatement.unmergeable([
                    .connectionTracking(.state), .bitwise(mask: word(mask), xor: word(0)),
                    .compare(match.negated ? .equal : .notEqual, word(0)),
                ]), stateText(mask, negated: match.negated)
            )
        }
        let value = UInt8(directions.first ?? 0)
        return (
            MatchStatement([.connectionTracking(.direction), .compare(match.negated ? .notEqual : .equal, [value])]),
            "ct direction \(match.negated ? "!= " : "")\(value == 0 ? "original" : "reply")"
        )
    }

    private static func emulated(_ match: FieldMatch, drops: Bool) -> (MatchStatement, String) {
        let given = values(match)
        let all: UInt32
        var bits: UInt32
        if match.field == .ctState {
            all = FlowMark.states
            bits = given.reduce(0, |) & all
        } else {
            all = FlowMark.directions
            bits = 0
            if given.contains(0) { bits |= FlowMark.original }
            if given.contains(1) { bits |= FlowMark.reply }
        }
        // `!=` also holds for a frame without the field: the complement, "no direction" included.
        if match.negated { bits = all & ~bits }
        let test = drops ? bits : all & ~bits
        let statement = MatchStatement.unmergeable([
            .meta(.mark), .bitwise(mask: word(test), xor: word(0)), .compare(drops ? .notEqual : .equal, word(0)),
        ])
        return (statement, "meta mark & 0x\(String(test, radix: 16, uppercase: false)) \(drops ? "!=" : "==") 0")
    }
}
