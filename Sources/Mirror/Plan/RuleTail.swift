import Policy

/// What every nft rule of one policy rule ends with, whatever framing or alternative it is for:
/// the stateful terms (shared named objects and meters, so the policy rule's frames are counted
/// once), the counter, and the verdict, possibly split by protocol for `reject`.
struct RuleTail {
    /// A stateful term in the order written.
    enum Stateful {
        /// `limit name "N"` or `quota name "N"`.
        case object(NftObjectKind, name: String)
        /// `update @m { KEY limit rate ... }`: the key's loads depend on the framing. A key with
        /// ports has a set of its own for the tagged framings (`taggedSet`), because `nft` types a
        /// raw transport-header port as a port and a raw link-layer one as an integer.
        case meter(set: NftSet, taggedSet: NftSet?, key: [Field], limit: NftLimit)
        /// `add @s { FIELD }` / `update @s { FIELD [timeout T] }` (timeout in milliseconds).
        case setUpdate(set: NftSet, field: Field, operation: NftDynamicSetUpdate.Operation, timeout: UInt64?)
    }

    /// One way the rule ends: the conditions that select it (a reject's protocol), then the
    /// expressions after the counter.
    struct Ending {
        /// Checked before the stateful terms, so a frame takes tokens from one ending only.
        var conditions: [MatchStatement]
        var conditionWords: [String]
        /// Rewrites and the verdict (or a `jump` to the rule's chain).
        var expressions: [NftExpression]
        var words: [String]
    }

    var stateful: [Stateful]
    /// The endings, tried in order (the last has no conditions).
    var endings: [Ending]
    /// The rule's endings in frames of the tagged framings: the verdict alone (no rewrites,
    /// rejects as drops).
    var taggedEnding: Ending
    /// The kernel drops what the rule matches (drop, reflect, reject): where the kernel cannot
    /// check a term, such a rule takes the frame (the safer verdict); an accepting rule leaves
    /// it to the rules after it.
    var drops: Bool
    /// The regular chain `rule-NAME` the rule jumps to when its rewrites need one, and its rules.
    var chain: NftChain?
    var chainRules: [NftRule] = []

    /// The fields of the meters' keys (their dependencies join the rule's match).
    var meterKeyFields: [Field] {
        stateful.flatMap { part -> [Field] in
            if case .meter(_, _, let key, _) = part { return key }
            if case .setUpdate(_, let field, _, _) = part { return [field] }
            return []
        }
    }

    /// The stateful terms' expressions and words, with a meter's key read by `keyLoads` (the
    /// framing's loads of the key fields, in order, and their text; nil when the framing cannot
    /// read them).
    func statefulExpressions(tagged: Bool, keyLoads: ([Field]) -> (loads: [NftExpression], text: String)?)
        -> (expressions: [NftExpression], words: [String])?
    {
        var expressions: [NftExpression] = []
        var words: [String] = []
        for part in stateful {
            switch part {
            case .object(let kind, let name):
                expressions.append(.objectReference(kind, name: name))
                words.append("\(kind == .limit ? "limit" : "quota") name \(NftValueText.quoted(name))")
            case .meter(let native, let taggedSet, let key, let limit):
                let set = tagged ? taggedSet ?? native : native
                guard let (loads, keyText) = keyLoads(key) else { return nil }
                expressions += loads
                expressions.append(
                    .dynamicSet(
                        NftDynamicSetUpdate(
                            operation: .update, setName: set.name, setID: set.id, expressions: [.limit(limit)])))
                words.append("update @\(set.name) { \(keyText) \(NftLimitText.statement(limit)) }")
            case .setUpdate(let set, let field, let operation, let timeout):
                // Read as the field is (`ip saddr`), into the set typed by it.
                guard !tagged, let layout = FieldLayout.of(field) else { return nil }
                expressions += layout.loads
                expressions.append(
                    .dynamicSet(
                        NftDynamicSetUpdate(operation: operation, setName: set.name, setID: set.id, timeout: timeout)))
                let verb = operation == .add ? "add" : "update"
                let after = timeout.map { " timeout \(DurationText.nft(milliseconds: $0))" } ?? ""
                words.append("\(verb) @\(set.name) { \(layout.selector)\(after) }")
            }
        }
        return (expressions, words)
    }
}

/// How a meter's key fields are read in the native framing: as raw payload (`@nh,96,32` for
/// `ip saddr`), so the tagged framings' raw copies of the rule (`@ll,272,32`) update the same
/// integer-typed set (`nft` refuses a raw key for a typed set). `meta l4proto` has no raw form
/// (its place depends on IPv6 extension headers): its meters stay typed, and tagged frames
/// cannot be checked against them.
enum MeterKey {
    /// The key field's native layout: raw payload, unless the key has ports (then all typed,
    /// as `nft` would write it).
    static func nativeLayout(_ field: Field, in key: [Field]) -> FieldLayout? {
        guard var layout = FieldLayout.of(field) else { return nil }
        if hasPorts(key) { return layout }
        guard case .payload(let base, let offset, let length) = layout.load else { return layout }
        let bits = RawBits(byteOffset: offset, length: length, mask: layout.mask)
        let (number, name): (UInt32, String) =
            switch base {
            case .link: (1, "@ll")
            case .network: (2, "@nh")
            case .transport: (3, "@th")
            }
        layout.selector = "\(name),\(bits.offset),\(bits.length)"
        layout.typeof = .raw(base: number, offset: UInt32(bits.offset), length: UInt32(bits.length))
        layout.setType = .integer
        layout.namedSetType = nil
        return layout
    }

    /// The field can be read as raw payload in the tagged framings.
    static func hasRawForm(_ field: Field) -> Bool { field != .metaL4proto }

    /// The key reads the transport header.
    static func hasPorts(_ key: [Field]) -> Bool {
        key.contains { if case .payload(.transport, _, _) = FieldLayout.of($0)?.load { true } else { false } }
    }
}

/// A `limit` in nft text: `limit rate over 10/second burst 5 packets`.
enum NftLimitText {
    static func statement(_ limit: NftLimit) -> String { "limit " + body(limit) }

    /// `rate [over] N/UNIT [burst B packets|bytes]`, as in a named limit's block.
    static func body(_ limit: NftLimit) -> String {
        let unit: String
        switch limit.unit {
        case 60: unit = "minute"
        case 3600: unit = "hour"
        case 86400: unit = "day"
        case 604_800: unit = "week"
        default: unit = "second"
        }
        let over = limit.inverted ? "over " : ""
        if limit.countsBytes {
            let burst = limit.burst == 0 ? "" : " burst \(limit.burst) bytes"
            return "rate \(over)\(limit.rate) bytes/\(unit)\(burst)"
        }
        return "rate \(over)\(limit.rate)/\(unit) burst \(limit.burst) packets"
    }
}
