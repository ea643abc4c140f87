/// A named stateful object of the mirror table: a token bucket or a byte quota that every nft
/// rule a policy rule becomes shares (one per framing and L3 family), so the kernel counts the
/// policy rule's frames once, as Bridgekeeper does.
public struct NftObject: Sendable, Hashable {
    /// What the object holds.
    public enum Kind: Sendable, Hashable {
        /// `limit NAME { rate [over] R/UNIT [burst B packets|bytes] }`.
        case limit(NftLimit)
        /// `quota NAME { [over|until] N bytes }`.
        case quota(bytes: UInt64, over: Bool)
    }

    /// The object's name: `RULE` or `RULE-N` for the rule's N-th such term.
    public var name: String
    public var kind: Kind
    /// The policy rule it belongs to.
    public var origin: NftRuleOrigin

    public init(name: String, kind: Kind, origin: NftRuleOrigin) {
        self.name = name
        self.kind = kind
        self.origin = origin
    }

    /// `NFT_OBJECT_QUOTA` or `NFT_OBJECT_LIMIT`.
    public var type: NftObjectKind {
        switch kind {
        case .limit: return .limit
        case .quota: return .quota
        }
    }
}
